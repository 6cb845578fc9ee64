test_that("simulate_movies() follows the notes' R code: 333 movies, 166 Hits, 167 Flops", {
  movies <- simulate_movies()
  expect_equal(nrow(movies), 333L)
  expect_equal(sum(movies$hit), 166L)
  expect_equal(sum(1L - movies$hit), 167L)
  expect_equal(
    names(movies),
    c(nnlabs:::MOVIE_FEATURES, "log_revenue", "tercile", "hit")
  )
  expect_setequal(unique(movies$tercile), c(1L, 3L))
  # R's generator after set.seed(42): the first draw is the first budget.
  set.seed(42)
  first_budget <- stats::runif(1, 5, 200)
  expect_equal(simulate_movies(labels = "median")$budget_m[[1]], first_budget)
  expect_identical(simulate_movies(), movies)
  everything <- simulate_movies(labels = "median")
  expect_equal(nrow(everything), 500L)
  expect_equal(sum(everything$hit), 250L)
})

test_that("ntile() has dplyr's semantics: larger groups first, ties by position", {
  expect_equal(nnlabs:::ntile(1:7, 3), c(1L, 1L, 1L, 2L, 2L, 3L, 3L))
  expect_equal(nnlabs:::ntile(c(5, 1, 5, 2), 2), c(2L, 1L, 2L, 1L))
  expect_equal(nnlabs:::ntile(c(3, NA, 1), 2), c(2L, NA, 1L))
  expect_equal(nnlabs:::ntile(c(2, 1), 3), c(2L, 1L))
})

test_that("movie_lab() with the notes' R data and R split", {
  skip_if_no_lab("movies")
  fit <- movie_lab(data = simulate_movies(), split = "r", epochs = 1L, cache = test_cache())
  expect_s3_class(fit, c("nnlabs_movies", "nnlabs_result"))
  set.seed(42)
  expect_identical(fit$test_id, sample(seq_len(333L), trunc(333 * 0.25)))
  expect_equal(fit$extras$n_test, 83L)
  expect_equal(fit$extras$n_train, 250L)
  expect_true(all(c("Model", "Accuracy", "AUC") %in% names(lab_table(fit))))
  expect_equal(nrow(lab_table(fit)), 3L)
  expect_true("Gradient-boosted trees" %in% lab_table(fit)$Model)
  expect_true(all(lab_table(fit)$AUC >= 0 & lab_table(fit)$AUC <= 1))
  expect_output(print(fit), "Table 11.35")
  expect_output(print(summary(fit)), "confusion|metrics")
  # The notes' cv.glmnet() draws its folds right after the split, from the same seed.
  set.seed(42)
  sample(seq_len(333L), 83L)
  expect_identical(fit$lasso_fold_id, sample(rep(seq(10), length = 250)))
  lasso <- lab_table(fit)[lab_table(fit)$Model == "Logistic Regression (Lasso)", ]
  expect_equal(sprintf("%.1f%%", 100 * lasso$Accuracy), "91.6%")
  expect_equal(round(lasso$AUC, 3), 0.972)
  expect_equal(fit$extras$lasso_lambda, 0.003688367, tolerance = 1e-6)
})

test_that("movie_lab() checks its data in R", {
  movies <- simulate_movies()
  expect_error(movie_lab(data = movies[, -9]), "data must have the column\\(s\\).*missing \"hit\"")
  expect_error(movie_lab(labels = "quartiles"), "labels must be one of \"terciles\", \"median\"")
  expect_error(simulate_movies(n = 2), "n must be a single whole number >= 3; got 2")
})

test_that("report() writes the HTML report, returns its path and opens nothing outside an IDE", {
  skip_if_no_lab("movies")
  fit <- movie_lab(epochs = 5L, lasso_folds = 3L, shap_rows = 3L, shap_samples = 32L,
                   importance_rows = 100L, fairness_draws = 50L, cache = test_cache())
  opened <- character()
  record <- function(url) opened <<- c(opened, url)
  old <- options(viewer = record, browser = record)
  on.exit(options(old), add = TRUE)
  path <- report(fit)
  expect_false(interactive())
  expect_identical(opened, character())
  expect_true(file.exists(path))
  expect_identical(basename(path), "movies_report.html")
  html <- readLines(path, warn = FALSE, encoding = "UTF-8")
  expect_true(sum(grepl("data:image/png;base64,", html, fixed = TRUE)) >= 5L)
  expect_false(any(grepl("https?://", html)))
  mine <- file.path(tempdir(), "mine.html")
  expect_identical(report(fit, path = mine, open = FALSE), normalizePath(mine))
  # In an IDE the Viewer shows a copy under the session's temporary folder.
  report(fit, path = mine, open = TRUE)
  expect_length(opened, 1L)
  expect_true(file.exists(opened))
  expect_identical(basename(opened), "mine.html")
  expect_error(report(fit, open = NA), "open must be TRUE or FALSE")
  expect_error(report(lab_table(fit)), "x must be a lab result")
})
