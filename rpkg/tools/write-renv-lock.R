# Writes renv.lock at the repository root from the R packages installed here: R's
# version, and every package the R package and its vignettes use (its Imports and
# Suggests) with their recursive Depends/Imports/LinkingTo, at the installed versions.
# renv is not needed. Run from the repository root:
#   Rscript rpkg/tools/write-renv-lock.R
# The lockfile follows renv's format (version 1): R$Version, R$Repositories and, per
# package, Package, Version, Source = "Repository", Repository = "CRAN", Requirements.

roots <- c("reticulate", "testthat", "knitr", "rmarkdown", "jsonlite", "ggplot2")
repository <- list(Name = "CRAN", URL = "https://cloud.r-project.org")

installed <- installed.packages(fields = c("Depends", "Imports", "LinkingTo"))
installed <- installed[!duplicated(installed[, "Package"]), , drop = FALSE]
rownames(installed) <- installed[, "Package"]
base <- rownames(installed)[installed[, "Priority"] %in% "base"]

requirements <- function(pkg) {
  fields <- installed[pkg, c("Depends", "Imports", "LinkingTo")]
  deps <- unlist(lapply(fields[!is.na(fields)], function(f) {
    trimws(sub("\\(.*\\)", "", strsplit(f, ",")[[1]]))
  }))
  sort(setdiff(as.character(unique(deps[nzchar(deps)])), c("R", base)))
}

needed <- character()
queue <- roots
while (length(queue) > 0L) {
  pkg <- queue[[1]]
  queue <- queue[-1]
  if (pkg %in% needed) next
  if (!pkg %in% rownames(installed)) stop("package ", pkg, " is not installed", call. = FALSE)
  needed <- c(needed, pkg)
  queue <- c(queue, requirements(pkg))
}

packages <- lapply(sort(needed), function(pkg) {
  list(
    Package = pkg,
    Version = unname(installed[pkg, "Version"]),
    Source = "Repository",
    Repository = "CRAN",
    Requirements = I(requirements(pkg))
  )
})
names(packages) <- sort(needed)

lock <- list(
  R = list(
    Version = paste(R.version$major, R.version$minor, sep = "."),
    Repositories = list(repository)
  ),
  Packages = packages
)
text <- jsonlite::toJSON(lock, pretty = 2, auto_unbox = TRUE)
# jsonlite spreads an empty array over three lines; renv writes it as [].
text <- gsub("\\[\\s*\\]", "[]", text)
writeLines(text, "renv.lock")
cat(sprintf("renv.lock: R %s, %d packages\n", lock$R$Version, length(packages)))
