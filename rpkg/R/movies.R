# Lab 4 (notes section 11.11.6): simulated movies classified as Hit or Flop.

MOVIE_FEATURES <- c("budget_m", "cast_score", "sequel", "genre_action", "genre_comedy", "marketing_m")
MOVIE_RESPONSE <- "hit"

# The notes' generative model, in the order the notes draw it: uniform features as
# (min, max), 0/1 features as success probabilities, log-revenue coefficients, noise sd.
MOVIE_BUDGET <- c(5, 200) # $M production budget
MOVIE_CAST <- c(0, 10) # aggregate star-power score
MOVIE_MARKETING <- c(1, 80) # $M marketing spend
MOVIE_P <- c(sequel = 0.3, genre_action = 0.25, genre_comedy = 0.20)
MOVIE_COEF <- c(
  log_budget = 0.8, cast_score = 0.5, sequel = 0.4, genre_action = 0.3,
  genre_comedy = 0.2, log_marketing = 0.3
)
MOVIE_NOISE_SD <- 0.8

#' Groups of almost equal size by rank, as dplyr's ntile()
#'
#' Ranks `x` (ties by position) and cuts the ranks into `n` groups whose sizes
#' differ by at most one, the larger groups first: the semantics of
#' `dplyr::ntile()` (dplyr >= 1.0), in base R.
#'
#' @param x a numeric vector; `NA` stays `NA`.
#' @param n number of groups.
#' @return an integer vector of group numbers in `1..n`.
#' @noRd
ntile <- function(x, n) {
  ranks <- rank(x, ties.method = "first", na.last = "keep")
  size <- sum(!is.na(ranks))
  n_larger <- size %% n
  larger_size <- ceiling(size / n)
  smaller_size <- floor(size / n)
  larger_threshold <- larger_size * n_larger
  in_larger <- !is.na(ranks) & ranks <= larger_threshold
  bins <- rep(NA_real_, length(ranks))
  bins[in_larger] <- (ranks[in_larger] + larger_size - 1) / larger_size
  rest <- !is.na(ranks) & !in_larger
  bins[rest] <- (ranks[rest] - larger_threshold + smaller_size - 1) / smaller_size + n_larger
  as.integer(floor(bins))
}

#' Simulate the notes' movies with R's random number generator
#'
#' Draws the notes' movie data exactly as their R code does: `set.seed(seed)`,
#' then `runif` budget and cast score, `rbinom` sequel, action and comedy,
#' `runif` marketing, and `rnorm` noise for the log revenue, in that order. Movies
#' are ranked into terciles of log revenue (the semantics of `dplyr::ntile()`); the
#' top tercile is a Hit (1), the bottom a Flop (0) and the middle is dropped, so
#' 500 movies give the notes' 333 movies, 166 Hits and 167 Flops.
#'
#' Dropping the middle tercile removes the movies hardest to classify, so accuracy
#' on what is left describes an easier problem than "will this movie be a hit";
#' `labels = "median"` keeps every movie (Hit = above the median).
#'
#' Like the notes, this calls `set.seed()`.
#'
#' @param n number of movies simulated before the middle tercile is dropped.
#' @param seed the seed (the notes' `set.seed(42)`).
#' @param labels `"terciles"` (the notes) or `"median"`.
#' @return a data frame with the six features, `log_revenue`, `tercile` (1-3) and
#'   `hit` (0/1 integer).
#' @export
#' @examples
#' movies <- simulate_movies()
#' c(movies = nrow(movies), hits = sum(movies$hit), flops = sum(1 - movies$hit))
simulate_movies <- function(n = 500L, seed = 42L, labels = c("terciles", "median")) {
  n <- arg_int(n, "n", 3L)
  seed <- arg_int(seed, "seed", 0L)
  labels <- arg_choice(labels, c("terciles", "median"), "labels")
  set.seed(seed)
  movies <- data.frame(
    budget_m = stats::runif(n, MOVIE_BUDGET[[1]], MOVIE_BUDGET[[2]]),
    cast_score = stats::runif(n, MOVIE_CAST[[1]], MOVIE_CAST[[2]]),
    sequel = stats::rbinom(n, 1, MOVIE_P[["sequel"]]),
    genre_action = stats::rbinom(n, 1, MOVIE_P[["genre_action"]]),
    genre_comedy = stats::rbinom(n, 1, MOVIE_P[["genre_comedy"]]),
    marketing_m = stats::runif(n, MOVIE_MARKETING[[1]], MOVIE_MARKETING[[2]])
  )
  movies$log_revenue <- with(movies, MOVIE_COEF[["log_budget"]] * log(budget_m) +
    MOVIE_COEF[["cast_score"]] * cast_score +
    MOVIE_COEF[["sequel"]] * sequel +
    MOVIE_COEF[["genre_action"]] * genre_action +
    MOVIE_COEF[["genre_comedy"]] * genre_comedy +
    MOVIE_COEF[["log_marketing"]] * log(marketing_m) +
    stats::rnorm(n, sd = MOVIE_NOISE_SD))
  movies$tercile <- ntile(movies$log_revenue, 3L)
  if (labels == "median") {
    movies$hit <- as.integer(ntile(movies$log_revenue, 2L) == 2L)
    return(movies)
  }
  movies$hit <- ifelse(movies$tercile == 3L, 1L, ifelse(movies$tercile == 1L, 0L, NA_integer_))
  movies <- movies[!is.na(movies$hit), ]
  rownames(movies) <- NULL
  movies
}

