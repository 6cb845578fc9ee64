#' nnlabs: the neural-network labs of the course notes, from R
#'
#' The labs of section 11.11 of the notes run from R: [hitters_lab()], [nyc311_lab()],
#' [taxi_lab()], [movie_lab()] (with [simulate_movies()]) and the worked
#' backpropagation example, [worked_example()]. The modelling is done by the
#' `nnlabs` Python package (Keras 3) through reticulate; see
#' [nnlabs_doctor()] for how Python is found and [install_nnlabs()] to set
#' it up outside the repository.
#'
#' Errors raised by Python arrive as R errors of class `nnlabs_error` (with
#' subclasses `nnlabs_parameter_error`, `nnlabs_data_error`,
#' `nnlabs_download_error`) that carry the Python message and no traceback.
#'
#' @keywords internal
"_PACKAGE"

# Columns named inside ggplot2::aes().
utils::globalVariables(c("epoch", "value", "data"))
