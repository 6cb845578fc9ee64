# The R side of a lab's result: an S3 list of data frames built from the Python
# LabResult, which is kept in the "python" attribute.

# A Python LabResult as an object of class c("nnlabs_<lab>", "nnlabs_result").
new_lab_result <- function(py, split = "python", test_id = NULL) {
  dataclasses <- reticulate::import("dataclasses", convert = FALSE)
  field <- function(name) reticulate::py_get_attr(py, name)
  scalar <- function(name) reticulate::py_to_r(field(name))
  out <- list(
    lab = scalar("lab"),
    title = scalar("title"),
    table = py_frame_to_r(field("table")),
    history = py_frame_to_r(field("history")),
    uncertainty = py_value_to_r(field("uncertainty")),
    repeat_scores = py_value_to_r(field("repeat_scores")),
    extras = py_value_to_r(field("extras")),
    settings = py_value_to_r(dataclasses$asdict(field("settings"))),
    network = scalar("network"),
    metric = scalar("metric"),
    digits = as.integer(scalar("digits")),
    files = py_value_to_r(field("files")),
    importance = py_value_to_r(field("importance")),
    shap = py_value_to_r(field("shap")),
    subgroups = py_value_to_r(field("subgroups")),
    fairness = py_value_to_r(field("fairness")),
    verdict = py_value_to_r(field("verdict")),
    model_card = py_value_to_r(field("model_card")),
    split = split,
    test_id = test_id
  )
  structure(out, class = c(paste0("nnlabs_", out$lab), "nnlabs_result"), python = py)
}

check_result <- function(x, name = "x") {
  if (!inherits(x, "nnlabs_result")) {
    stop(
      sprintf(
        "%s must be a lab result (from hitters_lab(), movie_lab(), ...); got an object of class %s",
        name, paste(class(x), collapse = "/")
      ),
      call. = FALSE
    )
  }
  invisible(x)
}

#' The comparison table and training history of a lab result
#'
#' `lab_table()` returns the table the notes print for the lab (one row per model,
#' test-set metrics); `lab_history()` the network's training history (one row per
#' epoch: `loss`, the monitored metric, their `val_` counterparts on the validation
#' rows, and the learning rate).
#'
#' @param x a result from [hitters_lab()], [movie_lab()], [nyc311_lab()] or
#'   [taxi_lab()].
#' @return a data frame.
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- hitters_lab(epochs = 5)
#'   lab_table(fit)
#'   tail(lab_history(fit))
#' }
#' }
lab_table <- function(x) {
  check_result(x)
  x$table
}

#' @rdname lab_table
#' @export
lab_history <- function(x) {
  check_result(x)
  x$history
}

ANALYSES <- c("importance", "shap", "subgroups", "fairness", "model_card", "verdict")

#' What a lab answers of the notes' section on responsible modelling
#'
#' The analyses every lab runs on its first split (section 11.16 of the notes), as data
#' frames:
#'
#' * `"importance"`: permutation importance of every model on the test rows, one row per
#'   model and input (`importance`: mean worsening of the lab's metric when the input
#'   is shuffled, `sd` over the shuffles, `columns`: design columns shuffled together);
#' * `"shap"`: SHAP values of the networks (Kernel SHAP), one row per network, explained
#'   test row and design column; `base_value` plus the row's `shap` values add up to
#'   its `prediction`;
#' * `"subgroups"`: each model's test metrics within each group (League, borough,
#'   genre...), with the number of test rows `n` and `small` (fewer than
#'   `min_group_size`);
#' * `"fairness"`: for the classifier, Table 11.38's differences between groups
#'   (demographic parity, true- and false-positive rates, equalized odds) with 95\%
#'   bootstrap intervals;
#' * `"verdict"`: the notes' rule ("a gap under 5%: use the simpler model") for each
#'   network against the best simpler model (linear models, gradient-boosted trees),
#'   with the interval of the relative gap and the decision;
#' * `"model_card"`: the model card, one row per entry (`section`, `item`, `text`).
#'
#' Importance and SHAP are absent when the lab ran with `explain = FALSE`, subgroups and
#' fairness with `disaggregate = FALSE`; fairness exists for classification labs only.
#'
#' @param x a lab result.
#' @param what which analysis (one of the six above).
#' @return a data frame (with no rows when the analysis was not run).
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- hitters_lab(epochs = 5, shap_rows = 5)
#'   lab_analysis(fit, "verdict")
#'   head(lab_analysis(fit, "importance"))
#' }
#' }
lab_analysis <- function(x, what = c("importance", "shap", "subgroups", "fairness", "model_card", "verdict")) {
  check_result(x)
  what <- arg_choice(what, ANALYSES, "what")
  if (what == "model_card") {
    return(card_frame(x$model_card))
  }
  value <- x[[what]]
  if (is.null(value)) data.frame() else value
}

