# cv.glmnet on the cases tests/test_glmnet_r.py writes; one folder per case, given as
# arguments. A folder holds case.txt ("n_train p n_test family measure seed"),
# x_train.bin and x_test.bin (float64, column-major), y_train.bin (float64). R draws
# cv.glmnet's own folds after set.seed(seed) and writes foldid.bin (int32), pred.bin (the
# test rows' predictions at lambda.min, response scale, float64) and result.txt
# (key=value lines).

suppressPackageStartupMessages(library(glmnet))
for (dir in commandArgs(trailingOnly = TRUE)) {
  case <- strsplit(readLines(file.path(dir, "case.txt")), " ")[[1]]
  n <- as.integer(case[[1]])
  p <- as.integer(case[[2]])
  nt <- as.integer(case[[3]])
  family <- case[[4]]
  measure <- case[[5]]
  seed <- as.integer(case[[6]])
  read_doubles <- function(name, len) readBin(file.path(dir, name), "double", n = len, size = 8)
  x <- matrix(read_doubles("x_train.bin", n * p), nrow = n, ncol = p)
  y <- read_doubles("y_train.bin", n)
  xt <- matrix(read_doubles("x_test.bin", nt * p), nrow = nt, ncol = p)
  set.seed(seed)
  fit <- cv.glmnet(x, y, family = family, type.measure = measure, keep = TRUE)
  pred <- as.numeric(predict(fit, xt, s = "lambda.min", type = "response"))
  writeBin(as.integer(fit$foldid), file.path(dir, "foldid.bin"), size = 4)
  writeBin(pred, file.path(dir, "pred.bin"), size = 8)
  writeLines(c(
    sprintf("lambda_min=%.17g", fit$lambda.min),
    sprintf("lambda_1se=%.17g", fit$lambda.1se),
    sprintf("n_lambda=%d", length(fit$lambda)),
    sprintf("glmnet=%s", as.character(packageVersion("glmnet")))
  ), file.path(dir, "result.txt"))
}
