# Bad paths reach R as one-line nnlabs_error conditions that name the path: an out_dir
# that cannot be created, a data_dir that does not exist, a file that is not parquet.

expect_one_line <- function(err) {
  expect_s3_class(err, "nnlabs_error")
  expect_no_match(conditionMessage(err), "Traceback|File \"|\n")
}

test_that("an out_dir under a file is an nnlabs_parameter_error naming it", {
  skip_if_no_nnlabs()
  blocker <- tempfile("nnlabs-not-a-folder")
  writeLines("a file", blocker)
  out <- file.path(blocker, "results")
  err <- tryCatch(hitters_lab(epochs = 1L, cache = FALSE, out_dir = out), error = identity)
  expect_one_line(err)
  expect_s3_class(err, "nnlabs_parameter_error")
  expect_match(conditionMessage(err), "out_dir must be a folder that can be created and written", fixed = TRUE)
  expect_match(conditionMessage(err), out, fixed = TRUE)
  expect_false(file.exists(out))
})

test_that("a data_dir that does not exist is named, with no download", {
  skip_if_no_nnlabs()
  skip_if_not(nnlabs:::py_has_lab("taxi"))
  nope <- file.path(tempdir(), "no-such-data-folder")
  err <- tryCatch(taxi_lab(data_dir = nope, epochs = 1L, cache = FALSE), error = identity)
  expect_one_line(err)
  expect_s3_class(err, "nnlabs_parameter_error")
  expect_match(conditionMessage(err), sprintf("data_dir must be the path of an existing folder; got '%s'", nope), fixed = TRUE)
  expect_no_match(conditionMessage(err), "NNLABS_DATA_DIR|download")
})

test_that("a trip file that is not parquet, or is truncated, is an nnlabs_data_error naming it", {
  skip_if_no_nnlabs()
  skip_if_not(nnlabs:::py_has_lab("taxi"))
  text <- tempfile("trips", fileext = ".parquet")
  writeLines(c("fare_amount,trip_distance", "12.5,2.0"), text)
  pandas <- reticulate::import("pandas", convert = FALSE)
  truncated <- tempfile("trips", fileext = ".parquet")
  pandas$DataFrame(reticulate::dict(fare_amount = c(1, 2, 3)))$to_parquet(truncated)
  bytes <- readBin(truncated, "raw", file.size(truncated))
  writeBin(bytes[seq_len(length(bytes) %/% 2)], truncated)
  for (path in c(text, truncated)) {
    err <- tryCatch(taxi_lab(data = path, epochs = 1L, cache = FALSE), error = identity)
    expect_one_line(err)
    expect_s3_class(err, "nnlabs_data_error")
    expect_match(conditionMessage(err), sprintf("%s: not a readable parquet file", path), fixed = TRUE)
  }
})
