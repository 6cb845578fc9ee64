# Finding Python, the bundled Python package and install_nnlabs(). Most of these tests
# are pure R and run without Python.

# Set environment variables (NA unsets one); returns the old values for restore_env().
set_env <- function(...) {
  values <- c(...)
  old <- Sys.getenv(names(values), unset = NA, names = TRUE)
  unset <- names(values)[is.na(values)]
  if (length(unset)) Sys.unsetenv(unset)
  if (any(!is.na(values))) do.call(Sys.setenv, as.list(values[!is.na(values)]))
  old
}

restore_env <- function(old) {
  for (name in names(old)) {
    if (is.na(old[[name]])) Sys.unsetenv(name) else do.call(Sys.setenv, as.list(old[name]))
  }
}

test_that("nnlabs_doctor() reports the interpreter, why it was chosen, and the versions", {
  skip_if_no_nnlabs()
  config <- nnlabs_doctor()
  expect_s3_class(config, "nnlabs_python_config")
  expect_true(config$available)
  expect_null(config$problem)
  expect_true(file.exists(config$python))
  expect_true(nzchar(config$source))
  expect_true(all(c("nnlabs", "keras", "tensorflow", "backend", "devices", "environment") %in% names(config$facts)))
  expect_equal(config$facts[["chosen by"]], config$source)
  expect_equal(config$facts[["nnlabs"]], as.character(packageVersion("nnlabs")))
  expect_output(print(config), "chosen by:")
  expect_output(print(config), "keras:")
  expect_identical(nnlabs_python_config, nnlabs_doctor)
})

test_that("the repository's .venv is found from a folder below the repository", {
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
  fake <- tempfile("python")
  file.create(fake)
  old <- set_env(NNLABS_PYTHON = fake, RETICULATE_PYTHON = "/elsewhere/python")
  on.exit(restore_env(old), add = TRUE)
  found <- nnlabs:::find_python()
  expect_equal(found$source, "NNLABS_PYTHON")
  expect_equal(basename(found$python), basename(fake))
  missing <- file.path(tempdir(), "no-such-python")
  Sys.setenv(NNLABS_PYTHON = missing)
  err <- tryCatch(nnlabs:::find_python(), error = identity)
  expect_s3_class(err, "nnlabs_error")
  expect_equal(
    conditionMessage(err),
    sprintf("NNLABS_PYTHON must be the path of a Python interpreter; got %s, which does not exist", missing)
  )
})

test_that("the install_nnlabs() environment of this version is found after the .venv; 'managed' skips to py_require", {
  data <- tempfile("userdata")
  old <- set_env(NNLABS_PYTHON = NA, RETICULATE_PYTHON = "managed", R_USER_DATA_DIR = data)
  on.exit(restore_env(old), add = TRUE)
  outside <- tempfile("elsewhere")
  dir.create(outside)
  expect_null(nnlabs:::find_python(outside))
  version <- as.character(packageVersion("nnlabs"))
  env <- nnlabs:::env_dir(version)
  expect_true(startsWith(env, data))
  expect_equal(basename(env), paste0("python-", version))
  dir.create(file.path(env, "bin"), recursive = TRUE)
  file.create(file.path(env, "bin", "python"))
  # No marker file: a half-made folder is not an environment.
  expect_null(nnlabs:::find_python(outside))
  write.dcf(data.frame(Version = version, Extras = "jax"), file.path(env, "NNLABS_ENV"))
  found <- nnlabs:::find_python(outside)
  expect_match(found$source, "install_nnlabs()", fixed = TRUE)
  expect_equal(basename(found$python), "python")
  expect_equal(nnlabs:::installed_env(version)$extras, "jax")
  # An environment for another version is not used.
  write.dcf(data.frame(Version = "0.0.1", Extras = ""), file.path(env, "NNLABS_ENV"))
  expect_null(nnlabs:::find_python(outside))
})

