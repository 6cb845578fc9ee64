test_that("nyc311_lab() runs on simulated requests with tiny settings", {
  skip_if_no_lab("nyc311")
  fit <- nyc311_lab(epochs = 1L, simulated_rows = 3000L, lasso_folds = 3L, cache = test_cache())
  expect_s3_class(fit, c("nnlabs_nyc311", "nnlabs_result"))
  expect_equal(nrow(lab_table(fit)), 4L)
  expect_true("Gradient-boosted trees" %in% lab_table(fit)$Model)
  expect_true(is.data.frame(summary(fit)$tables$nested_r2))
  expect_equal(fit$settings$simulated_rows, 3000L)
})

test_that("nyc311_lab() checks its arguments in R", {
  expect_error(nyc311_lab(rows = 0), "rows must be a single whole number >= 1; got 0")
  expect_error(nyc311_lab(data = 42), "data must be NULL, a data frame or file path\\(s\\)")
  expect_error(nyc311_lab(repeats = "3"), "repeats must be a single whole number")
})