# The model card (a nested list) as a data frame: one row per entry.
card_frame <- function(card) {
  if (is.null(card)) {
    return(data.frame(section = character(), item = character(), text = character()))
  }
  rows <- list()
  add <- function(section, item, value) {
    if (is.data.frame(value)) {
      value <- apply(value, 1L, function(r) paste(names(r), trimws(r), sep = " = ", collapse = "; "))
    }
    if (is.list(value) && !is.null(names(value))) {
      for (name in names(value)) add(section, if (nzchar(item)) paste(item, name, sep = ".") else name, value[[name]])
      return(invisible())
    }
    if (is.list(value)) {
      value <- vapply(value, function(v) format_setting(v), character(1))
    }
    text <- if (length(value) == 0L) "" else vapply(value, format_setting, character(1))
    rows[[length(rows) + 1L]] <<- data.frame(section = section, item = item, text = text, stringsAsFactors = FALSE)
  }
  for (section in names(card)) add(section, "", card[[section]])
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

# Numbers formatted as the notes round them, right-aligned under their header.
format_table <- function(frame, digits) {
  out <- frame
  for (name in names(out)) {
    column <- out[[name]]
    if (is.numeric(column) && !is.integer(column)) {
      column <- formatC(column, format = "f", digits = digits, big.mark = ",")
    } else {
      column <- as.character(column)
    }
    out[[name]] <- column
  }
  out
}

#' Methods for lab results
#'
#' `print()` shows the comparison table (as the notes round it), `plot()` the
#' network's training history (ggplot2 when it is installed, else base graphics),
#' `as.data.frame()` the table, and `summary()` the settings, the lab's further
#' metrics, the 95\% intervals (over repeats or a bootstrap), the notes' verdict and the
#' section 11.16 analyses in short: the inputs each model relies on most, the metrics by
#' subgroup (small groups flagged) and, for a classifier, the fairness differences (see
#' [lab_analysis()] for the full tables).
#'
#' @param x,object a lab result.
#' @param digits decimals shown; `NULL` uses the lab's own (1 for Hitters).
#' @param engine `"auto"` (ggplot2 when installed), `"ggplot2"` or `"base"`.
#' @param row.names,optional ignored; for the generic.
#' @param ... ignored.
#' @return `print()` and `plot()` return `x` invisibly (`plot()` with ggplot2 returns
#'   the ggplot object invisibly); `as.data.frame()` a data frame; `summary()` an
#'   object of class `summary.nnlabs_result`.
#' @name nnlabs_result
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   fit <- hitters_lab(epochs = 5)
#'   print(fit)
#'   plot(fit, engine = "base")
#'   as.data.frame(fit)
#'   summary(fit)
#' }
#' }
NULL

#' @rdname nnlabs_result
#' @export
print.nnlabs_result <- function(x, digits = NULL, ...) {
  digits <- digits %||% x$digits
  cat(x$title, "\n", sep = "")
  print(format_table(x$table, digits), row.names = FALSE, right = TRUE)
  if (identical(x$split, "r")) {
    cat(sprintf("Split drawn in R (set.seed(%s)); %d test rows.\n", x$settings$seed, length(x$test_id)))
  }
  invisible(x)
}

#' @rdname nnlabs_result
#' @export
as.data.frame.nnlabs_result <- function(x, row.names = NULL, optional = FALSE, ...) {
  x$table
}

# The history in long form: one row per epoch, quantity (loss or metric) and data set.
history_long <- function(history, metric) {
  quantities <- intersect(c("loss", metric), names(history))
  pieces <- list()
  for (quantity in quantities) {
    for (data in c("training", "validation")) {
      column <- if (data == "training") quantity else paste0("val_", quantity)
      if (column %in% names(history)) {
        pieces[[length(pieces) + 1L]] <- data.frame(
          epoch = history$epoch,
          value = history[[column]],
          quantity = quantity,
          data = data,
          stringsAsFactors = FALSE
        )
      }
    }
  }
  out <- do.call(rbind, pieces)
  out$quantity <- factor(out$quantity, levels = quantities)
  out
}

#' @rdname nnlabs_result
#' @export
plot.nnlabs_result <- function(x, engine = c("auto", "ggplot2", "base"), ...) {
  engine <- arg_choice(engine, c("auto", "ggplot2", "base"), "engine")
  if (engine == "auto") {
    engine <- if (requireNamespace("ggplot2", quietly = TRUE)) "ggplot2" else "base"
  }
  long <- history_long(x$history, x$metric)
  if (engine == "ggplot2") {
    if (!requireNamespace("ggplot2", quietly = TRUE)) {
      stop("engine = \"ggplot2\" needs the ggplot2 package; install it or use engine = \"base\"",
        call. = FALSE
      )
    }
    plot <- ggplot2::ggplot(long, ggplot2::aes(x = epoch, y = value, colour = data)) +
      ggplot2::geom_line() +
      ggplot2::geom_point(size = 0.8) +
      ggplot2::facet_wrap(~quantity, ncol = 1, scales = "free_y") +
      ggplot2::labs(title = x$title, x = "epoch", y = NULL, colour = NULL) +
      ggplot2::theme_bw()
    print(plot)
    return(invisible(plot))
  }
  plot_history_base(long, x$title)
  invisible(x)
}

plot_history_base <- function(long, title) {
  quantities <- levels(long$quantity)
  old <- graphics::par(mfrow = c(length(quantities), 1L), mar = c(4, 4, 2, 1))
  on.exit(graphics::par(old))
  colours <- c(training = "#1b9e77", validation = "#d95f02")
  for (quantity in quantities) {
    part <- long[long$quantity == quantity, ]
    graphics::plot(
      range(part$epoch), range(part$value, finite = TRUE),
      type = "n", xlab = "epoch", ylab = quantity,
      main = if (quantity == quantities[[1]]) title else ""
    )
    for (data in unique(part$data)) {
      rows <- part[part$data == data, ]
      graphics::lines(rows$epoch, rows$value, col = colours[[data]], type = "o", pch = 20, cex = 0.6)
    }
    graphics::legend("topright", legend = unique(part$data), col = colours[unique(part$data)], lty = 1, bty = "n")
  }
}

#' @rdname nnlabs_result
#' @export
summary.nnlabs_result <- function(object, ...) {
  extras <- object$extras
  scalars <- extras[vapply(extras, function(v) is.atomic(v) && length(v) == 1L, logical(1))]
  tables <- extras[vapply(extras, is.data.frame, logical(1))]
  structure(
    list(
      lab = object$lab,
      title = object$title,
      settings = object$settings,
      table = object$table,
      epochs_run = nrow(object$history),
      facts = scalars,
      tables = tables,
      uncertainty = object$uncertainty,
      repeat_scores = object$repeat_scores,
      verdict = object$verdict,
      importance = object$importance,
      subgroups = object$subgroups,
      fairness = object$fairness,
      split = object$split,
      digits = object$digits
    ),
    class = "summary.nnlabs_result"
  )
}

format_setting <- function(value) {
  if (is.list(value)) {
    inner <- vapply(names(value), function(n) paste0(n, "=", format_setting(value[[n]])), character(1))
    return(paste0("(", paste(inner, collapse = ", "), ")"))
  }
  if (is.null(value)) {
    return("NULL")
  }
  text <- if (is.character(value)) value else format(value, trim = TRUE)
  if (length(text) > 1L) paste0("(", paste(text, collapse = ", "), ")") else text
}

#' @export
print.summary.nnlabs_result <- function(x, ...) {
  cat(x$title, "\n\n", sep = "")
  cat("Settings:\n")
  settings <- vapply(x$settings, format_setting, character(1))
  cat(sprintf("  %-20s %s\n", names(settings), settings), sep = "")
  cat(sprintf("  %-20s %s\n", "split drawn in", if (identical(x$split, "r")) "R" else "Python"))
  cat("\nTest metrics:\n")
  print(format_table(x$table, x$digits), row.names = FALSE)
  cat(sprintf("\nEpochs run: %d\n", x$epochs_run))
  if (length(x$facts) > 0L) {
    facts <- vapply(x$facts, format_setting, character(1))
    cat(sprintf("  %-20s %s\n", names(facts), facts), sep = "")
  }
  for (name in names(x$tables)) {
    cat(sprintf("\n%s:\n", name))
    print(format_table(x$tables[[name]], x$digits + 2L), row.names = FALSE)
  }
  if (!is.null(x$uncertainty)) {
    intervals <- x$uncertainty
    method <- if (is.null(x$repeat_scores)) {
      "paired bootstrap on the test rows"
    } else {
      sprintf("%d repeated splits", length(unique(x$repeat_scores[["repeat"]])))
    }
    # One method for every row: say it once in the heading instead of on each row.
    if ("method" %in% names(intervals) && length(unique(intervals$method)) == 1L) {
      method <- intervals$method[[1]]
      intervals$method <- NULL
    }
    cat(sprintf("\n95%% intervals, %s:\n", method))
    print(format_table(intervals, x$digits + 1L), row.names = FALSE)
  }
  print_analyses(x)
  invisible(x)
}

# The section 11.16 part of summary(): verdict, top inputs, subgroups, fairness.
print_analyses <- function(x) {
  if (is.data.frame(x$verdict) && nrow(x$verdict) > 0L) {
    cat("\nThe notes' rule (a gap under 5%: use the simpler model):\n")
    cat(sprintf("  %s\n", x$verdict$text), sep = "")
  }
  if (is.data.frame(x$importance) && nrow(x$importance) > 0L) {
    cat("\nPermutation importance on the test rows (top 3 inputs per model):\n")
    top <- x$importance[x$importance$rank <= 3L, c("Model", "rank", "feature", "importance", "sd")]
    print(format_table(top, x$digits + 2L), row.names = FALSE)
  }
  if (is.data.frame(x$subgroups) && nrow(x$subgroups) > 0L) {
    cat("\nTest metrics by subgroup (small: fewer test rows than min_group_size):\n")
    print(format_table(x$subgroups, x$digits + 1L), row.names = FALSE)
  }
  if (is.data.frame(x$fairness) && nrow(x$fairness) > 0L) {
    cat("\nFairness between groups (Table 11.38), 95% bootstrap intervals:\n")
    keep <- c("Model", "grouping", "metric", "value", "low", "high", "small_groups")
    print(format_table(x$fairness[keep], x$digits), row.names = FALSE)
  }
}
