# Using the trained models (notes section 11.10): predict new rows, save a lab's fitted
# models and load them in a later session. The models, their row schema and the checks
# of new rows are the Python package's (nnlabs.labs.fitted.FittedLab); this file
# converts the rows and the predictions and names the columns as R users expect.

PREDICT_TYPES <- c("response", "class", "prob")

# The Python FittedLab of a lab result or of a loaded lab.
fitted_python <- function(x, name = "x") {
  if (inherits(x, "nnlabs_fitted_lab")) {
    return(attr(x, "python"))
  }
  if (!inherits(x, "nnlabs_result")) {
    stop_arg(name, "a lab result (from hitters_lab(), movie_lab(), ...) or a lab from load_lab()", x)
  }
  fitted <- tryCatch(reticulate::py_get_attr(attr(x, "python"), "fitted"), error = function(e) NULL)
  if (is.null(fitted) || py_isinstance(fitted, py_builtins()$type(NULL))) {
    stop(nnlabs_condition(
      sprintf(
        "this %s result holds no fitted models (its Python package predates them); run the lab again with the current nnlabs",
        x$lab
      ),
      "nnlabs_python_missing"
    ))
  }
  fitted
}

# Arguments a method's `...` took that it has no use for: an error, so that a
# misspelt argument (`tpye = "class"`) is not silently ignored.
check_no_dots <- function(dots, fun) {
  if (length(dots) > 0L) {
    given <- names(dots) %||% rep("", length(dots))
    given[!nzchar(given)] <- "(unnamed)"
    stop_parameter(sprintf("%s has no argument(s) %s", fun, quote_all(given)))
  }
}

# The model argument: NULL (every model) or names of the table's models, for Python.
model_to_py <- function(model) {
  if (is.null(model)) {
    return(NULL)
  }
  if (!is.character(model) || length(model) == 0L || anyNA(model) || any(!nzchar(model))) {
    stop_arg("model", "NULL (every model) or the name(s) of models of the lab's table", model)
  }
  if (length(model) == 1L) model else reticulate::r_to_py(as.list(model))
}

# Predictions of the FittedLab `fitted` for the R data frame `newdata`, as a data frame
# with one row per row of newdata (and its row names). One model asked by name gives
# tidymodels' columns (.pred, .pred_class, .pred_<class>); several, or all, keep the
# Python names (the model; "<model> class"; "<model> P(<class>)").
predict_fitted <- function(fitted, newdata, model, type, dots, fun) {
  check_no_dots(dots, fun)
  if (!is.data.frame(newdata)) {
    stop_arg("newdata", "a data frame of new rows with the lab's columns", newdata)
  }
  type <- arg_choice(type, PREDICT_TYPES, "type")
  py_model <- model_to_py(model)
  newdata <- as.data.frame(newdata)
  rows <- r_frame_to_py(newdata, "newdata")
  predicted <- with_python_errors(with_python_warnings(fitted$predict(rows, model = py_model, type = type)))
  out <- py_frame_to_r(predicted$reset_index(drop = TRUE))
  if (length(model) == 1L) {
    names(out) <- tidy_prediction_names(names(out), model, py_value_to_r(fitted$classes))
  }
  if (.row_names_info(newdata) > 0L) {
    rownames(out) <- rownames(newdata)
  }
  out
}

tidy_prediction_names <- function(columns, model, classes) {
  out <- columns
  out[columns == model] <- ".pred"
  out[columns == paste(model, "class")] <- ".pred_class"
  for (class in classes) {
    out[columns == sprintf("%s P(%s)", model, class)] <- paste0(".pred_", class)
  }
  out
}

