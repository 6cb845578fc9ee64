# The one place where values cross between R and Python: R arguments become Python
# keyword arguments (typed by the lab's Settings dataclass), Python results become R
# lists of data frames, and Python exceptions become R conditions of class nnlabs_error.

# ---- errors ---------------------------------------------------------------------------

# Python's nnlabs exception classes and the R condition class each becomes.
PYTHON_ERROR_CLASSES <- c(
  ParameterError = "nnlabs_parameter_error",
  DataError = "nnlabs_data_error",
  DownloadError = "nnlabs_download_error",
  NnlabsError = NA_character_
)

nnlabs_condition <- function(message, subclass = NULL, python_type = NULL) {
  structure(
    class = c(subclass, "nnlabs_error", "error", "condition"),
    list(message = message, call = NULL, python_type = python_type)
  )
}

is_python_error <- function(e) {
  inherits(e, c("Rcpp::exception", "python.builtin.BaseException"))
}

# The Python exception's type and message, without the traceback.
python_error_parts <- function(e) {
  text <- conditionMessage(e)
  last <- tryCatch(reticulate::py_last_error(), error = function(err) NULL)
  if (!is.null(last) && is.character(last$value) && length(last$value) == 1L &&
    grepl(last$value, text, fixed = TRUE)) {
    return(list(type = sub(".*\\.", "", last$type), message = last$value))
  }
  # Fallback: the first line of reticulate's message reads "module.Type: message".
  first <- sub("^\\s+", "", strsplit(text, "\n", fixed = TRUE)[[1]][[1]])
  parsed <- regmatches(first, regexec("^([A-Za-z_][A-Za-z0-9_.]*): (.*)$", first))[[1]]
  if (length(parsed) == 3L) {
    return(list(type = sub(".*\\.", "", parsed[[2]]), message = parsed[[3]]))
  }
  list(type = "Exception", message = first)
}

python_condition <- function(e) {
  parts <- python_error_parts(e)
  known <- parts$type %in% names(PYTHON_ERROR_CLASSES)
  subclass <- unname(PYTHON_ERROR_CLASSES[parts$type])
  subclass <- subclass[!is.na(subclass)]
  message <- if (known) parts$message else paste0(parts$type, ": ", parts$message)
  nnlabs_condition(message, subclass = subclass, python_type = parts$type)
}

# Evaluate a call into Python; a Python exception becomes an R error of class
# nnlabs_error carrying the Python message (not the traceback). R errors pass through.
with_python_errors <- function(expr) {
  tryCatch(expr, error = function(e) {
    if (inherits(e, "nnlabs_error") || !is_python_error(e)) {
      stop(e)
    }
    stop(python_condition(e))
  })
}

# ---- Python -> R ------------------------------------------------------------------------

py_builtins <- function() reticulate::import_builtins(convert = FALSE)

# The items of a Python sequence as a list of (unconverted) Python objects.
py_items <- function(x) {
  x <- py_builtins()$list(x)
  lapply(seq_len(reticulate::py_len(x)) - 1L, function(i) x$`__getitem__`(i))
}

py_isinstance <- function(x, cls) {
  reticulate::py_to_r(py_builtins()$isinstance(x, cls))
}

is_py_frame <- function(x) {
  inherits(x, "python.builtin.object") &&
    py_isinstance(x, reticulate::import("pandas", convert = FALSE)$DataFrame)
}

# A pandas DataFrame as an R data.frame: a meaningful index (e.g. the "Predicted" rows
# of a confusion matrix) becomes the first column, and row names are 1..n. Converted
# column by column rather than by reticulate's pandas method, which reticulate 1.28
# does not dispatch for pandas 3 (its frames' class is "pandas.DataFrame").
py_frame_to_r <- function(x) {
  b <- py_builtins()
  index_type <- reticulate::py_to_r(b$type(x$index)$`__name__`)
  if (!identical(index_type, "RangeIndex")) {
    x <- x$reset_index()
  }
  names <- reticulate::py_to_r(b$list(b$map(b$str, x$columns)))
  columns <- lapply(seq_along(names) - 1L, function(i) py_series_to_r(x$iloc$`__getitem__`(reticulate::tuple(b$slice(NULL), i))))
  names(columns) <- names
  out <- as.data.frame(columns, stringsAsFactors = FALSE, optional = TRUE)
  if (length(columns) == 0L) out <- data.frame(row.names = seq_len(reticulate::py_len(x)))
  rownames(out) <- NULL
  out
}

