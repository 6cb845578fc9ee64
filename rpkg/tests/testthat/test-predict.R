# predict(), save_lab() and load_lab() (notes section 11.10). Two tiny lab runs, trained
# once and shared by the tests of this file.

predict_out_dir <- file.path(tempdir(), "nnlabs-predict-out")

hitters_fit <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) {
      fit <<- hitters_lab(
        epochs = 3L, explain = FALSE, disaggregate = FALSE, lasso_folds = 3L,
        out_dir = predict_out_dir, cache = test_cache()
      )
    }
    fit
  }
})

movies_fit <- local({
  fit <- NULL
  function() {
    if (is.null(fit)) {
      fit <<- movie_lab(epochs = 3L, explain = FALSE, disaggregate = FALSE, lasso_folds = 3L, cache = test_cache())
    }
    fit
  }
})

# The first split's test rows (raw columns and the response) and the predictions the
# lab stored for them, as R data frames.
stored_test_rows <- function(fit) {
  py <- attr(fit, "python")
  list(
    rows = nnlabs:::py_frame_to_r(py$test_data$reset_index(drop = TRUE)),
    predictions = nnlabs:::py_frame_to_r(py$predictions)
  )
}

movie_features <- function(rows) rows[c("budget_m", "cast_score", "sequel", "genre_action", "genre_comedy", "marketing_m")]

test_that("predict() gives one row per new row and one column per model", {
  skip_if_no_nnlabs()
  fit <- hitters_fit()
  players <- load_hitters()[1:5, ]
  expect_true(is.factor(players$League))
  expect_no_warning(predicted <- predict(fit, newdata = players))
  expect_s3_class(predicted, "data.frame")
  expect_equal(nrow(predicted), 5L)
  expect_identical(names(predicted), fit$table$Model)
  expect_true(all(vapply(predicted, function(v) is.double(v) && all(is.finite(v)), logical(1))))
  # One model by name: tidymodels' .pred; newdata's row names are kept.
  lasso <- predict(fit, newdata = load_hitters()[c(3, 7), ], model = "Lasso")
  expect_identical(names(lasso), ".pred")
  expect_identical(rownames(lasso), c("3", "7"))
  expect_equal(lasso$.pred, predict(fit, load_hitters()[1:7, ])$Lasso[c(3L, 7L)])
  expect_equal(predict(fit, newdata = players, model = "Lasso")$.pred, predicted$Lasso)
  two <- predict(fit, players, model = c("Lasso", "Linear Regression"))
  expect_identical(names(two), c("Lasso", "Linear Regression"))
  # R's character columns do as well as factors.
  as_text <- players
  as_text$League <- as.character(as_text$League)
  expect_identical(predict(fit, as_text), predicted)
})

test_that("predicting the first split's test rows reproduces the stored test predictions", {
  skip_if_no_nnlabs()
  for (fit in list(hitters_fit(), movies_fit())) {
    stored <- stored_test_rows(fit)
    predicted <- predict(fit, newdata = stored$rows)
    expect_equal(nrow(predicted), nrow(stored$predictions))
    for (model in fit$table$Model) {
      expect_equal(predicted[[model]], stored$predictions[[model]], tolerance = 1e-12, label = model)
    }
  }
})

test_that("a classifier predicts classes as a factor and probabilities that add up to 1", {
  skip_if_no_lab("movies")
  fit <- movies_fit()
  films <- movie_features(stored_test_rows(fit)$rows[1:6, ])
  model <- "Neural Network (3-layer)"
  expect_true(model %in% fit$table$Model)
  classes <- predict(fit, newdata = films, model = model, type = "class")
  expect_identical(names(classes), ".pred_class")
  expect_true(is.factor(classes$.pred_class))
  expect_identical(levels(classes$.pred_class), c("Flop", "Hit"))
  prob <- predict(fit, newdata = films, model = model, type = "prob")
  expect_identical(names(prob), c(".pred_Flop", ".pred_Hit"))
  expect_equal(prob$.pred_Flop + prob$.pred_Hit, rep(1, 6))
  response <- predict(fit, newdata = films, model = model)
  expect_identical(names(response), ".pred")
  expect_equal(response$.pred, prob$.pred_Hit)
  expect_identical(as.character(classes$.pred_class), ifelse(prob$.pred_Hit > 0.5, "Hit", "Flop"))
  # Every model: Python's column names.
  every <- predict(fit, newdata = films, type = "prob")
  expect_identical(names(every), as.vector(t(outer(fit$table$Model, c(" P(Flop)", " P(Hit)"), paste0))))
  expect_true(all(vapply(predict(fit, films, type = "class"), is.factor, logical(1))))
})

