# Finding Python. Order: NNLABS_PYTHON, RETICULATE_PYTHON, the repository's .venv (written
# by `make`), the "r-nnlabs" virtualenv made by install_nnlabs(), then on reticulate >=
# 1.41 py_require() of the Python package; otherwise reticulate's own search.

VENV_NAME <- "r-nnlabs"
PYPI_NAME <- "nnlabs"

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
  if (!nzchar(value)) {
    return(NULL)
  }
  if (!file.exists(value)) {
    stop(sprintf("%s points to %s, which does not exist", var, value), call. = FALSE)
  }
  list(python = absolute_python(value), source = var)
}

# The interpreter to use, as list(python, source), or NULL when no rule matched.
find_python <- function(start = getwd()) {
  for (var in c("NNLABS_PYTHON", "RETICULATE_PYTHON")) {
    found <- from_env_var(var)
    if (!is.null(found)) {
      return(found)
    }
  }
  repo <- find_repo_venv(start)
  if (!is.null(repo)) {
    return(list(python = absolute_python(repo$python), source = sprintf("the .venv of %s", repo$root)))
  }
  if (reticulate::virtualenv_exists(VENV_NAME)) {
    return(list(
      python = reticulate::virtualenv_python(VENV_NAME),
      source = sprintf("the '%s' virtualenv (install_nnlabs())", VENV_NAME)
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

# Point reticulate at the chosen interpreter before Python starts. RETICULATE_PYTHON is
# set only until Python has started: it is the one setting reticulate reads before its
# own project detection (which in a repository with a pyproject.toml looks for Poetry).
select_python <- function() {
  if (python_initialized()) {
    return(invisible(FALSE))
  }
  found <- find_python()
  if (!is.null(found)) {
    .state$python <- found$python
    .state$source <- found$source
    .state$saved_env <- Sys.getenv("RETICULATE_PYTHON", unset = NA)
    Sys.setenv(RETICULATE_PYTHON = found$python)
  } else if (has_py_require()) {
    # Not in reticulate 1.28 (Debian's); looked up at run time so that R CMD check on
    # an older reticulate sees no reference to a missing function.
    py_require <- getExportedValue("reticulate", "py_require")
    py_require(PYPI_NAME)
    .state$source <- "reticulate::py_require()"
  } else {
    .state$source <- "reticulate's own search"
  }
  invisible(TRUE)
}

restore_python_env <- function() {
  if (!exists("saved_env", envir = .state, inherits = FALSE)) {
    return(invisible())
  }
  saved <- .state$saved_env
  rm("saved_env", envir = .state)
  if (is.na(saved)) Sys.unsetenv("RETICULATE_PYTHON") else Sys.setenv(RETICULATE_PYTHON = saved)
  invisible()
}

# NULL when Python with nnlabs is ready, else a sentence saying what is wrong.
nnlabs_problem <- function() {
  if (isTRUE(.state$ready)) {
    return(NULL)
  }
  chosen <- tryCatch(select_python(), error = function(e) conditionMessage(e))
  if (is.character(chosen)) {
    return(chosen)
  }
  # reticulate warns once per failed attempt; the problem is reported below instead.
  started <- tryCatch(
    suppressWarnings(reticulate::py_available(initialize = TRUE)),
    error = function(e) conditionMessage(e),
    finally = restore_python_env()
  )
  chosen_python <- if (is.null(.state$python)) {
    "Python"
  } else {
    sprintf("the Python at %s (chosen by %s)", .state$python, .state$source)
  }
  if (is.character(started)) {
    return(sprintf("%s did not start: %s", chosen_python, started))
  }
  if (!isTRUE(started)) {
    return(if (is.null(.state$python)) "no Python interpreter was found" else sprintf("%s did not start", chosen_python))
  }
  if (!reticulate::py_module_available("nnlabs")) {
    return(sprintf(
      "the Python at %s has no 'nnlabs' package; after fixing it, restart R",
      reticulate::py_config()$python
    ))
  }
  .state$ready <- TRUE
  NULL
}

no_python_message <- function(problem) {
  paste0(
    "nnlabs needs Python with the 'nnlabs' package: ", problem, ".\n",
    "  In the repository: run `make sync` (it writes .venv), then start R in the ",
    "repository folder, or set NNLABS_PYTHON=/path/to/.venv/bin/python in ~/.Renviron.\n",
    "  Elsewhere: run nnlabs::install_nnlabs() once, then restart R.\n",
    "  nnlabs_python_config() shows what was found."
  )
}

# Start Python (once) or fail with the friendly error.
ensure_nnlabs <- function() {
  problem <- nnlabs_problem()
  if (!is.null(problem)) {
    stop(nnlabs_condition(no_python_message(problem), "nnlabs_python_missing"))
  }
  invisible(TRUE)
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
#' Finds and starts Python as the lab functions do (see [nnlabs_python_config()])
#' and reports whether the `nnlabs` Python package can be imported. It never
#' raises an error, so it suits `if ()` guards and vignette chunk options.
#'
#' @return `TRUE` or `FALSE`.
#' @export
#' @examples
#' nnlabs_available()
nnlabs_available <- function() {
  isTRUE(tryCatch(is.null(nnlabs_problem()), error = function(e) FALSE))
}

#' The Python set-up nnlabs uses
#'
#' Finds Python in this order: the `NNLABS_PYTHON` environment variable,
#' `RETICULATE_PYTHON`, the repository's `.venv` (looked for in the working
#' directory and its parents, next to a `pyproject.toml` naming nnlabs), the
#' `r-nnlabs` virtualenv made by [install_nnlabs()], and on reticulate >= 1.41
#' `reticulate::py_require("nnlabs")`. It then reports the interpreter, the
#' versions of nnlabs, Keras and TensorFlow, the Keras backend and the devices
#' it sees (the Python side's `nnlabs doctor`).
#'
#' Python can start only once per R session: after changing the set-up, restart R.
#'
#' @return an object of class `nnlabs_python_config`: a list with `available`,
#'   `python`, `source` (which rule chose it), `problem` (why it is unavailable, or
#'   `NULL`) and `facts` (a named character vector: nnlabs, python, keras,
#'   tensorflow, backend, devices, ...).
#' @export
#' @examples
#' \donttest{
#' nnlabs_python_config()
#' }
nnlabs_python_config <- function() {
  problem <- nnlabs_problem()
  python <- if (python_initialized()) reticulate::py_config()$python else .state$python
  facts <- NULL
  if (is.null(problem)) {
    doctor <- py_module("doctor")
    facts <- unlist(py_value_to_r(with_python_errors(doctor$report())))
  }
  structure(
    list(
      available = is.null(problem),
      python = python %||% NA_character_,
      source = .state$source %||% "reticulate's own search",
      problem = problem,
      facts = facts
    ),
    class = "nnlabs_python_config"
  )
}

#' @export
print.nnlabs_python_config <- function(x, ...) {
  cat("nnlabs Python set-up\n")
  cat(sprintf("  %-11s %s\n", "python:", x$python))
  cat(sprintf("  %-11s %s\n", "chosen by:", x$source))
  if (!x$available) {
    cat(sprintf("  %-11s %s\n", "problem:", x$problem))
    cat("\n", no_python_message(x$problem), "\n", sep = "")
    return(invisible(x))
  }
  shown <- c("nnlabs", "keras", "tensorflow", "backend", "devices", "numpy", "platform")
  shown <- c(intersect(shown, names(x$facts)), setdiff(names(x$facts), c(shown, "python")))
  for (name in shown) cat(sprintf("  %-11s %s\n", paste0(name, ":"), x$facts[[name]]))
  invisible(x)
}

#' Install the nnlabs Python package for R users
#'
#' For an R user outside the repository: creates a Python virtualenv (by default
#' `r-nnlabs`, which nnlabs then finds by itself) with
#' [reticulate::virtualenv_create()] and installs the Python package into it with
#' [reticulate::py_install()]. Inside the repository, run `make sync` instead.
#'
#' @param package what pip installs: a path to the repository (the folder with
#'   `pyproject.toml`), a wheel, or a requirement such as `"nnlabs"`. `NULL`
#'   (default) uses the repository above the working directory when there is one,
#'   else `"nnlabs"`.
#' @param envname name (or path) of the virtualenv.
#' @param python the Python interpreter that creates the virtualenv (>= 3.10);
#'   `NULL` lets reticulate choose.
#' @param extras pip extras, e.g. `"cuda"` (NVIDIA GPUs) or `"jax"`.
#' @return the virtualenv's interpreter path, invisibly.
#' @export
#' @examples
#' \dontrun{
#' install_nnlabs()                              # from the repository or PyPI
#' install_nnlabs("~/src/nnlabs", extras = "cuda")
#' }
install_nnlabs <- function(package = NULL, envname = VENV_NAME, python = NULL, extras = character()) {
  envname <- arg_string(envname, "envname")
  if (!is.null(python)) python <- arg_string(python, "python")
  if (!is.character(extras) || anyNA(extras)) stop_arg("extras", "a character vector", extras)
  if (is.null(package)) {
    repo <- find_repo_venv()
    package <- if (is.null(repo)) PYPI_NAME else repo$root
  }
  package <- arg_string(package, "package")
  if (dir.exists(path.expand(package))) {
    if (!file.exists(file.path(path.expand(package), "pyproject.toml"))) {
      stop(sprintf("package: %s is a folder without a pyproject.toml", package), call. = FALSE)
    }
    package <- normalizePath(package, winslash = "/")
  }
  requirement <- if (length(extras)) {
    sprintf("%s[%s]", package, paste(extras, collapse = ","))
  } else {
    package
  }
  reticulate::virtualenv_create(envname, python = python)
  reticulate::py_install(requirement, envname = envname, method = "virtualenv", pip = TRUE)
  installed <- reticulate::virtualenv_python(envname)
  message(sprintf("Installed %s into %s.", requirement, installed))
  if (python_initialized()) {
    message("Python has already started in this R session: restart R to use it.")
  } else if (envname != VENV_NAME) {
    message(sprintf("Point nnlabs at it with NNLABS_PYTHON=%s in ~/.Renviron.", installed))
  }
  invisible(installed)
}