# One pandas column as an R vector: categoricals become factors, integers without
# missing values integers, other numbers doubles, booleans logicals, the rest strings.
# Values travel as Python lists: reticulate 1.28 cannot read NumPy 2 arrays.
py_series_to_r <- function(s) {
  b <- py_builtins()
  pd <- reticulate::import("pandas", convert = FALSE)
  types <- pd$api$types
  is <- function(check) reticulate::py_to_r(check(s))
  as_vector <- function(values, type) {
    out <- reticulate::py_to_r(values$tolist())
    if (length(out) == 0L) vector(type, 0L) else unlist(out, use.names = FALSE)
  }
  missing <- as_vector(s$isna(), "logical")
  if (reticulate::py_to_r(b$isinstance(s$dtype, pd$CategoricalDtype))) {
    levels <- reticulate::py_to_r(b$list(b$map(b$str, s$cat$categories)))
    codes <- as.integer(as_vector(s$cat$codes$astype("int64"), "integer"))
    return(factor(unlist(levels)[ifelse(codes < 0L, NA_integer_, codes + 1L)], levels = unlist(levels)))
  }
  if (is(types$is_bool_dtype)) {
    values <- as.logical(as_vector(s$fillna(FALSE)$astype("bool"), "logical"))
  } else if (is(types$is_numeric_dtype)) {
    values <- as.numeric(as_vector(s$astype("float64"), "double"))
    if (is(types$is_integer_dtype) && all(abs(values[!missing]) <= .Machine$integer.max)) {
      values <- as.integer(values)
    }
  } else {
    values <- as.character(unlist(reticulate::py_to_r(b$list(b$map(b$str, s)))))
  }
  values[missing] <- NA
  values
}

# Lists of scalars of one type become vectors (settings' tuples, column names).
simplify_list <- function(x) {
  if (!is.list(x) || length(x) == 0L) {
    return(x)
  }
  scalar <- vapply(x, function(v) is.atomic(v) && length(v) == 1L, logical(1))
  if (all(scalar) && length(unique(vapply(x, typeof, character(1)))) == 1L) {
    return(unlist(x, use.names = !is.null(names(x))))
  }
  x
}

# Any value a lab returns, converted recursively: frames, dicts, lists, paths, dataclasses.
py_value_to_r <- function(x) {
  if (!inherits(x, "python.builtin.object")) {
    return(x)
  }
  b <- py_builtins()
  if (py_isinstance(x, b$type(NULL))) {
    return(NULL)
  }
  if (is_py_frame(x)) {
    return(py_frame_to_r(x))
  }
  if (py_isinstance(x, b$dict)) {
    keys <- reticulate::py_to_r(b$list(b$map(b$str, x$keys())))
    out <- lapply(py_items(x$values()), py_value_to_r)
    names(out) <- keys
    return(out)
  }
  if (py_isinstance(x, reticulate::tuple(b$list, b$tuple))) {
    return(simplify_list(lapply(py_items(x), py_value_to_r)))
  }
  if (py_isinstance(x, reticulate::import("pathlib", convert = FALSE)$PurePath)) {
    return(reticulate::py_to_r(b$str(x)))
  }
  dataclasses <- reticulate::import("dataclasses", convert = FALSE)
  if (reticulate::py_to_r(dataclasses$is_dataclass(x))) {
    return(py_value_to_r(dataclasses$asdict(x)))
  }
  numpy <- reticulate::import("numpy", convert = FALSE)
  if (py_isinstance(x, reticulate::tuple(numpy$ndarray, numpy$generic))) {
    # NumPy values travel as Python lists and scalars (reticulate 1.28 predates NumPy 2).
    return(simplify_list(py_value_to_r(x$tolist())))
  }
  out <- tryCatch(reticulate::py_to_r(x), error = function(e) x)
  if (inherits(out, "python.builtin.object")) x else out
}

# ---- R -> Python ------------------------------------------------------------------------

