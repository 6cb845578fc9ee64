# The generic path every lab takes: read the lab's description from the Python registry
# (its settings with their kinds, defaults and bounds; its inputs; the notes' protocol),
# convert the arguments given (an argument left NULL takes the lab's Python default),
# call nnlabs.labs.run(), and wrap the LabResult.

# TRUE when the Python package registers lab `name` and its module imports.
py_has_lab <- function(name) {
  if (!nnlabs_available()) {
    return(FALSE)
  }
  labs <- tryCatch(reticulate::py_to_r(py_module("labs")$names()), error = function(e) character())
  name %in% unlist(labs) && !is.null(tryCatch(lab_description(name), error = function(e) NULL))
}

# The Python description of lab `lab` (nnlabs.labs.describe) as an R list; `settings`
# is named by setting. Read once per session.
lab_description <- function(lab) {
  key <- paste0("lab_", lab)
  if (is.null(.state[[key]])) {
    ensure_nnlabs()
    labs <- py_module("labs")
    known <- unlist(reticulate::py_to_r(labs$names()))
    if (!lab %in% known) {
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
    described <- py_value_to_r(with_python_errors(labs$describe(lab)))
    names(described$settings) <- vapply(described$settings, `[[`, character(1), "name")
    .state[[key]] <- described
  }
  .state[[key]]
}

#' The settings of a lab
#'
#' Every setting a lab accepts (as a named argument of its R function, or in `...`),
#' with its kind, the rule it must follow and its default. The defaults are the Python
#' package's: an argument left `NULL` in a lab function takes this default.
#'
#' @param lab a lab name: `"hitters"`, `"movies"`, `"nyc311"` or `"taxi"`.
#' @return a data frame with columns `name`, `kind`, `rule` and `default` (as text).
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) lab_settings("hitters")
#' }
lab_settings <- function(lab) {
  lab <- arg_string(lab, "lab")
  fields <- lab_description(lab)$settings
  show <- function(value) if (is.null(value)) "NULL" else paste(format(unlist(value)), collapse = ", ")
  data.frame(
    name = names(fields),
    kind = vapply(fields, `[[`, character(1), "kind"),
    rule = vapply(fields, `[[`, character(1), "rule"),
    default = vapply(fields, function(f) show(f$default), character(1)),
    row.names = NULL,
    stringsAsFactors = FALSE
  )
}

# The default of setting `name` of lab `lab`, as an R value.
setting_default <- function(lab, name) {
  lab_description(lab)$settings[[name]]$default
}

# Keyword arguments for run(): settings converted by their kind (see SETTING_CONVERTERS),
# inputs passed as they are. Names that are neither a setting nor an input of the lab
# are an R error.
lab_kwargs <- function(lab, values, inputs, fun) {
  described <- lab_description(lab)
  fields <- described$settings
  if (!is.null(values$lasso_fold_ids)) {
    # A run() argument of every lab, not a setting: one fold label per training row.
    inputs$lasso_fold_ids <- reticulate::r_to_py(as.list(whole_numbers(values$lasso_fold_ids, "lasso_fold_ids")))
    values$lasso_fold_ids <- NULL
  }
  given_inputs <- values[intersect(names(values), unlist(described$inputs))]
  values <- values[setdiff(names(values), names(given_inputs))]
  for (name in names(given_inputs)) {
    value <- given_inputs[[name]]
    inputs[[name]] <- reticulate::r_to_py(if (is.data.frame(value)) as.data.frame(value) else value)
  }
  unknown <- setdiff(names(values), names(fields))
  if (length(unknown) > 0L) {
    stop(
      sprintf(
        "%s(): unknown setting(s) %s; the lab's settings are %s",
        fun, quote_all(unknown), paste(names(fields), collapse = ", ")
      ),
      call. = FALSE
    )
  }
  out <- lapply(names(values), function(name) setting_to_py(values[[name]], fields[[name]]))
  names(out) <- names(values)
  c(out, inputs)
}

# Run lab `lab` in Python and return its R result. `settings` are the lab function's
# named settings (NULL: the lab's default), `dots` the user's further settings.
run_python_lab <- function(lab, settings, dots, inputs = list(), fun, notes = FALSE,
                           split = "python", test_id = NULL) {
  if (length(dots) > 0L && (is.null(names(dots)) || any(!nzchar(names(dots))))) {
    stop(sprintf("%s(): every argument in ... must be named (a setting of the lab)", fun), call. = FALSE)
  }
  settings <- Filter(Negate(is.null), settings)
  clash <- intersect(names(dots), names(settings))
  if (length(clash) > 0L) {
    stop(sprintf("%s(): %s given twice", fun, quote_all(clash)), call. = FALSE)
  }
  values <- c(settings, dots)
  if (isTRUE(notes)) {
    protocol <- lab_description(lab)$notes_protocol
    values[names(protocol)] <- protocol
  }
  kwargs <- lab_kwargs(lab, values, inputs, fun)
  labs <- py_module("labs")
  py <- with_python_errors(do.call(labs$run, c(list(lab), kwargs)))
  new_lab_result(py, split = split, test_id = test_id)
}

#' Run any registered lab
#'
#' Runs a lab of the Python registry by name, with its settings as named arguments
#' (see [lab_settings()]); a lab added on the Python side (`nnlabs.labs.register()`)
#' is available here without R code of its own. [hitters_lab()], [movie_lab()],
#' [nyc311_lab()] and [taxi_lab()] add the notes' R-side options (an R split, R data).
#'
#' @param lab a registered lab's name, e.g. `"hitters"`.
#' @param ... the lab's settings (`epochs = 20`) and inputs (`data = frame`).
#' @param notes `TRUE` runs the notes' own protocol of that lab.
#' @param cache,out_dir,n_jobs as in [hitters_lab()].
#' @return an object of class `nnlabs_<lab>` / `nnlabs_result`.
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) run_lab("hitters", epochs = 5)
#' }
run_lab <- function(lab, ..., notes = FALSE, cache = TRUE, out_dir = NULL, n_jobs = NULL) {
  lab <- arg_string(lab, "lab")
  checked <- check_lab_args(cache, out_dir, notes, n_jobs)
  run_python_lab(lab, list(), list(...), lab_inputs(checked), fun = "run_lab", notes = checked$notes)
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

# Setting `name` of lab `lab` as given in R (checked by its kind and bounds), or the
# lab's default when NULL: what the split = "r" path needs before Python runs.
r_setting <- function(lab, name, value) {
  field <- lab_description(lab)$settings[[name]]
  if (is.null(value)) field$default else check_setting(value, field)
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

# The R-side arguments every lab function has.
check_lab_args <- function(cache, out_dir, notes, n_jobs = NULL) {
  if (!is.null(n_jobs)) {
    n_jobs <- arg_int(n_jobs, "n_jobs")
    if (n_jobs == 0L) stop_arg("n_jobs", "a nonzero whole number (-1: every core)", n_jobs)
  }
  list(
    cache = arg_cache(cache),
    out_dir = arg_path(out_dir, "out_dir"),
    notes = arg_flag(notes, "notes"),
    n_jobs = n_jobs
  )
}

lab_inputs <- function(checked) {
  inputs <- list(cache = checked$cache)
  if (!is.null(checked$out_dir)) inputs$out_dir <- checked$out_dir
  if (!is.null(checked$n_jobs)) inputs$n_jobs <- checked$n_jobs
  inputs
}