test_that("the missing-Python message says what to run", {
  text <- nnlabs:::no_python_message("no Python interpreter was found")
  expect_match(text, "make sync", fixed = TRUE)
  expect_match(text, "install_nnlabs()", fixed = TRUE)
  expect_match(text, "NNLABS_PYTHON", fixed = TRUE)
  expect_match(text, "reticulate >= 1.41", fixed = TRUE)
})

test_that("the package carries the nnlabs wheel of its own version and the pinned requirements", {
  bundle <- bundle_or_skip()
  version <- as.character(packageVersion("nnlabs"))
  expect_equal(bundle$version, version)
  expect_equal(basename(bundle$wheel), sprintf("nnlabs-%s-py3-none-any.whl", version))
  expect_true(file.exists(bundle$wheel))
  expect_setequal(bundle$extras, c("cuda", "dask", "jax", "metal"))
  expect_match(bundle$requires_python, ">=3.10", fixed = TRUE)
  for (file in nnlabs:::requirement_files(bundle, bundle$extras)) expect_true(file.exists(file), label = file)
})

test_that("nothing asks a package index for a project named nnlabs: only the bundled wheel, by path", {
  bundle <- bundle_or_skip()
  requirements <- nnlabs:::python_requirements(bundle)
  expect_equal(requirements[[1]], bundle$wheel)
  expect_true(file.exists(requirements[[1]]))
  pins <- requirements[-1]
  expect_gt(length(pins), 20L)
  expect_true(all(grepl("^[A-Za-z0-9._-]+==[^ ;]+( ;.*)?$", pins)), label = "every other requirement is an exact pin")
  names <- tolower(sub("==.*", "", pins))
  expect_false("nnlabs" %in% names)
  expect_true(all(c("tensorflow", "keras", "numpy") %in% names))
  # Every line of every bundled requirements file: a pin of another project, or the wheel.
  for (file in nnlabs:::requirement_files(bundle, bundle$extras)) {
    lines <- trimws(readLines(file))
    lines <- lines[nzchar(lines) & !startsWith(lines, "#")]
    wheel_lines <- lines[startsWith(lines, "./")]
    expect_true(all(wheel_lines == paste0("./", basename(bundle$wheel))), label = file)
    expect_false(any(grepl("^nnlabs\\b", lines, ignore.case = TRUE)), label = file)
  }
  with_cuda <- nnlabs:::python_requirements(bundle, "cuda")
  expect_true(all(pins %in% with_cuda))
  expect_true(any(startsWith(with_cuda, "nvidia-")))
})

test_that("on reticulate >= 1.41, .onLoad declared the bundled wheel and pins with py_require()", {
  skip_if_not(nnlabs:::has_py_require(), "reticulate < 1.41 has no py_require()")
  bundle <- bundle_or_skip()
  declared <- getExportedValue("reticulate", "py_require")()
  expect_true(bundle$wheel %in% declared$packages)
  expect_true(all(nnlabs:::python_requirements(bundle) %in% declared$packages))
})

test_that("a bundle whose version is not the R package's is an nnlabs_version_error", {
  dir <- tempfile("bundle")
  dir.create(dir)
  writeLines(c("Version: 0.0.1", "Wheel: nnlabs-0.0.1-py3-none-any.whl", "Requires-Python: >=3.10", "Extras: jax"), file.path(dir, "BUNDLE"))
  err <- tryCatch(nnlabs:::python_bundle(dir), error = identity)
  expect_s3_class(err, c("nnlabs_version_error", "nnlabs_error"))
  expect_match(conditionMessage(err), sprintf("must have the R package's version %s; got 0.0.1", packageVersion("nnlabs")), fixed = TRUE)
  missing <- tryCatch(nnlabs:::python_bundle(tempfile("nothing")), error = identity)
  expect_s3_class(missing, c("nnlabs_bundle_error", "nnlabs_error"))
  expect_match(conditionMessage(missing), "make rpkg", fixed = TRUE)
})

