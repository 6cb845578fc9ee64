# install_nnlabs(): a virtualenv for this version of the package, made with uv from the
# bundled wheel and the pinned requirements, in tools::R_user_dir("nnlabs", "data").
# It is built in a folder beside its final place and renamed when complete, so that a
# failure leaves no half-made environment behind.

# The DCF file install_nnlabs() writes into the environments it makes (Version, Extras);
# `nnlabs doctor` reads it too.
ENV_MARKER <- "NNLABS_ENV"

nnlabs_data_dir <- function() {
  tools::R_user_dir("nnlabs", "data")
}

env_dir <- function(version) {
  file.path(nnlabs_data_dir(), paste0("python-", version))
}

split_list <- function(text) {
  parts <- trimws(strsplit(text %||% "", ",", fixed = TRUE)[[1]])
  parts[nzchar(parts)]
}

# The environment install_nnlabs() made for `version`: list(dir, python, extras), or NULL.
installed_env <- function(version) {
  dir <- env_dir(version)
  python <- venv_python(dir)
  marker <- file.path(dir, ENV_MARKER)
  if (is.null(python) || !file.exists(marker)) {
    return(NULL)
  }
  fields <- tryCatch(read.dcf(marker)[1L, ], error = function(e) NULL)
  if (is.null(fields) || !identical(unname(fields["Version"]), version)) {
    return(NULL)
  }
  list(dir = dir, python = python, extras = split_list(unname(fields["Extras"])))
}

progress <- function(...) {
  message("nnlabs: ", sprintf(...))
}

quote_arg <- function(x) {
  shQuote(x, type = if (.Platform$OS.type == "windows") "cmd" else "sh")
}

# Run a tool in folder `wd`; its output streams to the console unless `quiet` (then it is
# kept for the error message). Fails with an nnlabs_install_error naming the command.
run_tool <- function(command, args, wd, what, quiet = FALSE) {
  old <- setwd(wd)
  on.exit(setwd(old), add = TRUE)
  output <- suppressWarnings(system2(command, quote_arg(args), stdout = if (quiet) TRUE else "", stderr = if (quiet) TRUE else ""))
  status <- if (quiet) attr(output, "status") %||% 0L else output
  if (!identical(as.integer(status), 0L)) {
    shown <- if (quiet) paste0(":\n", paste(utils::tail(output, 20L), collapse = "\n")) else " (its output is above)"
    stop(nnlabs_condition(
      sprintf("%s failed with exit status %s: %s %s%s", what, status, command, paste(args, collapse = " "), shown),
      "nnlabs_install_error"
    ))
  }
  invisible(output)
}

usable_uv <- function(path) {
  if (!nzchar(path) || !file.exists(path) || dir.exists(path)) {
    return(FALSE)
  }
  out <- tryCatch(suppressWarnings(system2(path, "--version", stdout = TRUE, stderr = TRUE)), error = function(e) NULL)
  !is.null(out) && is.null(attr(out, "status")) && any(grepl("^uv [0-9]", out))
}

private_uv_dir <- function() {
  file.path(nnlabs_data_dir(), "uv")
}

uv_in <- function(dir) {
  candidates <- file.path(dir, c("bin/uv", "bin/uv.exe", "Scripts/uv.exe"))
  found <- candidates[file.exists(candidates)]
  if (length(found) == 0L) NULL else found[[1]]
}

# uv: NNLABS_UV, then uv on the PATH or where its installer puts it, then the copy
# install_nnlabs() installed with pip; NULL when there is none.
find_uv <- function() {
  chosen <- Sys.getenv("NNLABS_UV", unset = "")
  if (nzchar(chosen)) {
    if (!usable_uv(chosen)) {
      stop(nnlabs_condition(sprintf("NNLABS_UV must be the path of a uv executable; got %s", chosen), "nnlabs_parameter_error"))
    }
    return(chosen)
  }
  candidates <- c(
    unname(Sys.which("uv")), path.expand(c("~/.local/bin/uv", "~/.cargo/bin/uv")),
    uv_in(private_uv_dir()) %||% character()
  )
  for (candidate in candidates) {
    if (usable_uv(candidate)) {
      return(candidate)
    }
  }
  NULL
}

has_pip <- function(python) {
  out <- tryCatch(
    suppressWarnings(system2(python, c("-m", "pip", "--version"), stdout = TRUE, stderr = TRUE)),
    error = function(e) NULL
  )
  !is.null(out) && is.null(attr(out, "status"))
}

