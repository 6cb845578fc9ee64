# The worked example of notes section 11.4: a 5-4-3 network, forward and backward, by hand.

WORKED_TASKS <- c("regression", "classification")

#' The notes' worked backpropagation example, step by step
#'
#' Recomputes section 11.4's worked example, the 5-4-3 network with ReLU hidden layers,
#' for one observation: the parameters, the forward pass (Tables 11.9-11.13), the
#' output and loss, every chain-rule factor of the backward pass, the gradient
#' step, the matrix form over the 10-observation batch (Table 11.19) and one batch
#' update. Each step table has the full-precision value (`exact`), the notes'
#' arithmetic from their rounded values (`notes_arithmetic`) and the number the
#' notes print (`notes_print`), so the two can be traced side by side.
#'
#' @param task `"regression"` (linear output) or `"classification"` (softmax over
#'   Flop and Hit).
#' @param observation `1` (the worked example) or `2` (the practice exercise).
#' @return an object of class `nnlabs_worked_example`: a list with `task`,
#'   `observation`, `tables` (a named list of data frames in the notes' order) and
#'   `text` (the printed walkthrough). `print()` shows the text.
#' @export
#' @examples
#' \donttest{
#' if (nnlabs_available()) {
#'   we <- worked_example("regression", 1)
#'   names(we$tables)
#'   we$tables$chain_rule
#' }
#' }
worked_example <- function(task = c("regression", "classification"), observation = 1L) {
  task <- arg_choice(task, WORKED_TASKS, "task")
  observation <- arg_int(observation, "observation", 1L)
  module <- py_module("worked_example")
  tables <- py_value_to_r(with_python_errors(module$walkthrough_tables(task, observation)))
  text <- reticulate::py_to_r(with_python_errors(module$main_walkthrough(task, observation)))
  structure(
    list(task = task, observation = observation, tables = tables, text = text),
    class = "nnlabs_worked_example"
  )
}

#' @export
print.nnlabs_worked_example <- function(x, ...) {
  if (!is.null(x$text)) {
    cat(x$text)
    return(invisible(x))
  }
  cat(sprintf("Worked example (notes section 11.4): %s, observation %d\n", x$task, x$observation))
  for (name in names(x$tables)) {
    cat("\n", name, ":\n", sep = "")
    print(x$tables[[name]], row.names = FALSE)
  }
  invisible(x)
}
