# Notes section 11.11.3.1-11.11.3.2 (Hitters salary: data, split, linear regression and
# Lasso), transcribed from the notes. Additions, marked "# +": the Hitters data are read
# from nnlabs' copy of ISLR2's Hitters (ISLR2 is not on the machine), the network
# libraries are not loaded (the network is not cross-checked; tensorflow::set_random_seed()
# is followed by set.seed(13) before any draw), cv.glmnet keeps its fold ids
# (keep = TRUE), and the split, folds, design matrix and results are written to OUT_DIR.
#
# Usage: Rscript crosscheck/hitters.R OUT_DIR HITTERS_CSV

source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))), "_export.R")) # +
out <- out_dir() # +
Hitters <- read.csv(commandArgs(trailingOnly = TRUE)[[2]], stringsAsFactors = TRUE) # + (library(ISLR2))

# Remove rows with missing Salary; scale predictors
Gitters <- na.omit(Hitters)

# 2/3 training, 1/3 test
set.seed(13)
n      <- nrow(Gitters)
ntest  <- trunc(n / 3)
testid <- sample(seq_len(n), ntest)

# Model matrix (no intercept — keras adds its own biases)
# Scale to mean 0, sd 1 — important for gradient descent (@eq-xavier)
x <- scale(model.matrix(Salary ~ . - 1, data = Gitters))
y <- Gitters$Salary

cat("Training observations:", n - ntest,
    "\nTest observations:    ", ntest,
    "\nPredictors:           ", ncol(x), "\n")

# Linear regression MAE
lfit  <- lm(Salary ~ ., data = Gitters[-testid, ])
lpred <- predict(lfit, Gitters[testid, ])
mae_lm <- mean(abs(lpred - y[testid]))
cat("Linear regression MAE:", round(mae_lm, 1), "\n")

suppressPackageStartupMessages(library(glmnet))
set.seed(123)
cvfit    <- cv.glmnet(x[-testid, ], y[-testid], type.measure = "mae", keep = TRUE) # + keep
cpred    <- predict(cvfit, x[testid, ], s = "lambda.min")
mae_lasso <- mean(abs(y[testid] - cpred))
cat("Lasso MAE:", round(mae_lasso, 1), "\n")

# + exports
write.csv(data.frame(testid = testid), file.path(out, "hitters_testid.csv"), row.names = FALSE)
write.csv(data.frame(foldid = cvfit$foldid), file.path(out, "hitters_foldid.csv"), row.names = FALSE)
write_exact_csv(x, file.path(out, "hitters_x.csv"))
write_results(list(
  n = n, n_test = ntest, n_train = n - ntest, p = ncol(x),
  mae_lm = mae_lm, mae_lasso = mae_lasso,
  lambda_min = cvfit$lambda.min, lambda_1se = cvfit$lambda.1se,
  n_lambda = length(cvfit$lambda), npasses = cvfit$glmnet.fit$npasses
), file.path(out, "hitters.json"))
