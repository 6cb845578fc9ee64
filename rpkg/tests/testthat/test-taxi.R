# Synthetic trips shaped like the Python reader's output: a meter fare from distance and
# duration, so the lab has something to learn; and a stand-in zone lookup.
fake_trips <- function(n, seed = 1L) {
  set.seed(seed)
  distance <- stats::rgamma(n, 2, 1 / 1.5) + 0.2
  duration <- distance * stats::runif(n, 2.5, 5) + 2
  data.frame(
    fare_amount = 3 + 2.5 * distance + 0.3 * duration + stats::rnorm(n, 0, 0.5),
    trip_distance = distance,
    passenger_count = sample(1:4, n, replace = TRUE),
    PULocationID = sample(c(4L, 13L, 43L, 48L, 7L, 17L, 61L), n, replace = TRUE),
    DOLocationID = sample(c(4L, 13L, 43L, 48L, 7L, 17L, 61L), n, replace = TRUE),
    hour_of_day = sample(0:23, n, replace = TRUE),
    day_of_week = sample(1:7, n, replace = TRUE),
    duration_min = duration
  )
}

fake_zones <- function() {
  ids <- 1:265
  data.frame(
    LocationID = ids,
    Borough = ifelse(ids %in% c(4L, 13L, 43L, 48L), "Manhattan", ifelse(ids %% 2L == 0L, "Brooklyn", "Queens")),
    Zone = "z",
    service_zone = ifelse(ids %in% c(4L, 13L, 43L, 48L), "Yellow Zone", "Boro Zone")
  )
}

test_that("taxi_lab() runs on a trips data frame with tiny settings", {
  skip_if_no_lab("taxi")
  fit <- taxi_lab(
    data = fake_trips(600L), zones = fake_zones(), rows = 500L, epochs = 1L,
    lasso_folds = 3L, units = c(16, 8, 4), download = FALSE, cache = test_cache()
  )
  expect_s3_class(fit, c("nnlabs_taxi", "nnlabs_result"))
  expect_equal(nrow(lab_table(fit)), 4L)
  expect_true("Gradient-boosted trees" %in% lab_table(fit)$Model)
  expect_equal(lab_table(fit)$Model[[1]], "Lasso")
  expect_equal(fit$extras$n_trips, 500L)
})

test_that("taxi_lab() checks its arguments in R", {
  expect_error(taxi_lab(color = "purple"), "color must be one of \"yellow\", \"green\"; got \"purple\"")
  expect_error(taxi_lab(month = "January"), "month must be a month as \"YYYY-MM\"")
  expect_error(taxi_lab(rows = -5), "rows must be a single whole number >= 1; got -5")
  expect_error(taxi_lab(download = "no"), "download must be TRUE or FALSE")
})

test_that("taxi_lab() takes several months, each once", {
  skip_if_no_lab("taxi")
  expect_error(taxi_lab(months = 202301), "months must be a character vector")
  err <- tryCatch(taxi_lab(months = c("2023-01", "2023-01")), error = identity)
  expect_s3_class(err, "nnlabs_parameter_error")
  expect_match(conditionMessage(err), "months must hold each value once", fixed = TRUE)
  empty <- tempfile("taxi-months")
  dir.create(empty)
  err <- tryCatch(
    taxi_lab(months = c("2023-02", "2023-01"), data_dir = empty, download = FALSE, epochs = 1L),
    error = identity
  )
  expect_s3_class(err, "nnlabs_error")
  expect_match(conditionMessage(err), "yellow_tripdata_2023-01.parquet")
})

test_that("a missing trip file is an nnlabs_error naming the file", {
  skip_if_no_lab("taxi")
  empty <- tempfile("taxi-data")
  dir.create(empty)
  err <- tryCatch(
    taxi_lab(color = "green", data_dir = empty, download = FALSE, epochs = 1L),
    error = identity
  )
  expect_s3_class(err, "nnlabs_error")
  expect_match(conditionMessage(err), "green_tripdata_2023-01.parquet")
})