#' Predict new rows with a lab's trained models
#'
#' Predicts new rows, as the notes' `predict(final_model, newdata = new_data)` (section
#' 11.10), with the models a lab trained on its first split, or with a lab saved by
#' [save_lab()] and read back by [load_lab()]. Each model is a pipeline from the lab's
#' raw columns (those of [load_hitters()], [simulate_movies()], the 311 export or the
#' TLC trip files): the coding of factors, the scaling and the other steps fitted on
#' the training rows travel with it, so `newdata` holds rows as the data has them.
#'
#' `newdata` is checked against the training rows first (`print()` of a loaded lab
#' lists the columns, kinds, ranges and levels): a missing column, a column of the
#' wrong type, a missing value where the training rows had none, or a factor level the
#' training rows never had is an error of class `nnlabs_data_error` (an `nnlabs_error`)
#' whose message names the column and the row. Columns that are not inputs are
#' ignored: the response quietly, any other with a warning. Values far outside the
#' training rows' range are predicted with a warning, and the 311 lab maps
#' an unseen complaint type or agency to its "Other" level with a warning. These
#' warnings have class `nnlabs_data_warning` / `nnlabs_warning`.
#'
#' Factors arrive as categories with their levels, character columns as text, `Date`
#' and `POSIXct` columns as timestamps (a `POSIXct`'s clock time in its own time zone).
#'
#' @param object a lab result ([hitters_lab()], [movie_lab()], [nyc311_lab()],
#'   [taxi_lab()], [run_lab()]) or a lab from [load_lab()].
#' @param newdata a data frame of new rows with the lab's columns.
#' @param model `NULL` (default): every model of the lab's table, one column each,
#'   named by the model (e.g. `"Lasso"`); or the name of one model, which gives
#'   tidymodels' column names (below); or several names.
#' @param type `"response"` (default): a regression's predicted value, a classifier's
#'   probability of its second class (the movie lab's `"Hit"`); `"class"`: the
#'   predicted class, a factor with the lab's classes as levels; `"prob"`: each
#'   class's probability. `"class"` and `"prob"` need a classification lab.
#' @param ... nothing else is accepted (an error names what was given).
#' @return a data frame with one row per row of `newdata` (and its row names). For one
#'   `model`: `.pred` (`"response"`), `.pred_class` (`"class"`) or one `.pred_<class>`
#'   column per class (`"prob"`, e.g. `.pred_Flop`, `.pred_Hit`, which add up to 1).
#'   For several or all models: per model, a column named by the model (`"response"`),
#'   `"<model> class"` (`"class"`), or `"<model> P(<class>)"` per class (`"prob"`).
#' @seealso [save_lab()], [load_lab()].
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- hitters_lab(epochs = 5)
#'   players <- load_hitters()[1:3, ]
#'   predict(fit, newdata = players)
#'   predict(fit, newdata = players, model = "Lasso")
#'
#'   # A new player: the first one, a year later with more hits.
#'   new_player <- players[1, ]
#'   new_player$Years <- new_player$Years + 1L
#'   new_player$Hits <- new_player$Hits + 20L
#'   predict(fit, newdata = new_player)
#'
#'   movies <- movie_lab(epochs = 5)
#'   films <- simulate_movies()[1:2, c("budget_m", "cast_score", "sequel", "genre_action",
#'     "genre_comedy", "marketing_m")]
#'   predict(movies, newdata = films, model = "Neural Network (3-layer)", type = "prob")
#'   predict(movies, newdata = films, type = "class")
#' }
#' }
predict.nnlabs_result <- function(object, newdata, model = NULL, type = c("response", "class", "prob"), ...) {
  if (missing(newdata)) stop_arg("newdata", "a data frame of new rows with the lab's columns", NULL)
  predict_fitted(fitted_python(object, "object"), newdata, model, type, list(...), "predict()")
}

#' @rdname predict.nnlabs_result
#' @export
predict.nnlabs_fitted_lab <- function(object, newdata, model = NULL, type = c("response", "class", "prob"), ...) {
  if (missing(newdata)) stop_arg("newdata", "a data frame of new rows with the lab's columns", NULL)
  predict_fitted(attr(object, "python"), newdata, model, type, list(...), "predict()")
}

# A Python FittedLab as an object of class nnlabs_fitted_lab: what print() shows, and
# the Python object in the "python" attribute.
new_fitted_lab <- function(py, path = NULL) {
  b <- py_builtins()
  field <- function(name) reticulate::py_get_attr(py, name)
  scalar <- function(name) reticulate::py_to_r(field(name))
  structure(
    list(
      lab = scalar("lab"),
      title = scalar("title"),
      task = scalar("task"),
      response = scalar("response"),
      classes = py_value_to_r(field("classes")),
      threshold = scalar("threshold"),
      models = unlist(reticulate::py_to_r(b$list(b$map(b$str, field("models"))))),
      networks = unlist(py_value_to_r(field("networks"))),
      columns = py_frame_to_r(with_python_errors(field("schema")$table())),
      path = path
    ),
    class = "nnlabs_fitted_lab",
    python = py
  )
}