test_that("install_nnlabs() checks its arguments before installing anything", {
  bundle_or_skip()
  expect_error(install_nnlabs(extras = "gpu"), "^extras must be among \"cuda\", \"dask\", \"jax\", \"metal\"; got \"gpu\"$", class = "nnlabs_parameter_error")
  expect_error(install_nnlabs(extras = NA), "extras must be a character vector", class = "nnlabs_error")
  expect_error(install_nnlabs(python = 1), "^python must be a single non-empty string; got 1$")
  expect_error(install_nnlabs(force = "yes"), "^force must be TRUE or FALSE; got \"yes\"$")
  expect_error(nnlabs:::check_platform_extras("cuda", "Windows"), "needs Linux x86_64.*got it on Windows", class = "nnlabs_parameter_error")
  expect_error(nnlabs:::check_platform_extras("metal", "Linux"), "needs a Mac.*got it on Linux")
  expect_silent(nnlabs:::check_platform_extras(c("jax", "cuda"), "Linux"))
})

# A stand-in for uv: `venv DIR` makes DIR/bin/python (which prints the bundle's version),
# `pip install ...` logs its arguments and working folder, or fails when FAKE_UV_FAIL is set.
fake_uv <- function(log, version) {
  uv <- tempfile("uv")
  writeLines(c(
    "#!/bin/sh",
    "case \"$1\" in",
    "  --version) echo 'uv 0.9.9'; exit 0 ;;",
    "  venv) for last in \"$@\"; do :; done",
    "    mkdir -p \"$last/bin\"",
    sprintf("    printf '#!/bin/sh\\necho %s\\n' > \"$last/bin/python\"", version),
    "    chmod +x \"$last/bin/python\"; echo \"$*\" >> \"$FAKE_UV_LOG\"; exit 0 ;;",
    "  pip) if [ -n \"$FAKE_UV_FAIL\" ]; then echo 'no solution found' >&2; exit 1; fi",
    "    echo \"$* (in $(pwd))\" >> \"$FAKE_UV_LOG\"; exit 0 ;;",
    "esac",
    "exit 2"
  ), uv)
  Sys.chmod(uv, "0755")
  uv
}

test_that("install_nnlabs() builds beside its place, does nothing the second time, and leaves nothing half-made", {
  skip_on_os("windows")
  bundle <- bundle_or_skip()
  data <- tempfile("userdata")
  log <- tempfile("uvlog")
  old <- set_env(R_USER_DATA_DIR = data, NNLABS_UV = fake_uv(log, bundle$version), FAKE_UV_LOG = log, FAKE_UV_FAIL = NA)
  on.exit(restore_env(old), add = TRUE)
  target <- nnlabs:::env_dir(bundle$version)

  shown <- capture_messages(python <- install_nnlabs(quiet = TRUE))
  expect_match(shown, "^nnlabs: \\[1/3\\] creating a virtualenv", all = FALSE)
  expect_match(shown, "^nnlabs: \\[2/3\\] installing nnlabs .* and [0-9]+ pinned requirements", all = FALSE)
  expect_match(shown, "^nnlabs: ready: ", all = FALSE)
  expect_equal(normalizePath(python), normalizePath(file.path(target, "bin", "python")))
  expect_equal(nnlabs:::installed_env(bundle$version)$extras, character())
  calls <- readLines(log)
  expect_length(calls, 2L)
  expect_match(calls[[1]], "^venv --quiet --no-project --relocatable --python")
  expect_match(calls[[2]], sprintf("^pip install --compile-bytecode --python \\S+ -r %s/requirements.txt \\(in %s\\)$", bundle$dir, bundle$dir))
  expect_match(calls[[2]], "\\.partial-")  # built in a temporary folder, then renamed
  expect_equal(list.files(dirname(target)), basename(target))

  expect_message(again <- install_nnlabs(quiet = TRUE), "already installed .*nothing to do")
  expect_equal(again, python)
  expect_length(readLines(log), 2L)

  expect_match(capture_messages(install_nnlabs(extras = "jax", quiet = TRUE)), "extras: jax", all = FALSE)
  expect_match(utils::tail(readLines(log), 1L), "-r \\S+/requirements.txt -r \\S+/requirements-jax.txt")
  expect_equal(nnlabs:::installed_env(bundle$version)$extras, "jax")

  Sys.setenv(FAKE_UV_FAIL = "1")
  err <- tryCatch(suppressMessages(install_nnlabs(force = TRUE, quiet = TRUE)), error = identity)
  expect_s3_class(err, c("nnlabs_install_error", "nnlabs_error"))
  expect_match(conditionMessage(err), "uv pip install failed with exit status 1.*no solution found")
  # The environment that was there is untouched, and no partial folder is left.
  expect_equal(nnlabs:::installed_env(bundle$version)$extras, "jax")
  expect_equal(list.files(dirname(target)), basename(target))
})

