test_that("a Python nnlabs error arrives as an nnlabs_error with the message only", {
  skip_if_no_nnlabs()
  validation <- nnlabs:::py_module("validation")
  err <- tryCatch(
    nnlabs:::with_python_errors(validation$check_int("epochs", 0L, 1L)),
    error = identity
  )
  expect_s3_class(err, c("nnlabs_parameter_error", "nnlabs_error"))
  expect_equal(conditionMessage(err), "epochs must be an integer >= 1; got 0")
  expect_equal(err$python_type, "ParameterError")
  expect_no_match(conditionMessage(err), "Traceback|File \"")
})

test_that("other Python exceptions are nnlabs_errors that name the Python type", {
  skip_if_no_nnlabs()
  builtins <- reticulate::import_builtins(convert = FALSE)
  err <- tryCatch(nnlabs:::with_python_errors(builtins$int("twelve")), error = identity)
  expect_s3_class(err, "nnlabs_error")
  expect_false(inherits(err, "nnlabs_parameter_error"))
  expect_match(conditionMessage(err), "^ValueError: invalid literal for int")
})

test_that("R errors inside a Python call pass through unchanged", {
  err <- tryCatch(nnlabs:::with_python_errors(stop("plain R")), error = identity)
  expect_false(inherits(err, "nnlabs_error"))
  expect_equal(conditionMessage(err), "plain R")
})
