# Argument checks done in R, before Python starts. Messages follow the Python core's
# wording: which argument, what rule, what value ("epochs must be ...; got -1"). They
# are R errors of class nnlabs_parameter_error (an nnlabs_error), like Python's.

stop_arg <- function(name, rule, value) {
  stop_parameter(sprintf("%s must be %s; got %s", name, rule, describe_value(value)))
}

stop_parameter <- function(message) {
  stop(nnlabs_condition(message, "nnlabs_parameter_error"))
}

describe_value <- function(value) {
  if (is.null(value)) {
    return("NULL")
  }
  if (is.data.frame(value)) {
    return(sprintf("a data frame with columns %s", paste(names(value), collapse = ", ")))
  }
  if (is.atomic(value) && length(value) == 1L) {
    return(if (is.character(value)) sprintf("\"%s\"", value) else format(value))
  }
  if (is.atomic(value) && length(value) <= 5L && length(value) > 0L) {
    return(sprintf("c(%s)", paste(format(value), collapse = ", ")))
  }
  sprintf("an object of class %s and length %d", class(value)[[1]], length(value))
}

# A single whole number >= minimum, returned as an R integer (a Python int).
arg_int <- function(value, name, minimum = NULL) {
  rule <- if (is.null(minimum)) "a single whole number" else sprintf("a single whole number >= %d", minimum)
  ok <- is.numeric(value) && length(value) == 1L && !is.na(value) && is.finite(value) &&
    value == round(value) && abs(value) <= .Machine$integer.max
  if (!ok || (!is.null(minimum) && value < minimum)) {
    stop_arg(name, rule, value)
  }
  as.integer(value)
}

# A single finite number, optionally within [low, high].
arg_number <- function(value, name, low = -Inf, high = Inf) {
  ok <- is.numeric(value) && length(value) == 1L && !is.na(value) && is.finite(value) &&
    value >= low && value <= high
  if (!ok) {
    rule <- if (is.finite(low) || is.finite(high)) {
      sprintf("a single number in [%s, %s]", format(low), format(high))
    } else {
      "a single finite number"
    }
    stop_arg(name, rule, value)
  }
  as.numeric(value)
}

arg_flag <- function(value, name) {
  if (!is.logical(value) || length(value) != 1L || is.na(value)) {
    stop_arg(name, "TRUE or FALSE", value)
  }
  value
}

arg_string <- function(value, name) {
  if (!is.character(value) || length(value) != 1L || is.na(value) || !nzchar(value)) {
    stop_arg(name, "a single non-empty string", value)
  }
  value
}

# One of `choices`, by match.arg (so a missing argument takes the first choice and a
# unique prefix is accepted), with an error that names the argument.
arg_choice <- function(value, choices, name) {
  if (!is.character(value) || anyNA(value)) {
    stop_arg(name, sprintf("one of %s", quote_all(choices)), value)
  }
  tryCatch(
    match.arg(value, choices),
    error = function(e) stop_arg(name, sprintf("one of %s", quote_all(choices)), value)
  )
}

quote_all <- function(x) paste(sprintf("\"%s\"", x), collapse = ", ")

# NULL, or a single path string (a folder that may not exist yet).
arg_path <- function(value, name) {
  if (is.null(value)) {
    return(NULL)
  }
  path.expand(arg_string(value, name))
}

# The cache argument of every lab: TRUE (the default folder), FALSE, or a folder.
arg_cache <- function(value) {
  if (is.logical(value) && length(value) == 1L && !is.na(value)) {
    return(value)
  }
  if (is.character(value) && length(value) == 1L && !is.na(value) && nzchar(value)) {
    return(path.expand(value))
  }
  stop_arg("cache", "TRUE, FALSE or a folder path", value)
}

# A data frame holding `required` columns (NULL passes through).
arg_frame <- function(value, name, required) {
  if (is.null(value)) {
    return(NULL)
  }
  if (!is.data.frame(value)) {
    stop_arg(name, "a data frame", value)
  }
  missing <- setdiff(required, names(value))
  if (length(missing) > 0L) {
    stop_parameter(sprintf(
      "%s must have the column(s) %s; missing %s",
      name, quote_all(required), quote_all(missing)
    ))
  }
  if (nrow(value) == 0L) {
    stop_parameter(sprintf("%s must have at least one row; got 0", name))
  }
  as.data.frame(value)
}

`%||%` <- function(x, y) if (is.null(x)) y else x
