"""§11.4's worked example from scratch: a 5-4-3 network, forward and backward, in NumPy.

>>> from nnlabs import worked_example as we
>>> net = we.notes_network("regression")
>>> X, y = we.notes_data("regression")
>>> round(float(we.forward(net, X).Z[0][0, 0]), 3)     # z_1,1 of §11.4.3.1
0.972
>>> grads = we.backward_matrix(net, X, y).gradients     # Table 11.19, bias rows included
>>> print(we.main_walkthrough("regression", 1))         # doctest: +SKIP

NumPy only: Keras and TensorFlow are imported by the cross-checks (``keras_gradients``,
``keras_sgd_step``, ``keras_model``) when they are called.
"""

from __future__ import annotations

from nnlabs.worked_example._activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATIONS,
    Activation,
    get_activation,
    linear,
    linear_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_jacobian,
)
from nnlabs.worked_example._backward import (
    Gradients,
    MatrixBackward,
    backward_matrix,
    gradient_descent_step,
    output_error,
)
from nnlabs.worked_example._chain_rule import (
    ChainRuleTerm,
    Factor,
    chain_rule_gradients,
    layer1_weight_term,
    layer2_weight_term,
    output_weight_term,
)
from nnlabs.worked_example._gradcheck import finite_difference_gradients, relative_error
from nnlabs.worked_example._keras_check import (
    keras_gradients,
    keras_loss,
    keras_model,
    keras_sgd_step,
    network_from_keras,
)
from nnlabs.worked_example._losses import (
    cross_entropy_loss,
    cross_entropy_output_error,
    one_hot,
    squared_error_loss,
    squared_error_output_error,
)
from nnlabs.worked_example._network import (
    TASKS,
    ForwardTrace,
    Layer,
    Network,
    forward,
    random_network,
    total_loss,
)
from nnlabs.worked_example._notes_arithmetic import notes_arithmetic
from nnlabs.worked_example._notes_values import (
    CLASS_NAMES,
    LEARNING_RATE,
    notes_data,
    notes_network,
    printed_values,
)
from nnlabs.worked_example._walkthrough import OBSERVATIONS, main_walkthrough, walkthrough_tables

__all__ = [
    "ACTIVATIONS",
    "CLASS_NAMES",
    "HIDDEN_ACTIVATIONS",
    "LEARNING_RATE",
    "OBSERVATIONS",
    "TASKS",
    "Activation",
    "ChainRuleTerm",
    "Factor",
    "ForwardTrace",
    "Gradients",
    "Layer",
    "MatrixBackward",
    "Network",
    "backward_matrix",
    "chain_rule_gradients",
    "cross_entropy_loss",
    "cross_entropy_output_error",
    "finite_difference_gradients",
    "forward",
    "get_activation",
    "gradient_descent_step",
    "keras_gradients",
    "keras_loss",
    "keras_model",
    "keras_sgd_step",
    "layer1_weight_term",
    "layer2_weight_term",
    "linear",
    "linear_derivative",
    "main_walkthrough",
    "network_from_keras",
    "notes_arithmetic",
    "notes_data",
    "notes_network",
    "one_hot",
    "output_error",
    "output_weight_term",
    "printed_values",
    "random_network",
    "relative_error",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_jacobian",
    "squared_error_loss",
    "squared_error_output_error",
    "total_loss",
    "walkthrough_tables",
]
