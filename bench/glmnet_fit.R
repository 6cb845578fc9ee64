# cv.glmnet on matrices written by bench/glmnet_compare.py; prints key=value lines.
#
# Usage: Rscript bench/glmnet_fit.R DIR MEASURE REPEATS
# DIR holds dims.txt ("n_train p n_test"), x_train.bin / x_test.bin (float64,
# column-major), y_train.bin / y_test.bin (float64) and foldid.bin (int32, 1-based).
# Two fits: with the Python folds (foldid) and with R's own random folds (set.seed(42),
# as the notes run it). Times are the median elapsed seconds of REPEATS fits.

args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
measure <- args[2]
repeats <- as.integer(args[3])

dims <- scan(file.path(dir, "dims.txt"), quiet = TRUE)
n <- dims[1]
p <- dims[2]
nt <- dims[3]
read_doubles <- function(name, len) readBin(file.path(dir, name), "double", n = len, size = 8)
x <- matrix(read_doubles("x_train.bin", n * p), nrow = n, ncol = p)
y <- read_doubles("y_train.bin", n)
xt <- matrix(read_doubles("x_test.bin", nt * p), nrow = nt, ncol = p)
yt <- read_doubles("y_test.bin", nt)
foldid <- readBin(file.path(dir, "foldid.bin"), "integer", n = n, size = 4)

suppressPackageStartupMessages(library(glmnet))

timed <- function(fit_once) {
  seconds <- numeric(repeats)
  for (r in seq_len(repeats)) {
    seconds[r] <- system.time(fit <- fit_once())[["elapsed"]]
  }
  list(fit = fit, seconds = median(seconds))
}

same <- timed(function() cv.glmnet(x, y, alpha = 1, foldid = foldid, type.measure = measure))
own <- timed(function() {
  set.seed(42)
  cv.glmnet(x, y, alpha = 1, type.measure = measure)
})

report <- function(prefix, res) {
  fit <- res$fit
  pred <- as.numeric(predict(fit, xt, s = "lambda.min"))
  coefs <- as.numeric(coef(fit, s = "lambda.min"))
  cat(sprintf("%s_seconds=%.6f\n", prefix, res$seconds))
  cat(sprintf("%s_lambda_min=%.12g\n", prefix, fit$lambda.min))
  cat(sprintf("%s_lambda_1se=%.12g\n", prefix, fit$lambda.1se))
  cat(sprintf("%s_n_lambdas=%d\n", prefix, length(fit$lambda)))
  cat(sprintf("%s_lambda_max=%.12g\n", prefix, max(fit$lambda)))
  cat(sprintf("%s_test_mae=%.12g\n", prefix, mean(abs(pred - yt))))
  cat(sprintf("%s_nonzero=%d\n", prefix, sum(coefs[-1] != 0)))
  cat(sprintf("%s_cv_min=%.12g\n", prefix, min(fit$cvm)))
}
report("same_folds", same)
report("own_folds", own)
cat(sprintf("glmnet_version=%s\n", as.character(packageVersion("glmnet"))))
cat(sprintf("r_version=%s\n", R.version.string))