# Install uv with pip (`pip install --target`, which needs no virtualenv and works with
# a system Python) into the package's data folder; returns its path.
install_uv <- function(python = NULL, quiet = FALSE) {
  pythons <- c(if (!is.null(python) && file.exists(python)) python, unname(Sys.which(c("python3", "python"))))
  pythons <- unique(pythons[nzchar(pythons)])
  with_pip <- Filter(has_pip, pythons)
  if (length(with_pip) == 0L) {
    stop(nnlabs_condition(
      paste0(
        "install_nnlabs() needs uv and found none, nor a Python with pip to install it with ",
        "(looked for: ", if (length(pythons)) paste(pythons, collapse = ", ") else "python3, python", "). ",
        "Install uv (https://docs.astral.sh/uv/getting-started/installation/) and run install_nnlabs() again"
      ),
      "nnlabs_install_error"
    ))
  }
  target <- private_uv_dir()
  dir.create(dirname(target), recursive = TRUE, showWarnings = FALSE)
  stage <- tempfile("uv.partial-", tmpdir = dirname(target))
  on.exit(unlink(stage, recursive = TRUE, force = TRUE), add = TRUE)
  progress("uv not found; installing it with pip (%s -m pip install --target %s uv)", with_pip[[1]], target)
  run_tool(
    with_pip[[1]], c("-m", "pip", "install", "--disable-pip-version-check", "--target", stage, "uv"),
    getwd(), "pip install uv", quiet
  )
  if (is.null(uv_in(stage))) {
    stop(nnlabs_condition(sprintf("pip installed uv into %s but no uv executable is there", stage), "nnlabs_install_error"))
  }
  swap_into_place(stage, target)
  uv <- uv_in(target)
  if (!usable_uv(uv)) {
    stop(nnlabs_condition(sprintf("the uv that pip installed (%s) does not run", uv), "nnlabs_install_error"))
  }
  uv
}

# Rename `stage` to `target`, replacing what is there only once the new folder is in place.
swap_into_place <- function(stage, target) {
  old <- NULL
  if (file.exists(target)) {
    old <- tempfile(paste0(basename(target), ".old-"), tmpdir = dirname(target))
    if (!file.rename(target, old)) {
      stop(nnlabs_condition(sprintf("could not move the old %s aside", target), "nnlabs_install_error"))
    }
  }
  if (!file.rename(stage, target)) {
    if (!is.null(old)) file.rename(old, target)
    stop(nnlabs_condition(sprintf("could not rename %s to %s", stage, target), "nnlabs_install_error"))
  }
  if (!is.null(old)) unlink(old, recursive = TRUE, force = TRUE)
  invisible(target)
}

check_platform_extras <- function(extras, sysname = Sys.info()[["sysname"]]) {
  if ("cuda" %in% extras && sysname != "Linux") {
    stop(nnlabs_condition(
      sprintf(
        "extras = \"cuda\" needs Linux x86_64, where TensorFlow's CUDA wheels exist (on Windows use WSL2); got it on %s",
        sysname
      ),
      "nnlabs_parameter_error"
    ))
  }
  if ("metal" %in% extras && sysname != "Darwin") {
    stop(nnlabs_condition(
      sprintf("extras = \"metal\" needs a Mac with Apple silicon; got it on %s", sysname),
      "nnlabs_parameter_error"
    ))
  }
  invisible(extras)
}

