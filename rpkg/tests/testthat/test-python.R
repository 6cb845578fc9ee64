test_that("nnlabs_python_config() reports the interpreter and the Python versions", {
  skip_if_no_nnlabs()
  config <- nnlabs_python_config()
  expect_s3_class(config, "nnlabs_python_config")
  expect_true(config$available)
  expect_null(config$problem)
  expect_true(file.exists(config$python))
  expect_true(all(c("nnlabs", "keras", "tensorflow", "backend", "devices") %in% names(config$facts)))
  expect_match(config$facts[["nnlabs"]], "^[0-9]+\\.[0-9]+")
  expect_output(print(config), "keras:")
})

test_that("the repository's .venv is found from a folder below the repository", {
  skip_if_no_nnlabs()
  root <- file.path(tempfile("repo"))
  dir.create(file.path(root, ".venv", "bin"), recursive = TRUE)
  dir.create(file.path(root, "notebooks", "deep"), recursive = TRUE)
  file.create(file.path(root, ".venv", "bin", "python"))
  writeLines(c("[project]", "name = \"nnlabs\""), file.path(root, "pyproject.toml"))
  found <- nnlabs:::find_repo_venv(file.path(root, "notebooks", "deep"))
  expect_equal(normalizePath(found$root), normalizePath(root))
  expect_equal(basename(found$python), "python")
  # A .venv next to another project's pyproject.toml is not ours.
  writeLines(c("[project]", "name = \"other\""), file.path(root, "pyproject.toml"))
  expect_null(nnlabs:::find_repo_venv(file.path(root, "notebooks")))
})

test_that("NNLABS_PYTHON comes first and must exist", {
  skip_if_no_nnlabs()
  fake <- tempfile("python")
  file.create(fake)
  old <- Sys.getenv(c("NNLABS_PYTHON", "RETICULATE_PYTHON"), unset = NA)
  on.exit(for (name in names(old)) {
    if (is.na(old[[name]])) Sys.unsetenv(name) else do.call(Sys.setenv, as.list(old[name]))
  })
  Sys.setenv(NNLABS_PYTHON = fake, RETICULATE_PYTHON = "/elsewhere/python")
  found <- nnlabs:::find_python()
  expect_equal(found$source, "NNLABS_PYTHON")
  expect_equal(basename(found$python), basename(fake))
  Sys.setenv(NNLABS_PYTHON = file.path(tempdir(), "no-such-python"))
  expect_error(nnlabs:::find_python(), "NNLABS_PYTHON points to .*does not exist")
})

test_that("the missing-Python message says what to run", {
  skip_if_no_nnlabs()
  text <- nnlabs:::no_python_message("no Python interpreter was found")
  expect_match(text, "make sync", fixed = TRUE)
  expect_match(text, "install_nnlabs()", fixed = TRUE)
  expect_match(text, "NNLABS_PYTHON", fixed = TRUE)
})

test_that("install_nnlabs() checks its arguments before installing anything", {
  skip_if_no_nnlabs()
  expect_error(install_nnlabs(envname = 1), "envname must be a single non-empty string; got 1")
  expect_error(install_nnlabs(package = c("a", "b")), "package must be a single non-empty string")
  expect_error(install_nnlabs(extras = NA), "extras must be a character vector")
  empty <- tempfile("notaproject")
  dir.create(empty)
  expect_error(install_nnlabs(package = empty), "without a pyproject.toml")
})

test_that("install_nnlabs() installs into a virtualenv that nnlabs can use", {
  skip_if_no_nnlabs()
  skip_if_not(identical(Sys.getenv("NNLABS_TEST_INSTALL"), "true"), "set NNLABS_TEST_INSTALL=true (needs PyPI)")
  envname <- file.path(tempdir(), "nnlabs-install-test")
  python <- install_nnlabs(envname = envname)
  expect_true(file.exists(python))
  out <- system2(python, c("-c", shQuote("import nnlabs; print(nnlabs.__version__)")), stdout = TRUE)
  expect_match(out, "^[0-9]+\\.[0-9]+")
})

test_that("an interpreter that does not start gives the friendly error, in a fresh R", {
  skip_if_no_nnlabs()
  skip_on_os("windows")
  fake <- tempfile("python")
  writeLines(c("#!/bin/sh", "exit 3"), fake)
  Sys.chmod(fake, "0755")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(nnlabs)",
    "cat('available:', nnlabs_available(), '\\n')",
    "err <- tryCatch(load_hitters(), error = identity)",
    "cat('class:', class(err), '\\n')",
    "cat(conditionMessage(err), '\\n')"
  ), script)
  out <- system2(
    file.path(R.home("bin"), "Rscript"), c("--vanilla", shQuote(script)),
    stdout = TRUE, stderr = TRUE, env = paste0("NNLABS_PYTHON=", fake)
  )
  out <- paste(out, collapse = "\n")
  expect_match(out, "available: FALSE", fixed = TRUE)
  expect_match(out, "class: nnlabs_python_missing nnlabs_error error condition", fixed = TRUE)
  expect_match(out, sprintf("the Python at \\S*%s \\(chosen by NNLABS_PYTHON\\) did not start", basename(fake)))
  expect_match(out, "make sync", fixed = TRUE)
})
