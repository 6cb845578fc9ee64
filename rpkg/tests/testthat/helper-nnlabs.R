# Helpers shared by the tests. Tests of pure R code need no Python. Every test that
# needs Python starts with skip_if_no_nnlabs(): where Python or nnlabs is missing it
# skips, except under CI=true or NNLABS_REQUIRE_PYTHON=true, where a missing Python is
# an error, so that a broken set-up never passes as a run of skipped tests.

python_required <- function() {
  flags <- tolower(Sys.getenv(c("CI", "NNLABS_REQUIRE_PYTHON")))
  any(flags %in% c("true", "1", "yes"))
}

# Skip, or under CI=true / NNLABS_REQUIRE_PYTHON=true fail, with `message`.
skip_or_fail <- function(message) {
  if (python_required()) {
    stop(paste0(message, " (CI or NNLABS_REQUIRE_PYTHON is set, so this is an error, not a skip)"), call. = FALSE)
  }
  skip(message)
}

skip_if_no_nnlabs <- function() {
  if (!nnlabs_available()) {
    skip_or_fail(paste("Python with the nnlabs package is not available:", nnlabs:::nnlabs_problem()))
  }
  invisible(TRUE)
}

# A lab the Python package registers must import; one it does not register (an older
# Python package) is skipped. An import failure is an error under CI, else a skip.
skip_if_no_lab <- function(lab) {
  skip_if_no_nnlabs()
  labs <- unlist(reticulate::py_to_r(nnlabs:::py_module("labs")$names()))
  if (!lab %in% labs) {
    skip(sprintf("the Python package has no lab '%s'", lab))
  }
  imported <- tryCatch(nnlabs:::py_module(paste0("labs.", lab)), error = identity)
  if (inherits(imported, "error")) {
    skip_or_fail(sprintf("the Python module of lab '%s' does not import: %s", lab, conditionMessage(imported)))
  }
  invisible(TRUE)
}

# The installed package's Python bundle (inst/python), or a skip (an error under CI).
bundle_or_skip <- function() {
  bundle <- tryCatch(nnlabs:::python_bundle(), nnlabs_bundle_error = identity)
  if (inherits(bundle, "error")) skip_or_fail(conditionMessage(bundle))
  bundle
}

# Run R code in a fresh R session with environment variables set; its output as one string.
run_fresh_r <- function(lines, env = character()) {
  script <- tempfile(fileext = ".R")
  writeLines(lines, script)
  out <- suppressWarnings(system2(
    file.path(R.home("bin"), "Rscript"), c("--vanilla", shQuote(script)),
    stdout = TRUE, stderr = TRUE, env = env
  ))
  paste(out, collapse = "\n")
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