#' Install the nnlabs Python environment (for reticulate older than 1.41)
#'
#' Makes a Python virtualenv for this version of the package in
#' `tools::R_user_dir("nnlabs", "data")` (one folder per version, e.g.
#' `python-0.1.0`) with [uv](https://docs.astral.sh/uv/), from what the package
#' carries: the `nnlabs` wheel and the requirements pinned by the repository's
#' `uv.lock`. Nothing is looked up on a package index by the name `nnlabs`. The lab
#' functions then find this environment by themselves (see [nnlabs_doctor()]).
#'
#' With reticulate >= 1.41 this is optional: without it, reticulate makes an
#' equivalent environment on first use (`reticulate::py_require()`). It is for older
#' reticulate, or for a lasting environment of your own.
#'
#' uv is taken from `NNLABS_UV`, the `PATH` or `~/.local/bin`; when there is none it
#' is installed with pip into the same data folder. The environment is built in a
#' temporary folder beside its final place and renamed when complete: a failure
#' leaves the previous state as it was. A second call for the same version and
#' extras does nothing.
#'
#' @param extras extras of the Python package: `"cuda"` (NVIDIA GPUs, Linux x86_64),
#'   `"metal"` (Apple-silicon GPUs) or `"jax"` (the JAX backend).
#' @param python the Python that the environment is based on: an interpreter path
#'   or a version such as `"3.11"`. By default uv picks one that the package
#'   supports (Python >= 3.10, < 3.14).
#' @param force rebuild the environment even when it exists.
#' @param quiet hide uv's and pip's own output (progress lines are still shown).
#' @return the environment's Python interpreter, invisibly.
#' @export
#' @examples
#' \dontrun{
#' install_nnlabs()
#' install_nnlabs(extras = "cuda")
#' }
install_nnlabs <- function(extras = character(), python = NULL, force = FALSE, quiet = FALSE) {
  bundle <- python_bundle()
  extras <- sort(check_extras(extras, bundle))
  check_platform_extras(extras)
  if (!is.null(python)) python <- arg_string(python, "python")
  force <- arg_flag(force, "force")
  quiet <- arg_flag(quiet, "quiet")
  target <- env_dir(bundle$version)
  shown_extras <- if (length(extras)) paste(extras, collapse = ", ") else "none"
  existing <- installed_env(bundle$version)
  if (!force && !is.null(existing) && setequal(existing$extras, extras)) {
    progress(
      "the Python environment of nnlabs %s is already installed in %s (extras: %s); nothing to do",
      bundle$version, target, shown_extras
    )
    return(invisible(existing$python))
  }
  dir.create(dirname(target), recursive = TRUE, showWarnings = FALSE)
  uv <- find_uv() %||% install_uv(python, quiet)
  stage <- tempfile(paste0(basename(target), ".partial-"), tmpdir = dirname(target))
  on.exit(unlink(stage, recursive = TRUE, force = TRUE), add = TRUE)
  base <- python %||% bundle$requires_python
  progress("[1/3] creating a virtualenv with %s (Python %s)", uv, base)
  # --quiet: uv's own lines would name the temporary folder.
  run_tool(uv, c("venv", "--quiet", "--no-project", "--relocatable", "--python", base, stage), bundle$dir, "uv venv", quiet)
  stage_python <- venv_python(stage)
  if (is.null(stage_python)) {
    stop(nnlabs_condition(sprintf("uv venv made no Python interpreter in %s", stage), "nnlabs_install_error"))
  }
  based_on <- run_tool(
    stage_python, c("-c", "import sys; print(sys.version.split()[0], 'from', sys.base_prefix)"),
    bundle$dir, "starting the new environment's Python", quiet = TRUE
  )
  progress("      Python %s", utils::tail(based_on, 1L))
  files <- requirement_files(bundle, extras)
  progress(
    "[2/3] installing nnlabs %s from %s and %d pinned requirements (extras: %s)",
    bundle$version, basename(bundle$wheel), length(unique(unlist(lapply(files, read_pins)))), shown_extras
  )
  run_tool(
    # --compile-bytecode: .pyc files now, so no later process recompiles TensorFlow from source.
    uv, c("pip", "install", "--compile-bytecode", "--python", stage_python, as.vector(rbind("-r", files))),
    bundle$dir, "uv pip install", quiet
  )
  progress("[3/3] checking that the new environment imports nnlabs %s", bundle$version)
  got <- run_tool(stage_python, c("-c", "import nnlabs; print(nnlabs.__version__)"), bundle$dir, "importing nnlabs", quiet = TRUE)
  if (!identical(trimws(utils::tail(got, 1L)), bundle$version)) {
    stop(nnlabs_condition(
      sprintf("the new environment's nnlabs must have version %s; got %s", bundle$version, paste(got, collapse = " ")),
      "nnlabs_install_error"
    ))
  }
  write.dcf(
    data.frame(Version = bundle$version, Extras = paste(extras, collapse = ", "), Wheel = basename(bundle$wheel)),
    file.path(stage, ENV_MARKER)
  )
  swap_into_place(stage, target)
  installed <- absolute_python(venv_python(target))
  progress("ready: %s (the lab functions find it by themselves)", installed)
  if (python_initialized()) {
    message("Python has already started in this R session: restart R to use the new environment.")
  }
  invisible(installed)
}
