"""Comparing fitted models on one split, and summarizing comparisons over repeated splits.

Uncertainty is reported honestly in two ways:

* one split: a paired bootstrap over the test rows of the difference in a metric
  between two models (it captures test-set noise, not training variability);
* ``repeats`` seeded splits: mean and sd of each model's metric, and the paired
  difference with a 95% interval from the *corrected* resampled t-test of Nadeau and
  Bengio (2003). Repeated random splits share most of their rows, so the naive t
  interval is too narrow; the correction inflates the variance by
  ``1/K + n_test/n_train``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from nnlabs.evaluation.metrics import ROWWISE
from nnlabs.validation import check_int

Scorer = Callable[[np.ndarray, np.ndarray], float]


# Index cells (draws x rows) drawn at once: bounds the memory of a large test set's
# bootstrap (taxi: tens of thousands of rows) at a few tens of MiB per array.
_CELLS = 2_000_000


def bootstrap_rows(n: int, draws: int, seed: int = 0) -> np.ndarray:
    """Row indices of ``draws`` bootstrap resamples of ``n`` rows, shape (draws, n).

    One call to the generator: the same indices as ``draws`` successive
    ``rng.integers(0, n, n)``.
    """
    return np.random.default_rng(seed).integers(0, n, (draws, n))


def bootstrap_chunks(
    n: int, draws: int, seed: int = 0, cells: int = _CELLS
) -> Iterator[np.ndarray]:
    """``bootstrap_rows(n, draws, seed)`` in consecutive blocks of at most ``cells`` indices
    (at least one resample each), from one generator: the same rows, block by block."""
    rng = np.random.default_rng(seed)
    step = max(1, cells // max(n, 1))
    for start in range(0, draws, step):
        yield rng.integers(0, n, (min(step, draws - start), n))


def rowwise_form(scorer: Scorer) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """The row-wise form of ``scorer`` (``metrics.ROWWISE``, or its ``rowwise`` attribute)."""
    return ROWWISE.get(scorer) or getattr(scorer, "rowwise", None)


def bootstrap_scores(scorer: Scorer, y: np.ndarray, p: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``scorer`` on each resample ``y[idx[b]], p[idx[b]]``, shape (draws,).

    A metric with a row-wise form (``rowwise_form``) scores every resample in one array
    operation; any other scorer is called once per resample.
    """
    rowwise = rowwise_form(scorer)
    if rowwise is not None:
        return rowwise(y[idx], p[idx])
    return np.array([scorer(y[rows], p[rows]) for rows in idx], dtype=np.float64)


def bootstrap_draws(
    scorer: Scorer, y: np.ndarray, predictions: Sequence[np.ndarray], draws: int, seed: int = 0
) -> np.ndarray:
    """``scorer`` of each prediction vector on the same ``draws`` resamples of the rows.

    Returns shape (len(predictions), draws): row k holds ``predictions[k]``'s scores, and
    column b the scores of every prediction on resample b (a paired bootstrap). The
    resamples are ``bootstrap_rows(len(y), draws, seed)``, drawn in bounded blocks.
    """
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    preds = [np.asarray(p, dtype=np.float64).reshape(-1) for p in predictions]
    blocks = [
        np.stack([bootstrap_scores(scorer, y, p, idx) for p in preds])
        for idx in bootstrap_chunks(len(y), draws, seed)
    ]
    return np.concatenate(blocks, axis=1)


def bootstrap_difference(
    y_true: np.ndarray,
    pred_a: np.ndarray,
    pred_b: np.ndarray,
    scorer: Scorer,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, float]:
    """Paired bootstrap of ``scorer(a) - scorer(b)`` over test rows.

    Returns ``{"difference", "low", "high"}``: the observed difference and its
    percentile interval at ``level``.
    """
    check_int("n_boot", n_boot, minimum=10)
    y_true, pred_a, pred_b = (
        np.asarray(v, dtype=np.float64).reshape(-1) for v in (y_true, pred_a, pred_b)
    )
    scores = bootstrap_draws(scorer, y_true, (pred_a, pred_b), n_boot, seed)
    draws = scores[0] - scores[1]
    tail = (1 - level) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return {
        "difference": scorer(y_true, pred_a) - scorer(y_true, pred_b),
        "low": float(low),
        "high": float(high),
    }


def summarize_repeats(
    scores: pd.DataFrame,
    metric: str,
    *,
    comparisons: list[tuple[str, str]],
    test_fraction: float,
    level: float = 0.95,
) -> pd.DataFrame:
    """Summarize per-repeat scores (columns ``repeat``, ``Model``, ``metric``).

    Returns one row per model (mean, sd, interval of the mean) followed by one row per
    ``(a, b)`` comparison for the paired difference ``a - b``, each with the corrected
    resampled t interval. With a single repeat the intervals are NaN.
    """
    wide = scores.pivot(index="repeat", columns="Model", values=metric)
    k = len(wide)
    rows = [_interval(name, wide[name].to_numpy(), test_fraction, level) for name in wide.columns]
    rows += [
        _interval(f"{a} - {b}", (wide[a] - wide[b]).to_numpy(), test_fraction, level)
        for a, b in comparisons
    ]
    out = pd.DataFrame(rows)
    out.insert(1, "repeats", k)
    return out


def _interval(name: str, values: np.ndarray, test_fraction: float, level: float) -> dict:
    k = len(values)
    mean = float(np.mean(values))
    sd = float(np.std(values, ddof=1)) if k > 1 else float("nan")
    if k > 1:
        ratio = test_fraction / (1 - test_fraction)
        half = stats.t.ppf(0.5 + level / 2, k - 1) * sd * np.sqrt(1 / k + ratio)
    else:
        half = float("nan")
    return {"Model": name, "mean": mean, "sd": sd, "low": mean - half, "high": mean + half}
