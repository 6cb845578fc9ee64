# Lab 1b (notes section 11.11.4): NYC 311 resolution times with linear regression, the Lasso
# and a three-layer network.

#' The NYC 311 lab: resolution time of service requests
#'
#' Runs the notes' second regression lab: engineer the features of closed 311
#' requests (log response hours; hour, weekday and month of creation; complaint
#' type, agency and channel lumped to their most frequent levels), split 80 : 20,
#' fit linear regression, the Lasso and the three-layer network (128, 64 and 32
#' units), and compare test MAE in log-hours (Table 11.33). `summary()` adds the
#' nested R-squared table that explains why the Lasso wins, and the notes' linear
#' regression figure reproduced with its `predict()` artefact.
#'
#' Without `data` the requests are simulated by the Python package (the real
#' export is not reachable offline).
#'
#' @param data `NULL` (simulate), a data frame with the 311 export's columns, or
#'   the path(s) of parquet files of the export.
#' @param rows use a random sample of this many usable requests (quicker runs);
#'   `NULL` uses all, as the notes.
#' @param epochs training epochs.
#' @param repeats number of random splits; with more than one, [summary()] shows
#'   95\% intervals.
#' @param seed the split seed (the notes' `set.seed(42)`).
#'
#'   A setting left `NULL` takes the lab's default from the Python package;
#'   [lab_settings()] lists them all (`lab_settings("nyc311")`).
#' @param notes `TRUE` runs the notes' protocol (range scaling with all rows).
#' @param cache,out_dir,n_jobs as in [hitters_lab()].
#' @param ... further settings of the Python `NYC311Settings`, e.g.
#'   `simulated_rows = 20000`, `batch_size = 512`, `top_complaints = 10`.
#' @return an object of class `nnlabs_nyc311` / `nnlabs_result`.
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- nyc311_lab(epochs = 5, simulated_rows = 20000)
#'   fit
#'   summary(fit)$tables$nested_r2
#' }
#' }
nyc311_lab <- function(data = NULL, rows = NULL, epochs = NULL, repeats = NULL, seed = NULL,
                       notes = FALSE, cache = TRUE, out_dir = NULL, n_jobs = NULL, ...) {
  checked <- check_lab_args(cache, out_dir, notes, n_jobs)
  settings <- list(rows = rows, epochs = epochs, repeats = repeats, seed = seed)
  inputs <- lab_inputs(checked)
  if (is.character(data)) {
    if (anyNA(data) || length(data) == 0L) stop_arg("data", "NULL, a data frame or file path(s)", data)
    inputs$data <- input_to_py(as.list(path.expand(data)))
  } else if (is.data.frame(data)) {
    inputs$data <- input_to_py(as.data.frame(data))
  } else if (!is.null(data)) {
    stop_arg("data", "NULL, a data frame or file path(s)", data)
  }
  run_python_lab("nyc311", settings, list(...), inputs, fun = "nyc311_lab", notes = checked$notes)
}
