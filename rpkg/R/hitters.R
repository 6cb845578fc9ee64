# Lab 1 (notes section 11.11.3): baseball salaries with linear regression, the Lasso and a
# two-layer network.

HITTERS_RESPONSE <- "Salary"

#' Load the Hitters data
#'
#' The Hitters data (Major League Baseball, 1986-87) that the Python package ships,
#' as a data frame: League, Division and NewLeague are factors, Salary is in
#' thousands of dollars. By default the 59 players without a Salary are dropped,
#' as the notes' `na.omit(Hitters)`, leaving 263 rows.
#'
#' @param drop_missing drop the players without a Salary.
#' @return a data frame with 263 rows (322 with `drop_missing = FALSE`) and 20
#'   columns.
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   hitters <- load_hitters()
#'   dim(hitters)
#' }
#' }
load_hitters <- function(drop_missing = TRUE) {
  drop_missing <- arg_flag(drop_missing, "drop_missing")
  data <- py_module("data.hitters")
  py_frame_to_r(with_python_errors(data$load(drop_missing = drop_missing)))
}

#' The Hitters lab: linear regression, Lasso and a neural network
#'
#' Runs the notes' first lab: split the 263 players 2/3 : 1/3, fit linear
#' regression and the Lasso (lambda by 10-fold cross-validation on MAE) and the
#' two-layer network (64 and 32 ReLU units, batch normalization and dropout) with
#' early stopping, and compare test-set mean absolute error (Table 11.32).
#'
#' With `split = "r"` the split is drawn in R exactly as the notes do
#' (`set.seed(seed)`, `ntest <- trunc(n / 3)`, `testid <- sample(seq_len(n), ntest)`)
#' and passed to Python, so linear regression gives the notes' MAE of 254.7. The
#' Lasso's 10 cross-validation folds are drawn in R too, as `cv.glmnet` draws them
#' after the notes' `set.seed(123)` (`lasso_seed`): `sample(rep(seq(10), length =
#' 176))`; with them the Python Lasso, which follows glmnet's algorithm, gives the
#' notes' 253.1. Like the notes, this calls `set.seed()`. With `split = "python"`
#' (default) the Python core draws the split and the folds from `seed` and
#' `lasso_seed` with NumPy, as the command line does.
#'
#' @param data a Hitters-shaped data frame (the 19 predictors and `Salary`); by
#'   default [load_hitters()]. Rows without Salary are dropped.
#' @param split where the train/test split is drawn: `"python"` or `"r"`.
#' @param validation `"split"` early-stops on a validation part of the training
#'   rows; `"test"` early-stops on the test rows as the notes do, which biases the
#'   reported test MAE downwards.
#' @param scaling `"train"` standardizes with the training rows' means and
#'   standard deviations; `"all"` with all rows, as the notes' `scale()`.
#' @param epochs maximum training epochs (early stopping usually ends sooner).
#' @param repeats number of random splits; with more than one, [summary()] shows
#'   95\% intervals from the repeats. Must be 1 with `split = "r"`.
#' @param seed the split seed (the notes' `set.seed(13)`); repeat r uses `seed + r`.
#'
#'   A setting left `NULL` takes the lab's default from the Python package;
#'   [lab_settings()] lists them all (`lab_settings("hitters")`).
#' @param notes `TRUE` runs the notes' own protocol (early stopping on the test
#'   rows, `scale()` of all rows, raw salaries as the target); it overrides
#'   `validation` and `scaling`.
#' @param cache `TRUE` reuses trained networks from the Python cache folder,
#'   `FALSE` always trains, or a folder path.
#' @param out_dir if given, the history plot, the Keras model and a JSON file of
#'   the results are written there.
#' @param n_jobs repeats run at once, as scikit-learn's `n_jobs` (`-1`: every core);
#'   `NULL` (default) runs them one after another. Each repeat seeds itself, so the
#'   result is the same either way.
#' @param ... further settings of the Python `HittersSettings`, e.g.
#'   `patience = 10`, `units = c(32, 16)`, `dropout = c(0.2, 0.1)`,
#'   `learning_rate = 5e-4`, `batch_size = 16`, `lasso_seed = 1`,
#'   `lasso_folds = 5`; or `lasso_fold_ids` (one fold label per training row,
#'   with `split = "r"`) to give the Lasso's folds yourself.
#' @return an object of class `nnlabs_hitters` / `nnlabs_result`; see
#'   [print.nnlabs_result()]. With `split = "r"` its `test_id` holds the notes'
#'   `testid` and `lasso_fold_id` the Lasso's folds (one per training row, in
#'   row order).
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- hitters_lab(split = "r", epochs = 20)
#'   fit
#'   plot(fit)
#' }
#' }
hitters_lab <- function(data = NULL, split = c("python", "r"), validation = NULL, scaling = NULL,
                        epochs = NULL, repeats = NULL, seed = NULL, notes = FALSE, cache = TRUE,
                        out_dir = NULL, n_jobs = NULL, ...) {
  split <- arg_choice(split, c("python", "r"), "split")
  checked <- check_lab_args(cache, out_dir, notes, n_jobs)
  data <- arg_frame(data, "data", HITTERS_RESPONSE)
  dots <- list(...)
  settings <- list(validation = validation, scaling = scaling, epochs = epochs, repeats = repeats, seed = seed)
  inputs <- lab_inputs(checked)
  test_id <- NULL
  if (split == "r") {
    if (r_setting("hitters", "repeats", repeats) != 1L) {
      stop_arg("repeats", "1 when split = \"r\" (one split, drawn in R)", repeats)
    }
    if (is.null(data)) data <- load_hitters()
    n <- sum(!is.na(data[[HITTERS_RESPONSE]]))
    fraction <- r_setting("hitters", "test_fraction", dots$test_fraction)
    drawn <- r_split(n, fraction, r_setting("hitters", "seed", seed))
    inputs$train_index <- py_index(drawn$train)
    inputs$test_index <- py_index(drawn$test)
    test_id <- drawn$test
    # The notes' set.seed(123) before cv.glmnet(), which then draws the folds.
    if (is.null(dots$lasso_fold_ids)) {
      fold_id <- r_fold_ids(
        length(drawn$train),
        nfolds = r_setting("hitters", "lasso_folds", dots$lasso_folds),
        seed = r_setting("hitters", "lasso_seed", dots$lasso_seed)
      )
      inputs$lasso_fold_ids <- reticulate::r_to_py(as.list(fold_id))
    }
  }
  if (!is.null(data)) inputs$data <- input_to_py(data)
  fit <- run_python_lab("hitters", settings, dots, inputs,
    fun = "hitters_lab", notes = checked$notes,
    split = split, test_id = test_id
  )
  if (split == "r") fit$lasso_fold_id <- dots$lasso_fold_ids %||% fold_id
  fit
}