test_that("save_lab() and load_lab() round trip: the same predictions", {
  skip_if_no_nnlabs()
  fit <- hitters_fit()
  players <- load_hitters()[1:20, ]
  folder <- file.path(tempdir(), "nnlabs-saved-hitters")
  expect_invisible(path <- save_lab(fit, folder))
  expect_identical(path, normalizePath(folder))
  expect_true(file.exists(file.path(folder, "manifest.json")))
  lab <- load_lab(folder)
  expect_s3_class(lab, "nnlabs_fitted_lab")
  expect_identical(lab$lab, "hitters")
  expect_identical(lab$models, fit$table$Model)
  expect_true("League" %in% lab$columns$column)
  expect_identical(predict(lab, newdata = players), predict(fit, newdata = players))
  expect_identical(predict(lab, players, model = "Lasso"), predict(fit, players, model = "Lasso"))
  expect_output(print(lab), "hitters")
  expect_output(print(lab), "Neural Network (2-layer)", fixed = TRUE)
  expect_output(print(lab), "Input columns (19)", fixed = TRUE)
  # A loaded lab saves again; a lab run with out_dir saved its models there already.
  again <- save_lab(lab, file.path(tempdir(), "nnlabs-saved-again"))
  expect_identical(predict(load_lab(again), players), predict(fit, players))
  from_out <- load_lab(predict_out_dir)
  expect_identical(predict(from_out, players), predict(fit, players))
  movies <- movies_fit()
  films <- movie_features(stored_test_rows(movies)$rows)
  saved <- load_lab(save_lab(movies, file.path(tempdir(), "nnlabs-saved-movies")))
  expect_output(print(saved), "Flop or Hit")
  expect_identical(predict(saved, films, type = "prob"), predict(movies, films, type = "prob"))
  expect_identical(predict(saved, films, type = "class"), predict(movies, films, type = "class"))
})

test_that("an altered saved lab is refused with an nnlabs_error", {
  skip_if_no_nnlabs()
  folder <- save_lab(hitters_fit(), file.path(tempdir(), "nnlabs-altered"))
  lab_json <- file.path(folder, "lab.json")
  cat(" ", file = lab_json, append = TRUE)
  err <- tryCatch(load_lab(folder), error = identity)
  expect_s3_class(err, "nnlabs_data_error")
  expect_match(conditionMessage(err), "lab.json", fixed = TRUE)
  expect_error(load_lab(file.path(tempdir(), "no-such-lab")), class = "nnlabs_data_error")
  expect_error(save_lab(mtcars, folder), "x must be a lab result")
  expect_error(save_lab(hitters_fit(), NA_character_), "path must be a single non-empty string")
})

