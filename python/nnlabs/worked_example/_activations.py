"""Activation functions g(z) and their derivatives g'(z) (Eq 11.25-11.27, Eq 11.32).

Every function works element-wise on an array of any shape, except softmax, which works
row-wise on an (n, M) matrix of scores (one row per observation, one column per class).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnlabs.validation import check_choice

ACTIVATIONS = ("linear", "relu", "sigmoid", "softmax")
HIDDEN_ACTIVATIONS = ("linear", "relu", "sigmoid")


def linear(z: np.ndarray) -> np.ndarray:
    """g(z) = z (Eq 11.25); same shape as ``z``."""
    return np.array(z, dtype=np.float64)


def linear_derivative(z: np.ndarray) -> np.ndarray:
    """g'(z) = 1 everywhere; same shape as ``z``."""
    return np.ones_like(np.asarray(z, dtype=np.float64))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """g(z) = 1 / (1 + e^(-z)) (Eq 11.26); same shape as ``z``."""
    z = np.asarray(z, dtype=np.float64)
    # exp(-log(1 + e^(-z))) never overflows, unlike 1 / (1 + exp(-z)) for z << 0.
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    """g'(z) = g(z) (1 - g(z)); same shape as ``z``."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z: np.ndarray) -> np.ndarray:
    """g(z) = max(0, z) (Eq 11.27); same shape as ``z``."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_derivative(z: np.ndarray) -> np.ndarray:
    """g'(z) = 1[z > 0], so 0 at z = 0 (the notes' convention, and TensorFlow's)."""
    return (np.asarray(z, dtype=np.float64) > 0).astype(np.float64)


def softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise f_m = e^(Z_m) / sum_l e^(Z_l) (Eq 11.32); (n, M) -> (n, M), rows sum to 1."""
    scores = np.asarray(scores, dtype=np.float64)
    # Subtracting the row maximum leaves the ratio unchanged and keeps exp() finite.
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def softmax_jacobian(scores: np.ndarray) -> np.ndarray:
    """d f_m / d Z_l = f_m (1[m = l] - f_l) per row; (n, M) -> (n, M, M)."""
    p = softmax(scores)
    return p[..., :, None] * (np.eye(p.shape[-1]) - p[..., None, :])


def _softmax_no_elementwise_derivative(z: np.ndarray) -> np.ndarray:
    raise TypeError(
        "softmax has no element-wise derivative; use softmax_jacobian, or the combined "
        "softmax + cross-entropy output error P - 1[y = m] (Eq 11.44)"
    )


@dataclass(frozen=True)
class Activation:
    """An activation function g and its element-wise derivative g' (by name)."""

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray], np.ndarray]


_REGISTRY = {
    "linear": Activation("linear", linear, linear_derivative),
    "relu": Activation("relu", relu, relu_derivative),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_derivative),
    "softmax": Activation("softmax", softmax, _softmax_no_elementwise_derivative),
}


def get_activation(name: str, *, argument: str = "activation") -> Activation:
    """Return the Activation called ``name``; ParameterError naming ``argument`` otherwise."""
    return _REGISTRY[check_choice(argument, name, ACTIVATIONS)]
