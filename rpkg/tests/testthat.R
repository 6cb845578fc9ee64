library(testthat)
library(nnlabs)

test_check("nnlabs")
