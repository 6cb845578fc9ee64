test_that("worked_example() returns the notes' step tables and text", {
  skip_if_no_nnlabs()
  we <- worked_example("regression", 1L)
  expect_s3_class(we, "nnlabs_worked_example")
  expect_true(all(c("parameters", "layer1", "output", "chain_rule", "updates") %in% names(we$tables)))
  expect_true(all(vapply(we$tables, is.data.frame, logical(1))))
  expect_true(all(c("exact", "notes_print") %in% names(we$tables$layer1)))
  expect_output(print(we), "Worked example")
  exercise <- worked_example("classification", 2)
  expect_equal(exercise$observation, 2L)
  expect_equal(exercise$task, "classification")
})

test_that("worked_example() checks task and observation", {
  skip_if_no_nnlabs()
  expect_error(worked_example("clustering"), "task must be one of \"regression\", \"classification\"")
  expect_error(worked_example(observation = 0), "observation must be a single whole number >= 1; got 0")
  expect_error(worked_example(observation = 3), class = "nnlabs_parameter_error")
})
