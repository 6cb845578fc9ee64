# The Python module, imported lazily: Python starts on first use, not at library(nnlabs),
# so loading the package is instant and never fails for want of Python.
py_nnlabs <- NULL

# Session state: whether Python has been checked, and which rule chose it.
.state <- new.env(parent = emptyenv())

.onLoad <- function(libname, pkgname) {
  .state$ready <- FALSE
  .state$python <- NULL
  .state$source <- NULL
  .state$saved_env <- NULL
  .state$declared <- FALSE
  .state$declare_problem <- NULL
  # reticulate >= 1.41: declare what an environment made by reticulate must hold (the
  # bundled wheel and the pinned requirements), as keras3 does. Used only when no
  # earlier rule (NNLABS_PYTHON, RETICULATE_PYTHON, the repository's .venv, the
  # install_nnlabs() environment) chooses a Python; see select_python().
  declare_python_requirements()
  py_nnlabs <<- reticulate::import(
    "nnlabs",
    convert = FALSE,
    delay_load = list(
      # Reached only when the module is touched before ensure_nnlabs() ran (e.g. by
      # another package): choose the interpreter the same way first.
      before_load = function() select_python(),
      on_load = function() restore_python_env(),
      on_error = function(e) {
        restore_python_env()
        stop(no_python_message(conditionMessage(e)), call. = FALSE)
      }
    )
  )
}