test_that("bad new rows are nnlabs_errors naming the column; notes are nnlabs_warnings", {
  skip_if_no_nnlabs()
  fit <- hitters_fit()
  players <- load_hitters()[1:3, ]
  expect_column_error <- function(rows, column, pattern) {
    err <- tryCatch(predict(fit, newdata = rows), error = identity)
    expect_s3_class(err, "nnlabs_data_error")
    expect_s3_class(err, "nnlabs_error")
    expect_match(conditionMessage(err), sprintf("'%s'", column), fixed = TRUE)
    expect_match(conditionMessage(err), pattern)
    expect_no_match(conditionMessage(err), "Traceback")
  }
  expect_column_error(players[setdiff(names(players), "Hits")], "Hits", "missing column")
  unseen <- players
  unseen$League <- factor(c("A", "X", "N"))
  expect_column_error(unseen, "League", "level 'X' \\(row 2\\) was never seen in training")
  wrong <- players
  wrong$Hits <- c("81", "many", "77")
  expect_column_error(wrong, "Hits", "must be numeric.*'many' in row 2")
  numbers <- players
  numbers$Division <- c(1, 2, 1)
  expect_column_error(numbers, "Division", "must hold text")
  missing <- players
  missing$Walks[3] <- NA
  expect_column_error(missing, "Walks", "missing value in row 3")
  extra <- players
  extra$nickname <- "Slugger"
  expect_warning(predict(fit, extra), "'nickname' ignored", class = "nnlabs_data_warning")
  expect_warning(predict(fit, extra), class = "nnlabs_warning")
  far <- players
  far$Hits[1] <- 5000L
  expect_warning(predicted <- predict(fit, far), "'Hits'.*far outside", class = "nnlabs_data_warning")
  expect_equal(nrow(predicted), 3L)
  # Arguments.
  expect_error(predict(fit, players, type = "class"), "needs a classification lab", class = "nnlabs_error")
  expect_error(predict(fit, players, type = "probability"), "type must be one of", class = "nnlabs_parameter_error")
  expect_error(predict(fit, players, model = "LM"), "model must be one of 'Linear Regression'", class = "nnlabs_parameter_error")
  expect_error(predict(fit, players, model = NA_character_), "model must be NULL")
  expect_error(predict(fit, players, tpye = "class"), "no argument\\(s\\) \"tpye\"")
  expect_error(predict(fit, as.matrix(players)), "newdata must be a data frame")
  expect_error(predict(fit), "newdata must be a data frame")
  list_column <- players
  list_column$Hits <- as.list(list_column$Hits)
  expect_error(predict(fit, list_column), "column \"Hits\" must be a vector", class = "nnlabs_error")
})

test_that("new rows reach Python with NA kept, factors, dates and times as such", {
  skip_if_no_nnlabs()
  rows <- data.frame(
    i = c(1L, NA), x = c(1.5, NA), s = c("a", NA), f = factor(c("u", NA), levels = c("u", "v")),
    l = c(TRUE, NA), b = c(TRUE, FALSE),
    t = as.POSIXct(c("2023-01-05 14:30:00", NA), tz = "America/New_York"),
    d = as.Date(c("2023-01-05", NA)),
    row.names = c("first", "second")
  )
  py <- nnlabs:::r_frame_to_py(rows)
  b <- reticulate::import_builtins(convert = FALSE)
  dtypes <- unlist(reticulate::py_to_r(b$list(b$map(b$str, py$dtypes))))
  expect_identical(dtypes[c(1:6)], c("float64", "float64", "object", "category", "float64", "bool"))
  expect_match(dtypes[7:8], "^datetime64")
  expect_identical(dtypes[[1]], "float64") # an integer column with NA; int64 without
  expect_identical(reticulate::py_to_r(b$str(nnlabs:::r_frame_to_py(data.frame(i = 1:2))$i$dtype)), "int64")
  missing <- unlist(reticulate::py_to_r(py$isna()$sum()$tolist()))
  expect_identical(as.integer(missing), c(1L, 1L, 1L, 1L, 1L, 0L, 1L, 1L))
  expect_identical(reticulate::py_to_r(b$str(py$t$iloc$`__getitem__`(0L))), "2023-01-05 14:30:00")
  expect_identical(unlist(reticulate::py_to_r(py$index$tolist())), c("first", "second"))
  expect_identical(unlist(reticulate::py_to_r(py$f$cat$categories$tolist())), c("u", "v"))
  expect_error(nnlabs:::r_frame_to_py(data.frame(a = 1, a = 2, check.names = FALSE)), "name each column once")
})

test_that("tidymodels names for one model, and nnlabs warnings' classes", {
  expect_identical(
    nnlabs:::tidy_prediction_names(c("NN", "NN class", "NN P(Flop)", "NN P(Hit)"), "NN", c("Flop", "Hit")),
    c(".pred", ".pred_class", ".pred_Flop", ".pred_Hit")
  )
  w <- nnlabs:::nnlabs_warning("a note", "DataWarning")
  expect_s3_class(w, c("nnlabs_data_warning", "nnlabs_warning", "warning"))
  expect_s3_class(nnlabs:::nnlabs_warning("m", "LoadWarning"), "nnlabs_load_warning")
  expect_identical(class(nnlabs:::nnlabs_warning("m", "NnlabsWarning"))[[1]], "nnlabs_warning")
  expect_error(predict(structure(list(), class = "nnlabs_result")), "newdata must be a data frame")
})
