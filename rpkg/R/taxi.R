# Lab 1c (notes section 11.11.5): NYC taxi fares with the Lasso, the notes' network and a
# network with zone embeddings.


#' The NYC taxi lab: metered fare
#'
#' Runs the notes' third regression lab: read a month of TLC trip records with the
#' notes' plausibility filters, sample `rows` trips, split 80 : 20, standardize the
#' seven predictors, fit the Lasso and the three-layer network (256, 128 and 64
#' units), and compare test MAE in dollars with the improvement over the Lasso
#' (Table 11.34). A third model, beyond the notes, learns a vector per pickup and
#' dropoff zone instead of treating zone ids as numbers.
#'
#' The trip file `<color>_tripdata_<month>.parquet` and `taxi_zone_lookup.csv` are
#' looked for in `data_dir` (default: the `NNLABS_DATA_DIR` environment variable)
#' and downloaded from TLC when missing and `download = TRUE`.
#'
#' @param data `NULL` (find or download the month's file), the path of a trip
#'   parquet file, or a data frame of already filtered trips.
#' @param rows trips sampled (the notes use 300,000).
#' @param color `"yellow"` or `"green"` taxis.
#' @param month the month, `"YYYY-MM"`.
#' @param months several months, e.g. `c("2023-01", "2023-02", "2023-03")`, each
#'   once: `rows` trips are sampled from each month's file, the network trains on the
#'   earlier months and is tested on the last one (a split by time); replaces `month`.
#' @param data_dir folder with the data files; `NULL` uses `NNLABS_DATA_DIR`.
#' @param download whether missing files may be downloaded.
#' @param epochs maximum training epochs.
#' @param repeats number of random splits; with more than one, [summary()] shows
#'   95\% intervals.
#' @param seed the split seed (the notes' `set.seed(42)`).
#'
#'   A setting left `NULL` takes the lab's default from the Python package;
#'   [lab_settings()] lists them all (`lab_settings("taxi")`).
#' @param notes `TRUE` runs the notes' protocol (standardizing with all rows).
#' @param cache,out_dir,n_jobs as in [hitters_lab()].
#' @param ... further settings of the Python `TaxiSettings`, e.g.
#'   `embedding_dim = 4`, `batch_size = 1024`, `memory_budget_mb = 512` (past it,
#'   several months' networks train from a stream of the files), or `zones` (a zone
#'   lookup data frame).
#' @return an object of class `nnlabs_taxi` / `nnlabs_result`.
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available() && nzchar(Sys.getenv("NNLABS_DATA_DIR"))) {
#'   fit <- taxi_lab(color = "green", rows = 20000, epochs = 5, download = FALSE)
#'   fit
#' }
#' }
taxi_lab <- function(data = NULL, rows = NULL, color = NULL, month = NULL, months = NULL,
                     data_dir = NULL, download = TRUE, epochs = NULL, repeats = NULL, seed = NULL, notes = FALSE,
                     cache = TRUE, out_dir = NULL, n_jobs = NULL, ...) {
  if (!is.null(month)) {
    month <- arg_string(month, "month")
    if (!grepl("^[0-9]{4}-[0-9]{2}$", month)) stop_arg("month", "a month as \"YYYY-MM\"", month)
  }
  checked <- check_lab_args(cache, out_dir, notes, n_jobs)
  settings <- list(
    rows = rows, color = color, month = month, months = months, epochs = epochs,
    repeats = repeats, seed = seed
  )
  inputs <- lab_inputs(checked)
  inputs$download <- arg_flag(download, "download")
  data_dir <- arg_path(data_dir, "data_dir")
  if (!is.null(data_dir)) inputs$data_dir <- data_dir
  if (is.character(data)) {
    inputs$data <- path.expand(arg_string(data, "data"))
  } else if (is.data.frame(data)) {
    inputs$data <- input_to_py(as.data.frame(data))
  } else if (!is.null(data)) {
    stop_arg("data", "NULL, a data frame or a file path", data)
  }
  dots <- list(...)
  if (is.data.frame(dots$zones)) {
    inputs$zones <- input_to_py(as.data.frame(dots$zones))
    dots$zones <- NULL
  }
  run_python_lab("taxi", settings, dots, inputs, fun = "taxi_lab", notes = checked$notes)
}
