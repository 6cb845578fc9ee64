# The generic path every lab takes: check the lab exists in Python, convert the settings
# by the lab's Settings dataclass, call run(), and wrap the LabResult.

# The Settings dataclass of each lab, in nnlabs.labs.<lab>.
LAB_SETTINGS <- c(
  hitters = "HittersSettings",
  movies = "MoviesSettings",
  nyc311 = "NYC311Settings",
  taxi = "TaxiSettings"
)

# TRUE when the Python package registers lab `name` and its module imports.
py_has_lab <- function(name) {
  if (!nnlabs_available()) {
    return(FALSE)
  }
  labs <- tryCatch(reticulate::py_to_r(py_module()$labs$LABS), error = function(e) list())
  name %in% names(labs) && reticulate::py_module_available(paste0("nnlabs.labs.", name))
}

lab_module <- function(lab) {
  ensure_nnlabs()
  if (!py_has_lab(lab)) {
    stop(
      nnlabs_condition(
        sprintf(
          "the Python package at %s has no lab '%s'; update it (make sync, or install_nnlabs())",
          reticulate::py_config()$python, lab
        ),
        "nnlabs_python_missing"
      )
    )
  }
  py_module(paste0("labs.", lab))
}

# Keyword arguments for run(): `settings` (checked by the R wrapper) and `dots` (the
# user's further settings) are converted by their Settings annotations; names that are
# neither a setting nor a run() parameter are an R error.
lab_kwargs <- function(lab, module, settings, dots, fun) {
  if (length(dots) > 0L && (is.null(names(dots)) || any(!nzchar(names(dots))))) {
    stop(sprintf("%s(): every argument in ... must be named (a setting of the lab)", fun), call. = FALSE)
  }
  settings_class <- module[[LAB_SETTINGS[[lab]]]]
  types <- settings_fields(settings_class)
  inspect <- reticulate::import("inspect", convert = FALSE)
  parameters <- reticulate::py_to_r(py_builtins()$list(inspect$signature(module$run)$parameters))
  parameters <- setdiff(parameters, c("settings", "overrides"))
  clash <- intersect(names(dots), names(settings))
  if (length(clash) > 0L) {
    stop(sprintf("%s(): %s given twice", fun, quote_all(clash)), call. = FALSE)
  }
  unknown <- setdiff(names(dots), c(names(types), parameters))
  if (length(unknown) > 0L) {
    stop(
      sprintf(
        "%s(): unknown setting(s) %s; the lab's settings are %s",
        fun, quote_all(unknown), paste(names(types), collapse = ", ")
      ),
      call. = FALSE
    )
  }
  values <- c(settings, dots)
  out <- lapply(names(values), function(name) {
    value <- values[[name]]
    if (name %in% names(types)) setting_to_py(value, types[[name]], name) else reticulate::r_to_py(value)
  })
  names(out) <- names(values)
  out
}

# The notes' own protocol of a lab (e.g. early stopping on the test rows), as R values.
notes_protocol <- function(module) {
  if (!reticulate::py_has_attr(module, "NOTES_PROTOCOL")) {
    return(list())
  }
  py_value_to_r(module$NOTES_PROTOCOL)
}

# Run lab `lab` in Python and return its R result.
run_python_lab <- function(lab, settings, dots, inputs = list(), fun, notes = FALSE,
                           split = "python", test_id = NULL) {
  module <- lab_module(lab)
  if (isTRUE(notes)) {
    protocol <- notes_protocol(module)
    settings[names(protocol)] <- protocol
  }
  kwargs <- c(lab_kwargs(lab, module, settings, dots, fun), inputs)
  py <- with_python_errors(do.call(module$run, kwargs))
  new_lab_result(py, split = split, test_id = test_id)
}

# The notes' split, drawn with R's generator: set.seed(seed), ntest = trunc(n * fraction),
# testid = sample(seq_len(n), ntest); training rows are the others, in order.
# Like the notes, it calls set.seed(), so R's random stream afterwards is the notes' too.
r_split <- function(n, test_fraction, seed) {
  set.seed(seed)
  # n * fraction can land a hair below a whole number (263 * (1/3) is fine, 9 * (1/3) is
  # not guaranteed); the tolerance keeps trunc(n / 3) and trunc(n * (1/3)) equal.
  ntest <- trunc(n * test_fraction + sqrt(.Machine$double.eps))
  if (ntest < 1L || ntest >= n) {
    stop(sprintf("test_fraction leaves no training or no test rows for %d rows; got %s", n, format(test_fraction)),
      call. = FALSE
    )
  }
  test <- sample(seq_len(n), ntest)
  list(test = test, train = setdiff(seq_len(n), test))
}

# The Lasso's cross-validation folds as cv.glmnet draws them (glmnet 4.1:
# foldid <- sample(rep(seq(nfolds), length = N))) after set.seed(seed) and, where the notes
# draw something else from the same seed first (the movie lab's split), after `replay()`.
# Like the notes, it calls set.seed().
r_fold_ids <- function(n, nfolds, seed, replay = NULL) {
  nfolds <- arg_int(nfolds, "lasso_folds", 3L)
  seed <- arg_int(seed, "lasso_seed", 0L)
  if (n < nfolds) {
    stop(sprintf("lasso_folds must be at most the %d training rows; got %d", n, nfolds), call. = FALSE)
  }
  set.seed(seed)
  if (!is.null(replay)) replay()
  sample(rep(seq_len(nfolds), length.out = n))
}

# The default of setting `name` in the lab's Settings dataclass.
setting_default <- function(lab, name) {
  module <- lab_module(lab)
  settings <- module[[LAB_SETTINGS[[lab]]]]()
  py_value_to_r(reticulate::py_get_attr(settings, name))
}

# Common argument checks of the lab wrappers.
check_lab_args <- function(epochs, repeats, seed, cache, out_dir, notes) {
  list(
    epochs = arg_int(epochs, "epochs", 1L),
    repeats = arg_int(repeats, "repeats", 1L),
    seed = arg_int(seed, "seed", 0L),
    cache = arg_cache(cache),
    out_dir = arg_path(out_dir, "out_dir"),
    notes = arg_flag(notes, "notes")
  )
}

lab_inputs <- function(checked) {
  inputs <- list(cache = checked$cache)
  if (!is.null(checked$out_dir)) inputs$out_dir <- checked$out_dir
  inputs
}
