# The Python package this R package carries (inst/python, written by `make rpkg`): the
# nnlabs wheel, the pinned requirements exported from the repository's uv.lock, and a
# BUNDLE file (Version, Wheel, Requires-Python, Extras). Python's nnlabs is only ever
# installed from that wheel, by its file path, never looked up by name on an index.

BUNDLE_FILE <- "BUNDLE"

bundle_dir <- function() {
  system.file("python", package = "nnlabs")
}

r_package_version <- function() {
  as.character(utils::packageVersion("nnlabs"))
}

#' The Python bundle: its folder, version, wheel and requirement files
#'
#' @param dir the bundle folder (the installed package's `python` folder).
#' @return a list with `dir`, `version`, `wheel` (absolute path), `requires_python`
#'   (e.g. ">=3.10,<3.14") and `extras`; an `nnlabs_bundle_error` when the folder or
#'   a file is missing, an `nnlabs_version_error` when its version is not the R
#'   package's.
#' @keywords internal
#' @noRd
python_bundle <- function(dir = bundle_dir()) {
  manifest <- file.path(dir, BUNDLE_FILE)
  if (!nzchar(dir) || !file.exists(manifest)) {
    stop(nnlabs_condition(
      paste0(
        "this installation of nnlabs carries no Python bundle (", BUNDLE_FILE,
        " not found in ", if (nzchar(dir)) dir else "the package's python folder",
        "); install the package from the tarball `make rpkg` writes ",
        "(dist/nnlabs_<version>.tar.gz), which has the nnlabs wheel and its pinned requirements"
      ),
      "nnlabs_bundle_error"
    ))
  }
  fields <- read.dcf(manifest)[1L, ]
  needed <- c("Version", "Wheel", "Requires-Python", "Extras")
  missing <- setdiff(needed, names(fields))
  if (length(missing) > 0L) {
    stop(nnlabs_condition(
      sprintf("%s must have the field(s) %s; missing %s", manifest, quote_all(needed), quote_all(missing)),
      "nnlabs_bundle_error"
    ))
  }
  version <- unname(fields[["Version"]])
  if (!identical(version, r_package_version())) {
    stop(nnlabs_condition(
      sprintf(
        "the bundled Python package (%s) must have the R package's version %s; got %s. Rebuild the R package with `make rpkg`",
        manifest, r_package_version(), version
      ),
      "nnlabs_version_error"
    ))
  }
  wheel <- file.path(normalizePath(dir, winslash = "/"), fields[["Wheel"]])
  requirements <- file.path(dir, "requirements.txt")
  for (file in c(wheel, requirements)) {
    if (!file.exists(file)) {
      stop(nnlabs_condition(sprintf("the Python bundle in %s lacks %s", dir, basename(file)), "nnlabs_bundle_error"))
    }
  }
  extras <- trimws(strsplit(fields[["Extras"]], ",", fixed = TRUE)[[1]])
  list(
    dir = normalizePath(dir, winslash = "/"),
    version = version,
    wheel = wheel,
    requires_python = unname(fields[["Requires-Python"]]),
    extras = extras[nzchar(extras)]
  )
}

# The requirement files for a set of extras: the base file, then one per extra.
requirement_files <- function(bundle, extras = character()) {
  file.path(bundle$dir, c("requirements.txt", sprintf("requirements-%s.txt", extras)))
}

# The pinned lines of a requirements file: "name==version ; markers". Comments, blank
# lines and the line naming the bundled wheel ("./nnlabs-....whl") are left out.
read_pins <- function(file) {
  lines <- trimws(readLines(file, warn = FALSE))
  lines[nzchar(lines) & !startsWith(lines, "#") & !startsWith(lines, "./")]
}

# What reticulate's py_require() is given: the bundled wheel by its absolute path, then
# every pin of the lock (with the extras' pins when extras are named).
python_requirements <- function(bundle = python_bundle(), extras = character()) {
  pins <- unique(unlist(lapply(requirement_files(bundle, extras), read_pins), use.names = FALSE))
  c(bundle$wheel, pins)
}

# Extras named in NNLABS_EXTRAS ("cuda", "jax,cuda"), checked against the bundle's.
env_extras <- function(bundle) {
  value <- Sys.getenv("NNLABS_EXTRAS", unset = "")
  extras <- trimws(strsplit(value, ",", fixed = TRUE)[[1]])
  check_extras(extras[nzchar(extras)], bundle, "NNLABS_EXTRAS")
}

check_extras <- function(extras, bundle, name = "extras") {
  if (!is.character(extras) || anyNA(extras)) {
    stop_arg(name, "a character vector", extras)
  }
  unknown <- setdiff(extras, bundle$extras)
  if (length(unknown) > 0L) {
    stop(nnlabs_condition(
      sprintf("%s must be among %s; got %s", name, quote_all(bundle$extras), quote_all(unknown)),
      "nnlabs_parameter_error"
    ))
  }
  unique(extras)
}

# Declared from .onLoad on reticulate >= 1.41, as keras3 does: if reticulate ends up
# making its own environment (no other rule chose a Python), it holds the bundled wheel
# and the pinned requirements. Returns TRUE when declared; never fails .onLoad.
declare_python_requirements <- function() {
  if (!has_py_require()) {
    return(invisible(FALSE))
  }
  declared <- tryCatch(
    {
      bundle <- python_bundle()
      py_require <- getExportedValue("reticulate", "py_require")
      py_require(python_requirements(bundle, env_extras(bundle)), python_version = bundle$requires_python)
      TRUE
    },
    error = function(e) {
      .state$declare_problem <- conditionMessage(e)
      FALSE
    }
  )
  .state$declared <- declared
  invisible(declared)
}
