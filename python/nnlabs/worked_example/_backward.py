"""The backward pass in matrix form (Eq 11.49-11.51, Table 11.19) and the update (Eq 11.52).

The notes' Table 11.19 leaves the bias rows implicit. Here they are explicit:

* a layer's gradient is Ã_prevᵀ Δ (the stacked form of Eq 11.45), whose top row is the bias
  gradient, the column sums of Δ; the notes' output row (A⁽²⁾)ᵀ δ omits it;
* the delta of the layer below is Δ W̃[1:]ᵀ ⊙ g'(Z): the bias row of W̃ is dropped, since a
  bias has no input to pass the error back to. With the whole W̃ the product would be
  (n × (K + 1)), not the (n × K) that the table prints.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlabs.errors import ParameterError
from nnlabs.validation import check_float
from nnlabs.worked_example._activations import get_activation
from nnlabs.worked_example._losses import cross_entropy_output_error, squared_error_output_error
from nnlabs.worked_example._network import (
    ForwardTrace,
    Layer,
    Network,
    check_targets,
    forward,
)


def with_ones(matrix: np.ndarray) -> np.ndarray:
    """Prepend the column of 1s that carries the biases: (n, K) -> (n, K + 1), Ã in the notes."""
    return np.hstack([np.ones((matrix.shape[0], 1)), matrix])


@dataclass(frozen=True, eq=False)
class Gradients:
    """∂R/∂θ for every parameter, shaped like the network's layers.

    Attributes:
        weights: per layer, (K_prev, K), like ``Layer.weights``.
        bias: per layer, (K,), like ``Layer.bias``.
    """

    weights: tuple[np.ndarray, ...]
    bias: tuple[np.ndarray, ...]

    def stacked(self, index: int) -> np.ndarray:
        """The gradient of layer ``index`` in the notes' stacked form: (K_prev + 1, K)."""
        return np.vstack([self.bias[index][None, :], self.weights[index]])

    def vector(self) -> np.ndarray:
        """Every gradient in one 1-D array, layer by layer, stacked form, row-major."""
        return np.concatenate([self.stacked(i).ravel() for i in range(len(self.weights))])


def output_error(network: Network, trace: ForwardTrace, targets: np.ndarray) -> np.ndarray:
    """δ_out, the loss's gradient w.r.t. the output layer's pre-activations: (n, M).

    Regression: -(y - ŷ) (Eq 11.37), M = 1. Classification: P̂ - 1[y = m] (Eq 11.44).
    """
    if network.task == "regression":
        return squared_error_output_error(targets, trace.output)
    return cross_entropy_output_error(targets, trace.output)


@dataclass(frozen=True, eq=False)
class MatrixBackward:
    """Everything Table 11.19 computes for one batch.

    Attributes:
        trace: the forward pass (Z and A per layer).
        deltas: Δ per layer, (n, K_l); ``deltas[-1]`` is δ_out (n, M).
        gradients: ∂R/∂θ summed over the batch.
    """

    trace: ForwardTrace
    deltas: tuple[np.ndarray, ...]
    gradients: Gradients

    @property
    def delta_out(self) -> np.ndarray:
        """δ_out, (n, M)."""
        return self.deltas[-1]


def backward_matrix(network: Network, X: object, y: object) -> MatrixBackward:
    """Forward and backward pass over the batch X (n, p), y (n,) in matrix form.

    Layer by layer from the output: ∂R/∂W̃ = Ãᵀ Δ, then Δ_below = Δ W̃[1:]ᵀ ⊙ g'(Z_below).
    """
    trace = forward(network, X)
    targets = check_targets(network, y, trace.inputs.shape[0])
    delta = output_error(network, trace, targets)
    deltas = [delta]
    grads_w: list[np.ndarray] = []
    grads_b: list[np.ndarray] = []
    for index in range(len(network.layers) - 1, -1, -1):
        grad = with_ones(trace.layer_input(index)).T @ delta
        grads_b.insert(0, grad[0])
        grads_w.insert(0, grad[1:])
        if index > 0:
            layer_below = network.layers[index - 1]
            gate = get_activation(layer_below.activation).derivative(trace.Z[index - 1])
            delta = (delta @ network.layers[index].stacked()[1:].T) * gate
            deltas.insert(0, delta)
    return MatrixBackward(trace, tuple(deltas), Gradients(tuple(grads_w), tuple(grads_b)))


def gradient_descent_step(
    network: Network, gradients: Gradients, learning_rate: float = 0.01
) -> Network:
    """θ_new = θ_old - η ∂R/∂θ for every parameter at once (Eq 11.35, 11.52).

    All gradients must come from the pre-update parameters, which is what makes the update
    simultaneous; the input network is left unchanged.
    """
    eta = check_float("learning_rate", learning_rate, 0.0, np.inf, low_inclusive=False)
    if len(gradients.weights) != len(network.layers):
        raise ParameterError(
            f"gradients must have one entry per layer ({len(network.layers)}); "
            f"got {len(gradients.weights)}"
        )
    layers = []
    for index, layer in enumerate(network.layers):
        g_w, g_b = gradients.weights[index], gradients.bias[index]
        if g_w.shape != layer.weights.shape or g_b.shape != layer.bias.shape:
            raise ParameterError(
                f"gradients for layer {index} must have shapes {layer.weights.shape} and "
                f"{layer.bias.shape}; got {g_w.shape} and {g_b.shape}"
            )
        layers.append(Layer(layer.weights - eta * g_w, layer.bias - eta * g_b, layer.activation))
    return Network(tuple(layers), network.task)
