# Finding Python. In this order:
#   1. NNLABS_PYTHON, an interpreter path;
#   2. RETICULATE_PYTHON (an interpreter path; "managed" means rule 5);
#   3. the repository's .venv, when the working directory is inside the repository;
#   4. the environment install_nnlabs() made for this version of the package;
#   5. on reticulate >= 1.41, the environment reticulate makes with uv from what
#      .onLoad declared with py_require(): the bundled wheel and the pinned requirements;
#   otherwise (reticulate < 1.41) reticulate's own search, which rarely has nnlabs:
#   the error then says to run install_nnlabs().

# The interpreter inside a virtualenv folder, or NULL.
venv_python <- function(venv) {
  candidates <- if (.Platform$OS.type == "windows") {
    file.path(venv, "Scripts", "python.exe")
  } else {
    file.path(venv, "bin", c("python", "python3"))
  }
  found <- candidates[file.exists(candidates)]
  if (length(found) == 0L) NULL else found[[1]]
}

# TRUE when `path` is a pyproject.toml whose project is named nnlabs.
is_nnlabs_project <- function(path) {
  if (!file.exists(path)) {
    return(FALSE)
  }
  lines <- readLines(path, warn = FALSE)
  any(grepl("^\\s*name\\s*=\\s*[\"']nnlabs[\"']", lines))
}

#' Find the repository's `.venv` above a folder
#'
#' Looks in `start` and each parent folder for a `.venv` interpreter next to a
#' `pyproject.toml` naming the `nnlabs` project (what `make` creates).
#'
#' @param start folder to start from.
#' @return a list with `python` (the interpreter) and `root` (the repository), or
#'   `NULL` when none is found.
#' @keywords internal
#' @noRd
find_repo_venv <- function(start = getwd()) {
  dir <- normalizePath(start, winslash = "/", mustWork = FALSE)
  repeat {
    python <- venv_python(file.path(dir, ".venv"))
    if (!is.null(python) && is_nnlabs_project(file.path(dir, "pyproject.toml"))) {
      return(list(python = python, root = dir))
    }
    parent <- dirname(dir)
    if (identical(parent, dir)) {
      return(NULL)
    }
    dir <- parent
  }
}

# An absolute interpreter path that keeps a virtualenv's symlink (resolving it would
# point reticulate at the base interpreter and lose the environment's packages).
absolute_python <- function(path) {
  path <- path.expand(path)
  file.path(normalizePath(dirname(path), winslash = "/", mustWork = FALSE), basename(path))
}

from_env_var <- function(var) {
  value <- Sys.getenv(var, unset = "")
  if (!nzchar(value) || (var == "RETICULATE_PYTHON" && value == "managed")) {
    return(NULL)
  }
  if (!file.exists(value)) {
    stop(nnlabs_condition(
      sprintf("%s must be the path of a Python interpreter; got %s, which does not exist", var, value),
      "nnlabs_python_missing"
    ))
  }
  list(python = absolute_python(value), source = var)
}

# The interpreter to use, as list(python, source), or NULL when rules 1-4 found none.
find_python <- function(start = getwd()) {
  for (var in c("NNLABS_PYTHON", "RETICULATE_PYTHON")) {
    found <- from_env_var(var)
    if (!is.null(found)) {
      return(found)
    }
  }
  repo <- find_repo_venv(start)
  if (!is.null(repo)) {
    return(list(python = absolute_python(repo$python), source = sprintf("the .venv of the repository %s", repo$root)))
  }
  env <- installed_env(r_package_version())
  if (!is.null(env)) {
    return(list(
      python = absolute_python(env$python),
      source = sprintf("the environment install_nnlabs() made (%s)", env$dir)
    ))
  }
  NULL
}

has_py_require <- function() {
  utils::packageVersion("reticulate") >= "1.41"
}

python_initialized <- function() {
  reticulate::py_available(initialize = FALSE)
}

