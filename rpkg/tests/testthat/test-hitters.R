test_that("load_hitters() gives the notes' 263 complete rows, factors as in ISLR2", {
  skip_if_no_nnlabs()
  hitters <- load_hitters()
  expect_equal(dim(hitters), c(263L, 20L))
  expect_true(all(vapply(hitters[c("League", "Division", "NewLeague")], is.factor, logical(1))))
  expect_equal(levels(hitters$League), c("A", "N"))
  expect_false(anyNA(hitters$Salary))
  expect_equal(nrow(load_hitters(drop_missing = FALSE)), 322L)
})

test_that("split = 'r' draws the notes' split and reproduces the linear-regression MAE 254.7", {
  skip_if_no_nnlabs()
  fit <- hitters_r_split()
  set.seed(13)
  expected <- sample(seq_len(263L), trunc(263L / 3))
  expect_identical(fit$test_id, expected)
  expect_equal(fit$extras$n_test, 87L)
  expect_equal(fit$extras$n_train, 176L)
  table <- lab_table(fit)
  lm_mae <- table$MAE[table$Model == "Linear Regression"]
  expect_lt(abs(lm_mae - 254.7), 0.05)
})

test_that("split = 'r' draws cv.glmnet's folds after set.seed(123): the Lasso gives the notes' 253.1", {
  skip_if_no_nnlabs()
  fit <- hitters_r_split()
  set.seed(nnlabs:::setting_default("hitters", "lasso_seed"))
  expect_identical(fit$lasso_fold_id, sample(rep(seq(10), length = 176)))
  table <- lab_table(fit)
  lasso_mae <- table$MAE[table$Model == "Lasso"]
  expect_equal(round(lasso_mae, 1), 253.1)
  # glmnet itself gives 253.146 on the notes' scale()d matrix and 253.143 on the
  # unscaled one: its coordinate descent stops at thresh = 1e-7 (see docs/results.md).
  expect_lt(abs(lasso_mae - 253.146), 0.005)
  expect_equal(fit$extras$lasso_lambda, 9.947573, tolerance = 1e-6)
  expect_output(print(fit), "253.1", fixed = TRUE)
})

test_that("split = 'r' takes another lasso_seed or the user's folds", {
  skip_if_no_nnlabs()
  fit <- hitters_lab(split = "r", epochs = 1L, lasso_seed = 7L, cache = test_cache())
  set.seed(7)
  expect_identical(fit$lasso_fold_id, sample(rep(seq(10), length = 176)))
  folds <- rep(1:4, length.out = 176)
  own <- hitters_lab(split = "r", epochs = 1L, lasso_fold_ids = folds, cache = test_cache())
  expect_identical(own$lasso_fold_id, folds)
  expect_error(
    hitters_lab(split = "r", epochs = 1L, lasso_fold_ids = 1:3, cache = test_cache()),
    "lasso_fold_ids must hold one fold label per training row \\(176\\); got 3",
    class = "nnlabs_parameter_error"
  )
  expect_error(
    hitters_lab(epochs = 1L, lasso_fold_ids = folds, cache = test_cache()),
    "lasso_fold_ids needs an explicit split"
  )
})

test_that("hitters_lab() runs with Python's split, tiny settings and the notes' protocol", {
  skip_if_no_nnlabs()
  fit <- hitters_lab(epochs = 1L, patience = 1L, lasso_folds = 3L, notes = TRUE, cache = test_cache())
  expect_s3_class(fit, c("nnlabs_hitters", "nnlabs_result"))
  expect_equal(
    fit$table$Model,
    c("Linear Regression", "Lasso", "Neural Network (2-layer)", "Gradient-boosted trees")
  )
  expect_equal(fit$settings$lasso_folds, 3L)
  expect_equal(fit$split, "python")
  expect_null(fit$test_id)
  expect_true(all(is.finite(fit$table$MAE)))
  # notes = TRUE: early stopping on the test rows, scale() before the split, raw salaries.
  expect_equal(fit$settings$validation, "test")
  expect_equal(fit$settings$scaling, "all")
  expect_false(fit$settings$standardize_target)
})

test_that("print, as.data.frame, summary, plot and the accessors work on a result", {
  skip_if_no_nnlabs()
  fit <- hitters_r_split()
  expect_output(print(fit), "Table 11.32")
  expect_output(print(fit), "254.7", fixed = TRUE)
  frame <- as.data.frame(fit)
  expect_s3_class(frame, "data.frame")
  expect_equal(names(frame), c("Model", "MAE"))
  expect_identical(frame, lab_table(fit))
  history <- lab_history(fit)
  expect_true(all(c("epoch", "loss", "val_loss", "mean_absolute_error") %in% names(history)))
  expect_equal(nrow(history), 2L)
  s <- summary(fit)
  expect_s3_class(s, "summary.nnlabs_result")
  expect_equal(s$settings$seed, 13L)
  expect_output(print(s), "95% intervals")
  expect_output(print(s), "split drawn in +R")
  pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_invisible(plot(fit, engine = "base"))
  skip_if_not_installed("ggplot2")
  drawn <- plot(fit, engine = "ggplot2")
  expect_s3_class(drawn, "ggplot")
  expect_setequal(levels(drawn$data$quantity), c("loss", "mean_absolute_error"))
  expect_setequal(unique(drawn$data$data), c("training", "validation"))
})

