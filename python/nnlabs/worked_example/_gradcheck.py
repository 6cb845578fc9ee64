"""A framework-free check of the gradients: central finite differences of R(θ)."""

from __future__ import annotations

import numpy as np

from nnlabs.validation import check_float
from nnlabs.worked_example._backward import Gradients
from nnlabs.worked_example._network import Layer, Network, check_inputs, check_targets, total_loss


def _replace(network: Network, index: int, stacked: np.ndarray) -> Network:
    """The network with layer ``index``'s stacked parameters [bias; weights] replaced."""
    layers = list(network.layers)
    old = layers[index]
    layers[index] = Layer(stacked[1:], stacked[0], old.activation)
    return Network(tuple(layers), network.task)


def finite_difference_gradients(
    network: Network, X: object, y: object, step: float = 1e-6
) -> Gradients:
    """∂R/∂θ ≈ (R(θ + h) - R(θ - h)) / 2h for every parameter θ, one at a time.

    X is (n, p), y is (n,); returns Gradients shaped like the network. Wrong near a ReLU
    kink (|z| < h), where R is not differentiable.
    """
    h = check_float("step", step, 0.0, 1.0, low_inclusive=False)
    inputs = check_inputs(network, X)
    targets = check_targets(network, y, inputs.shape[0])
    weights, biases = [], []
    for index, layer in enumerate(network.layers):
        base = layer.stacked()
        grad = np.zeros_like(base)
        for pos in np.ndindex(base.shape):
            plus, minus = base.copy(), base.copy()
            plus[pos] += h
            minus[pos] -= h
            up = total_loss(_replace(network, index, plus), inputs, targets)
            down = total_loss(_replace(network, index, minus), inputs, targets)
            grad[pos] = (up - down) / (2 * h)
        weights.append(grad[1:])
        biases.append(grad[0])
    return Gradients(tuple(weights), tuple(biases))


def relative_error(a: Gradients, b: Gradients) -> float:
    """‖a - b‖ / max(‖a‖, ‖b‖) over all parameters (0 when both are 0)."""
    va, vb = a.vector(), b.vector()
    scale = max(np.linalg.norm(va), np.linalg.norm(vb))
    return 0.0 if scale == 0 else float(np.linalg.norm(va - vb) / scale)
