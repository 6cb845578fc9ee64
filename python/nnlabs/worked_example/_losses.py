"""The two losses of §11.4 and their output-layer error signals.

Both losses are *sums* over observations, as R(θ) in Eq 11.30 and Eq 11.34 (not means, as
Keras uses by default). Class labels are 0-based indices here: 0 = Flop (the notes' node
m = 1), 1 = Hit (m = 2).
"""

from __future__ import annotations

import numpy as np


def squared_error_loss(y: np.ndarray, y_hat: np.ndarray) -> float:
    """R = sum_i ½ (y_i - ŷ_i)² (Eq 11.29, 11.30); ``y`` and ``y_hat`` shape (n,) or (n, 1)."""
    residual = np.ravel(y) - np.ravel(y_hat)
    return float(0.5 * np.sum(residual**2))


def cross_entropy_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """R = -sum_i log P̂(y_i | x_i) (Eq 11.33, 11.34); labels (n,) ints, probabilities (n, M)."""
    labels = np.asarray(labels, dtype=np.intp)
    picked = probabilities[np.arange(labels.size), labels]
    return float(-np.sum(np.log(picked)))


def one_hot(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The indicator matrix 1[y_i = m]; labels (n,) ints -> (n, n_classes) floats."""
    labels = np.asarray(labels, dtype=np.intp)
    out = np.zeros((labels.size, n_classes))
    out[np.arange(labels.size), labels] = 1.0
    return out


def squared_error_output_error(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    """δ_out = dLoss_i/dŷ_i = -(y_i - ŷ_i) (Eq 11.37); returns (n, 1)."""
    return -(np.reshape(y, (-1, 1)) - np.reshape(y_hat, (-1, 1)))


def cross_entropy_output_error(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """δ_out(i, m) = P̂(m | x_i) - 1[y_i = m] (Eq 11.44), the gradient w.r.t. the scores Z.

    This is the softmax Jacobian and the cross-entropy derivative already multiplied
    together; returns (n, M).
    """
    return probabilities - one_hot(labels, probabilities.shape[1])