test_that("lab_analysis() returns the section 11.16 analyses as data frames", {
  skip_if_no_nnlabs()
  fit <- hitters_r_split()
  verdict <- lab_analysis(fit, "verdict")
  expect_equal(nrow(verdict), 1L)
  expect_true(all(c("network", "simpler", "relative_gap", "low", "high", "decision") %in% names(verdict)))
  importance <- lab_analysis(fit, "importance")
  expect_setequal(unique(importance$Model), fit$table$Model)
  expect_true(all(c("League", "Division", "NewLeague") %in% importance$feature))
  shap <- lab_analysis(fit, "shap")
  per_row <- tapply(shap$shap, shap$row, sum) + tapply(shap$base_value, shap$row, `[`, 1L)
  expect_equal(unname(per_row), unname(tapply(shap$prediction, shap$row, `[`, 1L)), tolerance = 1e-4)
  groups <- lab_analysis(fit, "subgroups")
  by_grouping <- tapply(groups$n[groups$Model == "Lasso"], groups$grouping[groups$Model == "Lasso"], sum)
  expect_equal(as.integer(by_grouping), c(87L, 87L))
  expect_equal(nrow(lab_analysis(fit, "fairness")), 0L) # regression: no fairness table
  card <- lab_analysis(fit, "model_card")
  expect_true(all(c("section", "item", "text") %in% names(card)))
  expect_true("failure_modes" %in% card$section)
  expect_output(print(summary(fit)), "under 5%|straddles|passes the rule")
  expect_error(lab_analysis(fit, "nothing"), "what must be one of")
})

test_that("accessors reject what is not a lab result", {
  expect_error(lab_table(mtcars), "x must be a lab result")
  expect_error(lab_history(list()), "x must be a lab result")
  expect_error(lab_analysis(list()), "x must be a lab result")
})

test_that("bad arguments are R errors that name the argument", {
  skip_if_no_nnlabs()
  expect_error(hitters_lab(epochs = -1), "^epochs must be a single whole number >= 1; got -1$")
  expect_error(hitters_lab(epochs = 2.5), "epochs must be a single whole number")
  expect_error(hitters_lab(validation = "bogus"), "^validation must be one of \"split\", \"test\"; got \"bogus\"$")
  expect_error(hitters_lab(split = "stata"), "^split must be one of")
  expect_error(hitters_lab(data = mtcars), "data must have the column\\(s\\) \"Salary\"")
  expect_error(hitters_lab(data = "Hitters.csv"), "data must be a data frame")
  expect_error(hitters_lab(cache = NA), "cache must be TRUE, FALSE or a folder path")
  expect_error(hitters_lab(split = "r", repeats = 3), "repeats must be 1 when split = \"r\"")
  expect_error(hitters_lab(epochs = 1, bogus_setting = 1), "unknown setting\\(s\\) \"bogus_setting\"")
  expect_error(hitters_lab(epochs = 1, units = c(64, 32.5)), "units must be a vector of whole numbers")
  expect_error(load_hitters(drop_missing = "yes"), "drop_missing must be TRUE or FALSE")
})

test_that("an error raised in Python arrives as an nnlabs_error", {
  skip_if_no_nnlabs()
  err <- tryCatch(hitters_lab(epochs = 1, learning_rate = -1), error = identity)
  expect_s3_class(err, "nnlabs_parameter_error")
  expect_s3_class(err, "nnlabs_error")
  expect_match(conditionMessage(err), "^learning_rate must be a number in \\(0, 10\\]; got -1")
  expect_no_match(conditionMessage(err), "Traceback")
  hitters <- load_hitters()
  hitters$Hits <- as.character(hitters$Hits)
  expect_error(hitters_lab(data = hitters, epochs = 1), class = "nnlabs_data_error")
})

test_that("a setting left NULL takes the Python settings' default", {
  skip_if_no_nnlabs()
  defaults <- formals(hitters_lab)
  for (name in c("epochs", "repeats", "seed", "validation", "scaling")) {
    expect_null(defaults[[name]], label = name)
  }
  settings <- lab_settings("hitters")
  expect_equal(settings$default[settings$name == "epochs"], "500")
  expect_equal(settings$default[settings$name == "units"], "64, 32")
  expect_identical(nnlabs:::setting_default("hitters", "seed"), 13L)
  expect_identical(nnlabs:::setting_default("hitters", "validation"), "split")
})
