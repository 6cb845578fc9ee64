# Helpers shared by the cross-check scripts: the only code here that is not the notes'.
# Data are written with 17 significant digits (enough to give back the same doubles),
# results with jsonlite's maximum of 15.

suppressPackageStartupMessages(library(jsonlite))

# The output folder: the script's first argument.
out_dir <- function() {
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args) < 1L) stop("usage: Rscript <script>.R OUT_DIR [INPUT_DIR]", call. = FALSE)
  dir.create(args[[1]], showWarnings = FALSE, recursive = TRUE)
  args[[1]]
}

# A data frame (or matrix) as CSV, doubles with 17 significant digits.
write_exact_csv <- function(x, path) {
  frame <- as.data.frame(x, check.names = FALSE)
  frame[] <- lapply(frame, function(v) if (is.double(v)) sprintf("%.17g", v) else v)
  utils::write.csv(frame, path, row.names = FALSE, quote = TRUE)
}

# Named results as JSON, doubles with 15 significant digits.
write_results <- function(values, path) {
  values$r_version <- R.version.string
  values$packages <- as.list(vapply(
    c("glmnet", "dplyr", "forcats", "lubridate", "tidyr", "pROC"),
    function(p) if (requireNamespace(p, quietly = TRUE)) as.character(utils::packageVersion(p)) else NA_character_,
    character(1)
  ))
  jsonlite::write_json(values, path, digits = NA, auto_unbox = TRUE, pretty = TRUE)
}
