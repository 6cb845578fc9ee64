# The self-contained HTML report of a lab result (Python's nnlabs.presentation.report).

#' A self-contained HTML report of a lab result
#'
#' Writes one HTML page with the comparison table (the notes' figures beside the run's),
#' the verdict of the notes' 5\% rule, the figures (intervals, training history,
#' predictions or ROC, calibration and confusion, the Lasso's cross-validation curve,
#' permutation importance, SHAP), the subgroup tables, the model card and what it takes
#' to rerun it. The page needs no network: its figures are embedded.
#'
#' In an interactive session the page is opened: in the RStudio or Positron Viewer when
#' one is running, else in the web browser. Elsewhere (`Rscript`, `R CMD check`, knitr)
#' nothing is opened, so the call never waits on a viewer.
#'
#' @param x a lab result ([hitters_lab()], [movie_lab()], ...).
#' @param path an `.html` file, or a folder (the report is `<lab>_report.html` in it).
#'   `NULL`: beside the result's saved files when the lab ran with `out_dir`, else in
#'   the session's temporary folder.
#' @param open whether to open the page; by default only in an interactive session.
#' @return the path of the report (a character string).
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- movie_lab(epochs = 5)
#'   path <- report(fit, open = FALSE)
#'   file.exists(path)
#' }
#' }
report <- function(x, path = NULL, open = interactive()) {
  check_result(x)
  path <- arg_path(path, "path")
  open <- arg_flag(open, "open")
  if (is.null(path) && is.null(x$files$results)) {
    path <- tempdir()
  }
  reports <- py_module("presentation.report")
  written <- with_python_errors(reports$write_report(attr(x, "python"), path))
  target <- normalizePath(reticulate::py_str(written), mustWork = TRUE)
  if (open) {
    view_report(target)
  }
  target
}

# Show an HTML file: the IDE's Viewer pane when there is one (RStudio and Positron set
# options(viewer), which shows files under the session's temporary folder only, so the
# page is copied there), else the browser. Neither call waits for the page to close.
view_report <- function(path) {
  viewer <- getOption("viewer")
  if (is.function(viewer)) {
    folder <- file.path(tempdir(), "nnlabs-reports")
    dir.create(folder, showWarnings = FALSE)
    shown <- file.path(folder, basename(path))
    if (!identical(normalizePath(shown, mustWork = FALSE), path)) {
      file.copy(path, shown, overwrite = TRUE)
    }
    viewer(shown)
  } else {
    utils::browseURL(path)
  }
  invisible(path)
}