#' Save a lab's trained models, and load them again
#'
#' `save_lab()` writes the models a lab trained (on its first split) to a folder, with
#' what they need to predict new rows: the schema of the training rows (columns, types,
#' ranges, levels), the fitted coding and scaling, each network as a `.keras` file and
#' the other models in skops' format, the lab's settings and the versions used, and a
#' manifest with every file's SHA-256, written last. `load_lab()` reads such a folder in
#' any later session, for [predict()][predict.nnlabs_result] with the same arguments and
#' the same predictions as the lab result.
#'
#' `load_lab()` checks the manifest and every file before reading anything, reads only
#' the formats nnlabs writes, and loads networks with Keras' safe mode: no code from the
#' folder runs, and an altered or unknown file is an error (class `nnlabs_data_error`).
#' A folder saved with other versions of the Python libraries loads with a warning
#' (class `nnlabs_load_warning` / `nnlabs_warning`).
#'
#' A lab run with `out_dir` (e.g. `hitters_lab(out_dir = "outputs")`) has saved its
#' models there already, as `outputs/hitters_model`, beside its results and model card;
#' `load_lab("outputs")` finds it.
#'
#' @param x a lab result ([hitters_lab()], [movie_lab()], ...) or a lab from
#'   `load_lab()`.
#' @param path for `save_lab()`, the folder to write: a new folder, or one holding a
#'   saved lab, which is replaced. For `load_lab()`, a saved lab's folder, or a folder
#'   holding one (`<lab>_model`, as `out_dir` writes it).
#' @param lab with a folder holding several saved labs, which one (`"hitters"`).
#' @return `save_lab()`: the folder's path, invisibly. `load_lab()`: an object of
#'   class `nnlabs_fitted_lab`: a list with `lab`, `title`, `task` (`"regression"` or
#'   `"classification"`), `response`, `classes` (a classifier's two classes, the second
#'   the one whose probability `type = "response"` gives), `threshold`, `models`,
#'   `networks`, `columns` (the input columns: kind, type, range or levels, whether a
#'   missing value is allowed, what an unseen level becomes) and `path`. `print()`
#'   shows them and returns the object invisibly.
#' @seealso [predict.nnlabs_result()].
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- hitters_lab(epochs = 5)
#'   folder <- file.path(tempdir(), "hitters_model")
#'   save_lab(fit, folder)
#'   lab <- load_lab(folder)
#'   lab
#'   players <- load_hitters()[1:3, ]
#'   identical(predict(lab, newdata = players), predict(fit, newdata = players))
#' }
#' }
save_lab <- function(x, path) {
  fitted <- fitted_python(x)
  path <- path.expand(arg_string(path, "path"))
  written <- with_python_errors(with_python_warnings(fitted$save(path)))
  invisible(normalizePath(reticulate::py_str(written), mustWork = TRUE))
}

#' @rdname save_lab
#' @export
load_lab <- function(path, lab = NULL) {
  path <- path.expand(arg_string(path, "path"))
  if (!is.null(lab)) lab <- arg_string(lab, "lab")
  nnlabs <- py_module()
  py <- with_python_errors(with_python_warnings(nnlabs$load_lab(path, lab = lab)))
  new_fitted_lab(py, path = normalizePath(path, mustWork = FALSE))
}

#' @rdname save_lab
#' @param ... ignored.
#' @export
print.nnlabs_fitted_lab <- function(x, ...) {
  cat(sprintf("A trained lab: %s (%s)\n", x$lab, x$title))
  if (identical(x$task, "classification") && length(x$classes) == 2L) {
    cat(sprintf(
      "Classification of %s: %s or %s (type = \"response\" is P(%s); %s above %s)\n",
      x$response, x$classes[[1]], x$classes[[2]], x$classes[[2]], x$classes[[2]], format(x$threshold)
    ))
  } else {
    cat(sprintf("Regression of %s\n", x$response))
  }
  cat(sprintf("Models: %s\n", paste(x$models, collapse = ", ")))
  if (!is.null(x$path)) cat(sprintf("Loaded from: %s\n", x$path))
  cat(sprintf("Input columns (%d):\n", nrow(x$columns)))
  # The dtype (e.g. int64) is Python's detail; the kind says what the column must hold.
  shown <- x$columns[setdiff(names(x$columns), "dtype")]
  for (name in names(shown)) {
    text <- if (is.logical(shown[[name]])) ifelse(shown[[name]], "yes", "no") else as.character(shown[[name]])
    long <- !is.na(text) & nchar(text) > 40L
    text[long] <- paste0(substr(text[long], 1L, 37L), "...")
    shown[[name]] <- text
  }
  print(shown, row.names = FALSE, right = FALSE)
  invisible(x)
}