# One converter per kind of setting (nnlabs.labs.describe(): "int", "float", "str",
# "bool", "int[]", ...; "?" appended when None is allowed). Each checks the R value's
# shape (and an integer's lower bound, which the Python rule declares) with an R-phrased
# message and returns the R value; the Python settings class checks every rule.
SETTING_CONVERTERS <- list(
  int = function(value, field) arg_int(value, field$name, field$low),
  float = function(value, field) arg_number(value, field$name),
  bool = function(value, field) arg_flag(value, field$name),
  str = function(value, field) {
    if (length(field$choices) > 0L) arg_choice(value, unlist(field$choices), field$name) else arg_string(value, field$name)
  },
  "int[]" = function(value, field) whole_numbers(value, field$name),
  "float[]" = function(value, field) {
    if (!is.numeric(value) || length(value) == 0L || anyNA(value)) stop_arg(field$name, "a numeric vector", value)
    as.numeric(value)
  },
  "bool[]" = function(value, field) {
    if (!is.logical(value) || length(value) == 0L || anyNA(value)) stop_arg(field$name, "a logical vector", value)
    value
  },
  "str[]" = function(value, field) {
    if (!is.character(value) || length(value) == 0L || anyNA(value)) stop_arg(field$name, "a character vector", value)
    value
  },
  object = function(value, field) value
)

# A lab's input (a data frame, file paths) for Python. Python is started first as
# ensure_nnlabs() chooses it: reticulate's own conversion would otherwise start
# whichever Python reticulate finds (one without nnlabs) when a lab given `data` is the
# session's first call into Python.
input_to_py <- function(value) {
  ensure_nnlabs()
  reticulate::r_to_py(value)
}

# A setting checked by its kind; NULL only where the setting allows None.
check_setting <- function(value, field) {
  kind <- sub("?", "", field$kind, fixed = TRUE)
  if (is.null(value)) {
    if (!identical(kind, field$kind)) {
      return(NULL)
    }
    stop_arg(field$name, sprintf("a value of kind %s", kind), value)
  }
  convert <- SETTING_CONVERTERS[[kind]]
  if (is.null(convert)) convert <- SETTING_CONVERTERS$object
  convert(value, field)
}

# A setting converted to Python: sequences become tuples, NULL None, data frames frames.
setting_to_py <- function(value, field) {
  value <- check_setting(value, field)
  if (is.null(value)) {
    return(reticulate::py_none())
  }
  if (endsWith(sub("?", "", field$kind, fixed = TRUE), "[]")) {
    return(reticulate::tuple(as.list(value)))
  }
  if (is.data.frame(value)) value <- as.data.frame(value)
  reticulate::r_to_py(value)
}

whole_numbers <- function(value, name) {
  if (!is.numeric(value) || length(value) == 0L || any(!is.finite(value)) || any(value != round(value))) {
    stop_arg(name, "a vector of whole numbers", value)
  }
  as.integer(value)
}

# Row indices for Python: zero-based, always a list (a length-1 R vector would
# otherwise arrive as a scalar).
py_index <- function(index) {
  reticulate::r_to_py(as.list(as.integer(index) - 1L))
}

# A data frame of new rows for Python, column by column. reticulate 1.28's own
# conversion turns NA into values (NA_integer_ into -2147483648, a logical NA into
# True, NA_character_ into the text "NA") and cannot convert date-times under NumPy 2,
# so values travel as Python lists with None for NA:
#   integer -> int64 (float64 when it has NA), double -> float64,
#   logical -> bool (float64 1/0 when it has NA), character -> text,
#   factor -> pandas categorical with the factor's levels,
#   Date and POSIXct -> datetime64 (a POSIXct's clock time in its own time zone).
# The index holds R's row names, so a Python message's "row 12" is R's row 12 (or the
# row named so). Any other kind of column is an nnlabs_parameter_error naming it.
r_frame_to_py <- function(frame, name = "newdata") {
  frame <- as.data.frame(frame)
  columns <- names(frame)
  if (is.null(columns) || anyNA(columns) || any(!nzchar(columns))) {
    stop_parameter(sprintf("%s must have a name for every column", name))
  }
  twice <- unique(columns[duplicated(columns)])
  if (length(twice) > 0L) {
    stop_parameter(sprintf("%s must name each column once; %s appear(s) more than once", name, quote_all(twice)))
  }
  pd <- reticulate::import("pandas", convert = FALSE)
  values <- lapply(columns, function(column) r_column_to_py(frame[[column]], column, name, pd))
  labels <- attr(frame, "row.names")
  index <- pd$Index(reticulate::r_to_py(as.list(labels)), dtype = if (is.integer(labels)) "int64" else "object")
  if (length(columns) == 0L) {
    return(pd$DataFrame(index = index))
  }
  out <- pd$DataFrame(reticulate::py_dict(as.list(columns), values, convert = FALSE))
  reticulate::py_set_attr(out, "index", index)
  out
}

