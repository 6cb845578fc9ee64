"""Explaining fitted models (§11.16.2): permutation importance and SHAP values.

``permutation_importance`` shuffles one *input* at a time on held-out rows and reports
how much the metric worsens (scikit-learn's ``permutation_importance``, several
repeats, their mean and sd). An input may span several design columns (the dummies of
a factor): they are shuffled together, as one block of each row, so a shuffled row
still holds one level of the factor.

``shap_values`` explains a model's predictions with ``shap.KernelExplainer`` on the
model's ``predict`` (model-agnostic, so it works for Keras 3 on any backend): each
explained row gets one value per column, and ``base value + sum of values`` equals the
prediction (local accuracy): Kernel SHAP's weighted regression is solved under that
constraint, so it holds up to float rounding of the model's float32 outputs. The
background (the rows a masked column's values come from; the base value is the mean
prediction over them) is a sample of training rows. Kernel SHAP rather than
``PermutationExplainer``: both are model-agnostic, but the permutation explainer's
masker is compiled by numba on first use, which cost 21 s per process on the 2-core
development machine (the kernel explainer needs no compilation: 0.05 s for the same
three rows); with ``samples`` >= 2^p - 2 coalitions (small p, e.g. the movies' six
inputs) Kernel SHAP enumerates every coalition and is exact for its background.

Both explain the *model*, not the process that made the data (the notes' caution).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.inspection import permutation_importance as _sk_permutation_importance

from nnlabs.errors import DataError, ParameterError
from nnlabs.validation import check_finite_matrix, check_int

Predict = Callable[[np.ndarray], np.ndarray]

# Rows per call when a Keras model predicts for an explainer; shorter inputs are padded
# to the next power of two (at least _MIN_CHUNK), so the compiled function sees few shapes.
_CHUNK = 4096
_MIN_CHUNK = 64


def prediction_function(model, task: str = "regression") -> Predict:
    """``f(X) -> (n,)``: predicted values, or P(class 1) for ``task="classification"``.

    A Keras network of ``nnlabs.models.estimators`` is called through ``predict_on_batch`` on
    fixed-size chunks: explainers call the model hundreds of times, and Keras'
    ``predict`` costs a fraction of a second per call in set-up alone.
    """
    keras_model = getattr(model, "model_", None)
    if keras_model is not None and hasattr(keras_model, "predict_on_batch"):
        return lambda x: _batched(keras_model, x)
    if task == "classification":
        return lambda x: np.asarray(model.predict_proba(x))[:, 1].astype(np.float64)
    return lambda x: np.asarray(model.predict(x), dtype=np.float64).reshape(-1)


def _batched(keras_model, x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    out = []
    for start in range(0, len(x), _CHUNK):
        chunk = x[start : start + _CHUNK]
        n = len(chunk)
        size = _CHUNK if n == _CHUNK else max(_MIN_CHUNK, 1 << (n - 1).bit_length())
        if size > n:
            chunk = np.vstack([chunk, np.zeros((size - n, x.shape[1]), np.float32)])
        out.append(np.asarray(keras_model.predict_on_batch(chunk)).reshape(-1)[:n])
    return np.concatenate(out).astype(np.float64) if out else np.empty(0)


class _Blocks(BaseEstimator):
    """Rows of ``x`` addressed by index, one index column per input.

    ``predict(Z)`` rebuilds a design matrix whose columns of input j come from row
    ``Z[i, j]`` of ``x``; scikit-learn shuffling column j of ``Z`` so shuffles the
    block of input j as one.
    """

    def __init__(self, x: np.ndarray, blocks: list[np.ndarray], predict: Predict) -> None:
        self.x = x
        self.blocks = blocks
        self.predict_fn = predict

    def fit(self, X, y=None):
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def predict(self, Z) -> np.ndarray:
        rows = np.asarray(Z, dtype=np.int64)
        out = np.empty_like(self.x)
        for j, cols in enumerate(self.blocks):
            out[:, cols] = self.x[rows[:, j]][:, cols]
        return self.predict_fn(out)


def permutation_importance(
    predict: Predict,
    x: np.ndarray,
    y: np.ndarray,
    metric: Callable[[np.ndarray, np.ndarray], float],
    *,
    inputs: Sequence[str],
    greater_is_better: bool,
    n_repeats: int = 5,
    seed: int = 0,
) -> pd.DataFrame:
    """How much ``metric`` worsens when each input is shuffled, over ``n_repeats`` shuffles.

    Args:
        predict: ``f(X) -> (n,)`` (``prediction_function``).
        x: held-out rows (n, p); y: their responses (n,).
        metric: ``metric(y, prediction)``, e.g. MAE or AUC.
        inputs: the input each of the p columns belongs to (length p); columns of one
            input are shuffled together.
        greater_is_better: False for an error (MAE), True for a score (AUC).
        n_repeats: shuffles per input (>= 2, for a spread); seed: their generator's.

    Returns one row per input, most important first: ``feature``, ``columns`` (how
    many design columns), ``importance`` (mean worsening of the metric, in its units:
    positive means the model relies on the input), ``sd`` (over the repeats),
    ``baseline`` (the metric on the intact rows).
    """
    n_repeats = check_int("n_repeats", n_repeats, minimum=2)
    x = check_finite_matrix("x", x)
    y = np.asarray(y).reshape(-1)
    if len(y) != len(x):
        raise DataError(f"y must have one value per row of x ({len(x)}); got {len(y)}")
    inputs = list(inputs)
    if len(inputs) != x.shape[1]:
        raise ParameterError(
            f"inputs must name the input of each of x's {x.shape[1]} columns; got {len(inputs)}"
        )
    names = list(dict.fromkeys(inputs))
    blocks = [np.flatnonzero(np.asarray(inputs) == name) for name in names]
    sign = 1.0 if greater_is_better else -1.0

    def score(estimator, z, target) -> float:
        return sign * metric(target, estimator.predict(z))

    z = np.repeat(np.arange(len(x))[:, None], len(names), axis=1)
    blocks_model = _Blocks(x, blocks, predict)
    found = _sk_permutation_importance(
        blocks_model, z, y, scoring=score, n_repeats=n_repeats, random_state=seed
    )
    baseline = metric(y, predict(x))
    out = pd.DataFrame(
        {
            "feature": names,
            "columns": [len(b) for b in blocks],
            "importance": found.importances_mean,
            "sd": found.importances_std,
            "baseline": baseline,
        }
    )
    return out.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def shap_values(
    predict: Predict,
    rows: np.ndarray,
    background: np.ndarray,
    *,
    columns: Sequence[str],
    samples: int = 256,
    seed: int = 0,
) -> dict[str, Any]:
    """SHAP values of ``predict`` at ``rows`` (m, p) by ``shap.KernelExplainer``.

    ``background`` (k, p) are the rows whose values replace a masked column;
    ``samples`` coalitions are evaluated per row (at least 2p + 2; all 2^p - 2 when
    that is fewer), each on all k background rows, so a row costs ``samples * k``
    predictions. shap samples coalitions with NumPy's global generator: it is seeded
    with ``seed`` for the call and restored afterwards.

    Returns ``values`` (DataFrame m x p, named by ``columns``), ``base_value`` (the
    mean prediction over the background), ``base_values`` (m,), ``prediction`` (m,),
    ``max_local_error`` (the largest ``|base + sum(values) - prediction|``),
    ``samples`` (coalitions per row) and ``seconds``.
    """
    import shap  # imported here: slow to import, and only the analyses need it

    samples = check_int("samples", samples, minimum=1)
    rows = check_finite_matrix("rows", rows)
    background = check_finite_matrix("background", background)
    columns = list(columns)
    if rows.shape[1] != background.shape[1] or len(columns) != rows.shape[1]:
        raise ParameterError(
            f"rows, background and columns must have the same number of columns; got "
            f"{rows.shape[1]}, {background.shape[1]} and {len(columns)}"
        )
    start = time.perf_counter()
    p = rows.shape[1]
    samples = max(samples, 2 * p + 2)
    explainer = shap.KernelExplainer(predict, background)
    state = np.random.get_state()  # noqa: NPY002 (shap draws from the global generator)
    np.random.seed(seed)  # noqa: NPY002
    try:
        found = explainer.shap_values(rows, nsamples=samples, l1_reg=False, silent=True)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    values = np.asarray(found, dtype=np.float64).reshape(len(rows), p)
    base = np.full(len(rows), float(np.asarray(explainer.expected_value).reshape(-1)[0]))
    prediction = predict(rows)
    error = np.abs(base + values.sum(axis=1) - prediction)
    return {
        "values": pd.DataFrame(values, columns=columns),
        "base_value": float(base[0]) if len(base) else float("nan"),
        "base_values": base,
        "prediction": prediction,
        "max_local_error": float(error.max()) if len(error) else 0.0,
        "samples": min(samples, 2**p - 2) if p < 30 else samples,
        "seconds": time.perf_counter() - start,
    }


def shap_summary(shap: pd.DataFrame) -> pd.DataFrame:
    """Mean |SHAP| per network and input (the columns of one input summed per row first),
    largest first: ``Model``, ``feature``, ``mean_abs_shap``, ``rows``."""
    per_row = shap.groupby(["Model", "row", "feature"], sort=False)["shap"].sum().abs()
    out = (
        per_row.groupby(level=["Model", "feature"], sort=False)
        .agg(mean_abs_shap="mean", rows="size")
        .reset_index()
    )
    return out.sort_values(["Model", "mean_abs_shap"], ascending=[True, False]).reset_index(
        drop=True
    )
