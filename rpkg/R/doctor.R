is_positron <- function() {
  exists(".ps.ark.version", envir = globalenv()) || nzchar(Sys.getenv("POSITRON_VERSION")) ||
    identical(Sys.getenv("POSITRON"), "1")
}

#' Which Python nnlabs uses, why, and whether the set-up is sound
#'
#' Finds and starts Python as the lab functions do, in this order: the
#' `NNLABS_PYTHON` environment variable (an interpreter path); `RETICULATE_PYTHON`;
#' the repository's `.venv` (when the working directory is inside the repository);
#' the environment made by [install_nnlabs()] for this version of the package; and
#' on reticulate >= 1.41 an environment that reticulate makes with uv from the
#' `nnlabs` wheel and the pinned requirements this package carries
#' (`reticulate::py_require()`). It then reports the interpreter and the rule that
#' chose it, the versions of nnlabs, Keras and TensorFlow, the Keras backend and the
#' devices it sees (the Python side's `nnlabs doctor`), and warnings on set-ups
#' known to fail (a conda environment under Positron, a `tensorflow-metal` built for
#' another TensorFlow, a GPU requested on native Windows), each with what to do.
#'
#' Python can start only once per R session: after changing the set-up, restart R.
#' TensorFlow's own start-up messages are hidden; set `NNLABS_VERBOSE=1` before
#' Python starts to see them.
#'
#' @return an object of class `nnlabs_python_config`: a list with `available`,
#'   `python`, `source` (which rule chose it), `problem` (why it is unavailable, or
#'   `NULL`), `facts` (a named character vector: nnlabs, python, chosen by,
#'   environment, keras, tensorflow, backend, devices, ...) and `warnings`.
#' @export
#' @examples
#' \donttest{
#' nnlabs_doctor()
#' }
nnlabs_doctor <- function() {
  condition <- python_condition_now()
  python <- if (python_initialized()) reticulate::py_config()$python else .state$python
  facts <- NULL
  if (is.null(condition)) {
    doctor <- py_module("doctor")
    report <- with_python_errors(doctor$report(chosen_by = .state$source, positron = is_positron()))
    facts <- unlist(py_value_to_r(report))
  }
  warned <- startsWith(names(facts) %||% character(), "warning")
  structure(
    list(
      available = is.null(condition),
      python = python %||% NA_character_,
      source = .state$source %||% "reticulate's own search",
      problem = if (is.null(condition)) NULL else conditionMessage(condition),
      facts = facts[!warned],
      warnings = unname(facts[warned])
    ),
    class = "nnlabs_python_config"
  )
}

#' @rdname nnlabs_doctor
#' @export
nnlabs_python_config <- nnlabs_doctor

#' @export
print.nnlabs_python_config <- function(x, ...) {
  cat("nnlabs Python set-up\n")
  cat(sprintf("  %-12s %s\n", "python:", x$python))
  cat(sprintf("  %-12s %s\n", "chosen by:", x$source))
  if (!x$available) {
    cat(sprintf("  %-12s %s\n", "problem:", x$problem))
    cat("\n", no_python_message(x$problem), "\n", sep = "")
    return(invisible(x))
  }
  shown <- c("environment", "nnlabs", "keras", "tensorflow", "backend", "devices", "numpy", "platform")
  shown <- c(intersect(shown, names(x$facts)), setdiff(names(x$facts), c(shown, "python", "chosen by")))
  for (name in shown) cat(sprintf("  %-12s %s\n", paste0(name, ":"), x$facts[[name]]))
  if (length(x$warnings) > 0L) {
    cat("\nWarnings:\n")
    for (text in x$warnings) cat(strwrap(text, width = 88, initial = "  - ", prefix = "    "), sep = "\n")
  }
  invisible(x)
}
