# Helpers shared by the tests. Every test that needs Python starts with
# skip_if_no_nnlabs(), so the suite skips cleanly where Python or nnlabs is missing.

skip_if_no_nnlabs <- function() {
  if (!nnlabs_available()) {
    skip(paste("Python with the nnlabs package is not available:", nnlabs:::nnlabs_problem()))
  }
  invisible(TRUE)
}

# Networks trained by the tests go to a private cache, removed with the session.
test_cache <- function() {
  folder <- file.path(tempdir(), "nnlabs-test-cache")
  dir.create(folder, showWarnings = FALSE)
  folder
}

# One tiny Hitters run with the notes' R split, shared by the tests that only look at
# the result (training it once keeps the suite fast).
hitters_r_split <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) fit <<- hitters_lab(split = "r", epochs = 2L, cache = test_cache())
    fit
  }
})