# Set environment variables until Python has started (restore_python_env() puts the
# old values back).
set_env_until_started <- function(...) {
  values <- list(...)
  saved <- .state$saved_env %||% list()
  for (name in names(values)) {
    if (!name %in% names(saved)) saved[name] <- list(Sys.getenv(name, unset = NA))
  }
  .state$saved_env <- saved
  do.call(Sys.setenv, values)
}

restore_python_env <- function() {
  saved <- .state$saved_env
  .state$saved_env <- NULL
  for (name in names(saved)) {
    if (is.na(saved[[name]])) Sys.unsetenv(name) else do.call(Sys.setenv, saved[name])
  }
  invisible()
}

# Point reticulate at the chosen interpreter before Python starts. RETICULATE_PYTHON is
# set only until Python has started: it is the one setting reticulate reads before its
# own project detection (which in a repository with a pyproject.toml looks for Poetry).
select_python <- function() {
  if (python_initialized()) {
    if (is.null(.state$source)) {
      .state$source <- "Python had already started in this R session (chosen by reticulate or another package)"
    }
    return(invisible(FALSE))
  }
  found <- find_python()
  if (!is.null(found)) {
    .state$python <- found$python
    .state$source <- found$source
    set_env_until_started(RETICULATE_PYTHON = found$python)
  } else if (has_py_require()) {
    if (!isTRUE(.state$declared) && !isTRUE(declare_python_requirements())) {
      stop(nnlabs_condition(.state$declare_problem, "nnlabs_python_missing"))
    }
    # reticulate's own order would prefer an active virtualenv, a ./venv or the
    # r-reticulate environment, none of which has nnlabs; RETICULATE_PYTHON_ENV and
    # use_python() still come first.
    set_env_until_started(RETICULATE_USE_MANAGED_VENV = "yes")
    # reticulate picks a Python version that uv would download; where downloads are
    # off (UV_PYTHON_DOWNLOADS=never or manual), ask for a Python of this machine.
    downloads <- tolower(Sys.getenv("UV_PYTHON_DOWNLOADS"))
    if (downloads %in% c("never", "manual") && !nzchar(Sys.getenv("UV_PYTHON_PREFERENCE"))) {
      set_env_until_started(UV_PYTHON_PREFERENCE = "only-system")
      # With that preference reticulate (1.46) recurses while listing Pythons until R's
      # C stack limit, catches the error with try() and goes on; try() would print it.
      .state$quiet_try <- TRUE
    }
    .state$source <- sprintf(
      "reticulate::py_require() (reticulate %s): the bundled nnlabs wheel and the pinned requirements, in an environment made by uv",
      utils::packageVersion("reticulate")
    )
  } else {
    .state$source <- sprintf("reticulate %s's own search (no rule of nnlabs matched)", utils::packageVersion("reticulate"))
  }
  invisible(TRUE)
}

# NULL when Python with the right nnlabs is ready, else a condition saying what is wrong.
python_condition_now <- function() {
  if (isTRUE(.state$ready)) {
    return(NULL)
  }
  chosen <- tryCatch(select_python(), nnlabs_error = identity)
  if (inherits(chosen, "nnlabs_error")) {
    return(chosen)
  }
  python_missing <- function(text) nnlabs_condition(text, "nnlabs_python_missing")
  # reticulate warns once per failed attempt; the problem is reported below instead.
  if (isTRUE(.state$quiet_try)) {
    old <- options(show.error.messages = FALSE)
    on.exit(options(old), add = TRUE)
  }
  started <- tryCatch(
    suppressWarnings(reticulate::py_available(initialize = TRUE)),
    error = function(e) conditionMessage(e),
    finally = {
      restore_python_env()
      .state$quiet_try <- NULL
    }
  )
  chosen_python <- if (is.null(.state$python)) {
    "Python"
  } else {
    sprintf("the Python at %s (chosen by %s)", .state$python, .state$source)
  }
  if (is.character(started)) {
    return(python_missing(sprintf("%s did not start: %s", chosen_python, started)))
  }
  if (!isTRUE(started)) {
    return(python_missing(if (is.null(.state$python)) "no Python interpreter was found" else sprintf("%s did not start", chosen_python)))
  }
  python <- reticulate::py_config()$python
  if (!is.null(.state$python) && !same_folder(.state$python, python)) {
    # reticulate >= 1.41 goes on searching when the interpreter it was given fails.
    return(python_missing(sprintf(
      "the Python at %s (chosen by %s) did not start, and reticulate started %s instead",
      .state$python, .state$source, python
    )))
  }
  if (!reticulate::py_module_available("nnlabs")) {
    return(python_missing(sprintf("the Python at %s (chosen by %s) has no 'nnlabs' package", python, .state$source)))
  }
  version <- tryCatch(
    reticulate::py_to_r(reticulate::import("nnlabs", convert = FALSE)$`__version__`),
    error = function(e) conditionMessage(e)
  )
  if (!identical(version, r_package_version())) {
    return(nnlabs_condition(version_mismatch_message(python, version), "nnlabs_version_error"))
  }
  .state$ready <- TRUE
  NULL
}