# A Python list of the values of `x`, None for NA (a length-1 R vector would otherwise
# arrive as a scalar, a longer one as a NumPy array).
py_list <- function(x) {
  values <- as.list(x)
  values[is.na(x)] <- list(NULL)
  reticulate::r_to_py(values)
}

r_column_to_py <- function(x, column, name, pd) {
  missing <- is.na(x)
  if (is.factor(x)) {
    return(pd$Series(pd$Categorical(py_list(as.character(x)), categories = reticulate::r_to_py(as.list(levels(x))))))
  }
  if (inherits(x, "POSIXt")) {
    x <- as.POSIXct(x)
    zone <- attr(x, "tzone")
    zone <- if (is.null(zone)) "" else zone[[1]]
    text <- format(x, "%Y-%m-%dT%H:%M:%OS6", tz = zone)
    return(pd$to_datetime(pd$Series(py_list(text), dtype = "object"), format = "ISO8601"))
  }
  if (inherits(x, "Date")) {
    return(pd$to_datetime(pd$Series(py_list(format(x, "%Y-%m-%d")), dtype = "object"), format = "ISO8601"))
  }
  if (!is.null(dim(x)) || inherits(x, "integer64") ||
    (is.object(x) && !is.character(x) && !is.numeric(x) && !is.logical(x))) {
    stop_parameter(sprintf(
      "%s: column \"%s\" must be a vector (numbers, text, a factor, Date or POSIXct); got an object of class %s",
      name, column, paste(class(x), collapse = "/")
    ))
  }
  if (is.integer(x)) {
    return(pd$Series(py_list(x), dtype = if (any(missing)) "float64" else "int64"))
  }
  if (is.double(x)) {
    return(pd$Series(py_list(x), dtype = "float64"))
  }
  if (is.logical(x)) {
    if (any(missing)) {
      return(pd$Series(py_list(as.numeric(x)), dtype = "float64"))
    }
    return(pd$Series(py_list(x), dtype = "bool"))
  }
  if (is.character(x)) {
    return(pd$Series(py_list(enc2utf8(x)), dtype = "object"))
  }
  stop_parameter(sprintf(
    "%s: column \"%s\" must be a vector of numbers, text, a factor, Date or POSIXct; got %s",
    name, column, if (is.list(x)) "a list" else sprintf("type %s", typeof(x))
  ))
}

# ---- warnings -----------------------------------------------------------------------------

# Evaluate a call into Python, catching the Python warnings it issues. Warnings of
# nnlabs (nnlabs.errors.NnlabsWarning: DataWarning's notes on new rows, LoadWarning...)
# become R warnings of class nnlabs_<kind>_warning / nnlabs_warning carrying the message
# only; other Python warnings are issued again in Python, where they would have gone.
# The warnings are relayed even when the call fails (before its error).
with_python_warnings <- function(expr) {
  warnings <- reticulate::import("warnings", convert = FALSE)
  catcher <- warnings$catch_warnings(record = TRUE)
  caught <- catcher$`__enter__`()
  open <- TRUE
  close <- function() {
    if (open) {
      open <<- FALSE
      catcher$`__exit__`(NULL, NULL, NULL)
      relay_python_warnings(caught)
    }
  }
  on.exit(close())
  warnings$simplefilter("always")
  force(expr)
}

relay_python_warnings <- function(caught) {
  b <- py_builtins()
  warnings <- reticulate::import("warnings", convert = FALSE)
  base <- reticulate::import("nnlabs.errors", convert = FALSE)$NnlabsWarning
  for (w in py_items(caught)) {
    category <- w$category
    if (reticulate::py_to_r(b$issubclass(category, base))) {
      kind <- reticulate::py_to_r(category$`__name__`)
      warning(nnlabs_warning(reticulate::py_to_r(b$str(w$message)), kind))
    } else {
      warnings$warn_explicit(w$message, category, w$filename, w$lineno)
    }
  }
}

# An R warning condition for a Python nnlabs warning of class `kind` ("DataWarning"
# becomes class nnlabs_data_warning, then nnlabs_warning).
nnlabs_warning <- function(message, kind = "NnlabsWarning") {
  snake <- tolower(gsub("([a-z0-9])([A-Z])", "\\1_\\2", sub("Warning$", "", kind)))
  subclass <- if (nzchar(snake) && snake != "nnlabs") paste0("nnlabs_", snake, "_warning")
  structure(
    class = c(subclass, "nnlabs_warning", "warning", "condition"),
    list(message = message, call = NULL, python_type = kind)
  )
}
