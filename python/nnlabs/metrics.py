"""Evaluation metrics shared by the labs, thin and checked wrappers around scikit-learn.

Regression metrics take ``y_true`` and ``y_pred`` of shape (n,) (a trailing axis of
length one is dropped) and return floats in the units of ``y``.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as _skm

from nnlabs._errors import DataError


def _as_vectors(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    yt = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    yp = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if yt.shape[1] != 1 or yp.shape[1] != 1:
        raise DataError(
            f"y_true and y_pred must be vectors; got shapes {np.shape(y_true)} and "
            f"{np.shape(y_pred)}"
        )
    if len(yt) != len(yp):
        raise DataError(f"y_true and y_pred must have the same length; got {len(yt)} and {len(yp)}")
    if len(yt) == 0:
        raise DataError("y_true and y_pred must not be empty")
    return yt[:, 0], yp[:, 0]


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the units of ``y``."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.mean_absolute_error(yt, yp))


def mse(y_true, y_pred) -> float:
    """Mean squared error, in squared units of ``y``."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.mean_squared_error(yt, yp))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the units of ``y``."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.root_mean_squared_error(yt, yp))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination R² (1 - RSS/TSS), unitless."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.r2_score(yt, yp))


REGRESSION_METRICS = {"MAE": mae, "MSE": mse, "RMSE": rmse, "R2": r2}