same_folder <- function(a, b) {
  identical(normalizePath(dirname(a), mustWork = FALSE), normalizePath(dirname(b), mustWork = FALSE))
}

version_mismatch_message <- function(python, version) {
  source <- .state$source %||% "reticulate"
  fix <- if (startsWith(source, "the .venv")) {
    "run `make sync` and reinstall the R package from the same checkout (make rpkg, then R CMD INSTALL dist/nnlabs_<version>.tar.gz)"
  } else if (startsWith(source, "the environment install_nnlabs()")) {
    "run nnlabs::install_nnlabs(force = TRUE)"
  } else {
    "unset NNLABS_PYTHON and RETICULATE_PYTHON so that the package uses the Python it carries, or run nnlabs::install_nnlabs()"
  }
  sprintf(
    "the nnlabs Python package at %s (chosen by %s) must have the R package's version %s; got %s. To fix it, %s, then restart R",
    python, source, r_package_version(), version, fix
  )
}

# NULL when Python with nnlabs is ready, else a sentence saying what is wrong.
nnlabs_problem <- function() {
  condition <- python_condition_now()
  if (is.null(condition)) NULL else conditionMessage(condition)
}

no_python_message <- function(problem) {
  paste0(
    "nnlabs needs Python with the 'nnlabs' package: ", problem, ".\n",
    "  In the repository: run `make sync` (it writes .venv), then start R in the ",
    "repository folder, or set NNLABS_PYTHON=/path/to/.venv/bin/python in ~/.Renviron.\n",
    "  Elsewhere: with reticulate >= 1.41 nothing is needed (unset NNLABS_PYTHON and ",
    "RETICULATE_PYTHON); with an older reticulate run nnlabs::install_nnlabs() once.\n",
    "  Then restart R. nnlabs_doctor() shows what was found."
  )
}

# Start Python (once) or fail with an nnlabs_error saying what to do.
ensure_nnlabs <- function() {
  condition <- python_condition_now()
  if (is.null(condition)) {
    return(invisible(TRUE))
  }
  if (inherits(condition, "nnlabs_python_missing") || inherits(condition, "nnlabs_bundle_error")) {
    condition$message <- no_python_message(conditionMessage(condition))
  }
  stop(condition)
}

# A submodule of the Python package, e.g. py_module("labs.hitters").
py_module <- function(name = NULL) {
  ensure_nnlabs()
  if (is.null(name)) {
    # The first attribute access resolves the lazy import made in .onLoad.
    with_python_errors(py_nnlabs$`__name__`)
    return(py_nnlabs)
  }
  with_python_errors(reticulate::import(paste0("nnlabs.", name), convert = FALSE))
}

#' Is Python with the nnlabs package available?
#'
#' Finds and starts Python as the lab functions do (see [nnlabs_doctor()]) and
#' reports whether the `nnlabs` Python package of the same version as this R
#' package can be imported. It never raises an error, so it suits `if ()` guards
#' and vignette chunk options.
#'
#' @return `TRUE` or `FALSE`.
#' @export
#' @examples
#' nnlabs_available()
nnlabs_available <- function() {
  isTRUE(tryCatch(is.null(python_condition_now()), error = function(e) FALSE))
}