test_that("a Python nnlabs of another version than the R package's is an nnlabs_version_error", {
  skip_if_no_nnlabs()
  skip_on_os("windows")
  fake <- tempfile("pythonpath")
  dir.create(file.path(fake, "nnlabs"), recursive = TRUE)
  writeLines("__version__ = '0.0.1'", file.path(fake, "nnlabs", "__init__.py"))
  python <- reticulate::py_config()$python
  out <- run_fresh_r(
    c(
      "library(nnlabs)",
      "err <- tryCatch(load_hitters(), error = identity)",
      "cat('class:', class(err), '\\n')",
      "cat(conditionMessage(err), '\\n')"
    ),
    env = c(paste0("NNLABS_PYTHON=", shQuote(python)), paste0("PYTHONPATH=", shQuote(fake)))
  )
  expect_match(out, "class: nnlabs_version_error nnlabs_error error condition", fixed = TRUE)
  expect_match(out, sprintf("must have the R package's version %s; got 0.0.1", packageVersion("nnlabs")), fixed = TRUE)
  expect_match(out, "chosen by NNLABS_PYTHON", fixed = TRUE)
})

test_that("an interpreter that does not start gives the friendly error, in a fresh R", {
  skip_on_os("windows")
  fake <- tempfile("python")
  writeLines(c("#!/bin/sh", "exit 3"), fake)
  Sys.chmod(fake, "0755")
  out <- run_fresh_r(
    c(
      "library(nnlabs)",
      "cat('available:', nnlabs_available(), '\\n')",
      "err <- tryCatch(load_hitters(), error = identity)",
      "cat('class:', class(err), '\\n')",
      "cat(conditionMessage(err), '\\n')"
    ),
    env = paste0("NNLABS_PYTHON=", shQuote(fake))
  )
  expect_match(out, "available: FALSE", fixed = TRUE)
  expect_match(out, "class: nnlabs_python_missing nnlabs_error error condition", fixed = TRUE)
  expect_match(out, sprintf("the Python at \\S*%s \\(chosen by NNLABS_PYTHON\\) did not start", basename(fake)))
  expect_match(out, "make sync", fixed = TRUE)
})

test_that("the doctor's print shows the chosen Python, its facts and each warning with what to do", {
  config <- structure(
    list(
      available = TRUE, python = "/envs/tf/bin/python", source = "RETICULATE_PYTHON", problem = NULL,
      facts = c(nnlabs = "0.1.0", environment = "conda environment /envs/tf", keras = "3.15.1"),
      warnings = c(
        "the Python in use is a conda environment (/envs/tf) and the host is Positron: use a virtualenv instead: nnlabs::install_nnlabs(), then restart R.",
        "a GPU is requested (CUDA_VISIBLE_DEVICES=0) on native Windows: use WSL2."
      )
    ),
    class = "nnlabs_python_config"
  )
  out <- capture.output(print(config))
  expect_true(any(grepl("^  chosen by: +RETICULATE_PYTHON$", out)))
  expect_true(any(grepl("^  environment: +conda environment /envs/tf$", out)))
  expect_equal(sum(grepl("^  - ", out)), 2L)
  expect_match(paste(out, collapse = " "), "install_nnlabs\\(\\), then restart R", fixed = FALSE)
  unavailable <- config
  unavailable$available <- FALSE
  unavailable$problem <- "no Python interpreter was found"
  out <- capture.output(print(unavailable))
  expect_true(any(grepl("^  problem: +no Python interpreter was found$", out)))
  expect_true(any(grepl("install_nnlabs()", out, fixed = TRUE)))
})
