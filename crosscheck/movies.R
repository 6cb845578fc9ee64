# Notes section 11.11.6.1-11.11.6.3 (movie Hit or Flop: simulation, features and split,
# logistic Lasso), transcribed from the notes. Additions, marked "# +": no network
# libraries (tensorflow::set_random_seed(42L) before the split is followed by the notes'
# own set.seed(42)), cv.glmnet keeps its fold ids (keep = TRUE), and the movies, split,
# folds, scaled features, test probabilities and results are written to OUT_DIR.
#
# Usage: Rscript crosscheck/movies.R OUT_DIR

source(file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(), value = TRUE))), "_export.R")) # +
out <- out_dir() # +
suppressPackageStartupMessages({ library(dplyr); library(glmnet) }) # + (the notes' library() calls)

set.seed(42)
n_movies <- 500

movies <- tibble::tibble(
  budget_m      = runif(n_movies, 5, 200),         # $M production budget
  cast_score    = runif(n_movies, 0, 10),           # aggregate star power score
  sequel        = rbinom(n_movies, 1, 0.3),         # is it a sequel?
  genre_action  = rbinom(n_movies, 1, 0.25),
  genre_comedy  = rbinom(n_movies, 1, 0.20),
  marketing_m   = runif(n_movies, 1, 80)            # $M marketing spend
) |>
  dplyr::mutate(
    # True log-revenue depends on features + noise
    log_revenue = 0.8 * log(budget_m) +
                  0.5 * cast_score +
                  0.4 * sequel +
                  0.3 * genre_action +
                  0.2 * genre_comedy +
                  0.3 * log(marketing_m) +
                  rnorm(n_movies, sd = 0.8),
    # Hit = top tercile; Flop = bottom tercile; middle dropped for clarity
    tercile = dplyr::ntile(log_revenue, 3),
    hit     = dplyr::case_when(
      tercile == 3 ~ 1L,
      tercile == 1 ~ 0L
    )
  ) |>
  dplyr::filter(!is.na(hit))

cat("Dataset:", nrow(movies), "movies |",
    sum(movies$hit), "Hits |", sum(1 - movies$hit), "Flops\n")

# Feature matrix — scale for gradient descent stability (@eq-xavier)
x_mov <- scale(as.matrix(
  movies[, c("budget_m", "cast_score", "sequel",
             "genre_action", "genre_comedy", "marketing_m")]
))
y_mov <- movies$hit

set.seed(42)
ntest_mov  <- trunc(nrow(movies) * 0.25)
testid_mov <- sample(seq_len(nrow(movies)), ntest_mov)

cat("Training:", nrow(movies) - ntest_mov,
    "| Test:", ntest_mov,
    "| Features:", ncol(x_mov), "\n")

lasso_mov      <- cv.glmnet(
  x_mov[-testid_mov, ], y_mov[-testid_mov],
  alpha  = 1,
  family = "binomial",
  keep   = TRUE # +
)

prob_lasso_mov <- predict(lasso_mov, x_mov[testid_mov, ],
                          s = "lambda.min", type = "response")
pred_lasso_mov <- as.integer(prob_lasso_mov > 0.5)
acc_lasso_mov  <- mean(pred_lasso_mov == y_mov[testid_mov])

roc_lasso_mov  <- pROC::roc(y_mov[testid_mov], as.vector(prob_lasso_mov),
                             quiet = TRUE)
auc_lasso_mov  <- as.numeric(pROC::auc(roc_lasso_mov))

cat(sprintf("Logistic Lasso -- Accuracy: %.1f%%  AUC: %.3f\n",
            acc_lasso_mov * 100, auc_lasso_mov))

# + exports
write_exact_csv(movies, file.path(out, "movies.csv"))
write_exact_csv(x_mov, file.path(out, "movies_x.csv"))
write.csv(data.frame(testid = testid_mov), file.path(out, "movies_testid.csv"), row.names = FALSE)
write.csv(data.frame(foldid = lasso_mov$foldid), file.path(out, "movies_foldid.csv"), row.names = FALSE)
write_exact_csv(data.frame(prob = as.vector(prob_lasso_mov)), file.path(out, "movies_prob.csv"))
write_results(list(
  n_movies = nrow(movies), hits = sum(movies$hit), flops = sum(1 - movies$hit),
  n_train = nrow(movies) - ntest_mov, n_test = ntest_mov,
  accuracy = acc_lasso_mov, auc = auc_lasso_mov,
  lambda_min = lasso_mov$lambda.min, n_lambda = length(lasso_mov$lambda)
), file.path(out, "movies.json"))