#' The movie lab: Hit or Flop with a logistic Lasso and a neural network
#'
#' Runs the notes' classification lab: split the movies 75 : 25, fit an
#' L1-penalized logistic regression (lambda by 10-fold cross-validation) and the
#' three-layer network (32 and 16 ReLU units, sigmoid output) with early stopping
#' on the validation AUC, and compare test accuracy and AUC (Table 11.35).
#' `summary()` shows precision, recall, F1, the confusion matrices and intervals.
#'
#' With `split = "r"` the split is drawn in R as the notes do (`set.seed(seed)`,
#' `ntest <- trunc(n * 0.25)`, `sample(seq_len(n), ntest)`) and, when `data` is
#' `NULL`, the movies are [simulate_movies()] (R's generator), so the data and the
#' split are the notes'. The Lasso's 10 cross-validation folds are drawn in R as
#' well, where the notes' `cv.glmnet()` draws them: the notes set no seed of their
#' own for it, so the folds continue R's stream after the split's `sample()`, i.e.
#' `set.seed(lasso_seed)`, the split's draw, then `sample(rep(seq(10), length =
#' 250))` (`lasso_seed` is 42, the split's seed). With the notes' data, split and
#' folds the Python Lasso, which follows glmnet's algorithm, gives the notes' 91.6%
#' and 0.972. With `split = "python"` and no `data`, Python simulates the movies
#' with NumPy (same model, other draws) and draws the folds itself.
#'
#' @param data a movies data frame (the six features and `hit`), e.g.
#'   [simulate_movies()]; `NULL` simulates.
#' @param split where the split (and, without `data`, the simulation) is drawn:
#'   `"python"` or `"r"`.
#' @param validation `"split"` early-stops on a validation part of the training
#'   rows; `"test"` on the test rows, as the notes, which biases the test AUC up.
#' @param scaling `"train"` or `"all"` (the notes' `scale()` before the split).
#' @param labels `"terciles"` (the notes) or `"median"`, when movies are simulated.
#' @param epochs maximum training epochs.
#' @param repeats number of random splits (1 with `split = "r"`).
#' @param seed the split seed (the notes' second `set.seed(42)`).
#'
#'   A setting left `NULL` takes the lab's default from the Python package;
#'   [lab_settings()] lists them all (`lab_settings("movies")`).
#' @param notes `TRUE` runs the notes' protocol (early stopping on the test rows,
#'   `scale()` of all rows); it overrides `validation` and `scaling`.
#' @param cache,out_dir,n_jobs as in [hitters_lab()].
#' @param ... further settings of the Python `MoviesSettings`, e.g.
#'   `patience = 10`, `threshold = 0.4`, `n_movies = 1000`, `data_seed = 1`,
#'   `lasso_seed = 7`; or `lasso_fold_ids` (one fold label per training row, with
#'   `split = "r"`) to give the Lasso's folds yourself.
#' @return an object of class `nnlabs_movies` / `nnlabs_result`. With
#'   `split = "r"` its `test_id` holds the notes' `testid_mov` and
#'   `lasso_fold_id` the Lasso's folds (one per training row, in row order).
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- movie_lab(data = simulate_movies(), split = "r", epochs = 20)
#'   fit
#'   summary(fit)
#' }
#' }
movie_lab <- function(data = NULL, split = c("python", "r"), validation = NULL, scaling = NULL,
                      labels = NULL, epochs = NULL, repeats = NULL, seed = NULL, notes = FALSE,
                      cache = TRUE, out_dir = NULL, n_jobs = NULL, ...) {
  split <- arg_choice(split, c("python", "r"), "split")
  checked <- check_lab_args(cache, out_dir, notes, n_jobs)
  data <- arg_frame(data, "data", c(MOVIE_FEATURES, MOVIE_RESPONSE))
  dots <- list(...)
  settings <- list(
    validation = validation, scaling = scaling, labels = labels,
    epochs = epochs, repeats = repeats, seed = seed
  )
  inputs <- lab_inputs(checked)
  test_id <- NULL
  if (split == "r") {
    if (r_setting("movies", "repeats", repeats) != 1L) {
      stop_arg("repeats", "1 when split = \"r\" (one split, drawn in R)", repeats)
    }
    if (is.null(data)) {
      data <- simulate_movies(
        n = r_setting("movies", "n_movies", dots$n_movies),
        seed = r_setting("movies", "data_seed", dots$data_seed),
        labels = r_setting("movies", "labels", labels)
      )
    }
    fraction <- r_setting("movies", "test_fraction", dots$test_fraction)
    drawn <- r_split(nrow(data), fraction, r_setting("movies", "seed", seed))
    inputs$train_index <- py_index(drawn$train)
    inputs$test_index <- py_index(drawn$test)
    test_id <- drawn$test
    # cv.glmnet() in the notes draws its folds right after the split, from the same seed.
    if (is.null(dots$lasso_fold_ids)) {
      fold_id <- r_fold_ids(
        length(drawn$train),
        nfolds = r_setting("movies", "lasso_folds", dots$lasso_folds),
        seed = r_setting("movies", "lasso_seed", dots$lasso_seed),
        replay = function() sample(seq_len(nrow(data)), length(drawn$test))
      )
      inputs$lasso_fold_ids <- reticulate::r_to_py(as.list(fold_id))
    }
  }
  if (!is.null(data)) inputs$data <- input_to_py(data)
  fit <- run_python_lab("movies", settings, dots, inputs,
    fun = "movie_lab", notes = checked$notes,
    split = split, test_id = test_id
  )
  if (split == "r") fit$lasso_fold_id <- dots$lasso_fold_ids %||% fold_id
  fit
}
