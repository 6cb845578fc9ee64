"""Metrics by subgroup and the fairness differences of Table 11.38 (§11.16.3).

``subgroup_metrics`` disaggregates each model's test metrics by the levels of one or
more grouping columns, with the number of test rows in each group; groups with fewer
than ``min_group_size`` rows are flagged ``small`` (kept, not hidden: their metrics are
noisy, not absent).

For a classifier (0/1 labels, predicted P(class 1), a threshold), between the groups of
one grouping:

* demographic-parity difference: max minus min over groups of the selection rate
  P(Ŷ = 1 | A = a);
* equalized-odds differences: max minus min of the true-positive rate
  P(Ŷ = 1 | Y = 1, A = a) and of the false-positive rate P(Ŷ = 1 | Y = 0, A = a), and
  their larger one (the equalized-odds difference as fairlearn reports it).

A group without rows of a class has no TPR (or FPR) and is left out of that
difference. Intervals are percentile intervals over bootstrap resamples of the test
rows; resamples where a difference is undefined (fewer than two groups with a rate)
are dropped and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from nnlabs.errors import DataError
from nnlabs.validation import check_float, check_int

FAIRNESS_METRICS = (
    "demographic_parity_difference",
    "tpr_difference",
    "fpr_difference",
    "equalized_odds_difference",
)


def _checked_groups(groups: pd.DataFrame, n: int) -> pd.DataFrame:
    if not isinstance(groups, pd.DataFrame):
        raise DataError(f"groups must be a pandas DataFrame; got {type(groups).__name__}")
    if len(groups) != n:
        raise DataError(f"groups must have one row per test row ({n}); got {len(groups)}")
    return groups.reset_index(drop=True)


def subgroup_metrics(
    y: np.ndarray,
    predictions: Mapping[str, np.ndarray],
    groups: pd.DataFrame,
    metrics: Mapping[str, Callable[[np.ndarray, np.ndarray], float]],
    *,
    min_group_size: int = 30,
) -> pd.DataFrame:
    """Each model's ``metrics`` within each group of each grouping column of ``groups``.

    Returns one row per (grouping, group, model): ``grouping``, ``group``, ``n`` (test
    rows in the group), ``small`` (n < ``min_group_size``), ``Model`` and one column
    per metric (NaN where a metric is undefined in a group, e.g. AUC of one class).
    Within a grouping the groups' ``n`` add up to the test rows (a missing group
    value is its own group, ``"(missing)"``).
    """
    min_group_size = check_int("min_group_size", min_group_size, minimum=1)
    y = np.asarray(y).reshape(-1)
    groups = _checked_groups(groups, len(y))
    rows = []
    for grouping in groups.columns:
        labels = groups[grouping].astype(object).where(groups[grouping].notna(), "(missing)")
        for level, index in labels.groupby(labels, sort=True).groups.items():
            idx = np.asarray(index, dtype=np.int64)
            for model, prediction in predictions.items():
                p = np.asarray(prediction).reshape(-1)
                values = {name: _safe(f, y[idx], p[idx]) for name, f in metrics.items()}
                rows.append(
                    {
                        "grouping": grouping,
                        "group": str(level),
                        "n": len(idx),
                        "small": len(idx) < min_group_size,
                        "Model": model,
                        **values,
                    }
                )
    return pd.DataFrame(rows)


def _safe(metric, y: np.ndarray, p: np.ndarray) -> float:
    try:
        return float(metric(y, p))
    except (DataError, ValueError):
        return float("nan")


def group_rates(y: np.ndarray, predicted: np.ndarray, labels: np.ndarray) -> pd.DataFrame:
    """Per group: ``n``, ``positives``, ``negatives``, ``selection_rate``, ``tpr``, ``fpr``.

    ``y`` 0/1 labels, ``predicted`` 0/1 decisions, ``labels`` the group of each row.
    A rate with an empty denominator is NaN.
    """
    y = np.asarray(y).reshape(-1).astype(np.int64)
    predicted = np.asarray(predicted).reshape(-1).astype(np.int64)
    labels = np.asarray(labels, dtype=object).reshape(-1)
    rows = []
    for level in sorted(set(labels.tolist()), key=str):
        m = labels == level
        pos, neg = m & (y == 1), m & (y == 0)
        rows.append(
            {
                "group": str(level),
                "n": int(m.sum()),
                "positives": int(pos.sum()),
                "negatives": int(neg.sum()),
                "selection_rate": _rate(predicted[m]),
                "tpr": _rate(predicted[pos]),
                "fpr": _rate(predicted[neg]),
            }
        )
    return pd.DataFrame(rows)


def _rate(decisions: np.ndarray) -> float:
    return float(decisions.mean()) if len(decisions) else float("nan")


def _spread(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    return float(values.max() - values.min()) if len(values) >= 2 else float("nan")


def fairness_differences(y: np.ndarray, predicted: np.ndarray, labels: np.ndarray) -> dict:
    """The four differences of ``FAIRNESS_METRICS`` between the groups of ``labels``."""
    codes, names = pd.factorize(pd.Series(np.asarray(labels, dtype=object).reshape(-1)))
    y = np.asarray(y).reshape(-1).astype(np.int64)
    predicted = np.asarray(predicted).reshape(-1).astype(np.int64)
    return _differences(y, predicted, codes, len(names))


def _differences(y: np.ndarray, decided: np.ndarray, codes: np.ndarray, k: int) -> dict:
    # Counts per group by bincount: the bootstrap calls this thousands of times.
    n = np.bincount(codes, minlength=k)
    pos = np.bincount(codes, weights=y, minlength=k)
    chosen = np.bincount(codes, weights=decided, minlength=k)
    true_pos = np.bincount(codes, weights=decided * y, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        selection = np.where(n > 0, chosen / n, np.nan)
        tpr_g = np.where(pos > 0, true_pos / pos, np.nan)
        fpr_g = np.where(n - pos > 0, (chosen - true_pos) / (n - pos), np.nan)
    tpr, fpr = _spread(tpr_g), _spread(fpr_g)
    eo = float(np.nanmax([tpr, fpr])) if np.isfinite([tpr, fpr]).any() else float("nan")
    return {
        "demographic_parity_difference": _spread(selection),
        "tpr_difference": tpr,
        "fpr_difference": fpr,
        "equalized_odds_difference": eo,
    }


def fairness_table(
    y: np.ndarray,
    probabilities: Mapping[str, np.ndarray],
    groups: pd.DataFrame,
    *,
    threshold: float = 0.5,
    n_boot: int = 1000,
    seed: int = 0,
    min_group_size: int = 30,
    level: float = 0.95,
) -> pd.DataFrame:
    """Table 11.38's differences for each model and grouping, with bootstrap intervals.

    A row is called positive when its probability exceeds ``threshold``. Returns one
    row per (Model, grouping, metric): ``value``, ``low``, ``high`` (percentile
    interval over ``n_boot`` resamples of the test rows), ``undefined_draws``
    (resamples where the difference was undefined), ``groups`` (how many) and
    ``small_groups`` (the groups under ``min_group_size`` rows, comma-separated).
    """
    threshold = check_float("threshold", threshold, 0, 1)
    n_boot = check_int("n_boot", n_boot, minimum=10)
    min_group_size = check_int("min_group_size", min_group_size, minimum=1)
    y = np.asarray(y).reshape(-1).astype(np.int64)
    if not np.isin(y, (0, 1)).all():
        raise DataError("y must hold 0/1 labels")
    groups = _checked_groups(groups, len(y))
    rng = np.random.default_rng(seed)
    draws = [rng.integers(0, len(y), len(y)) for _ in range(n_boot)]
    tail = (1 - level) / 2
    rows = []
    for model, prob in probabilities.items():
        decided = (np.asarray(prob).reshape(-1) > threshold).astype(np.int64)
        for grouping in groups.columns:
            labels = groups[grouping].astype(object).where(groups[grouping].notna(), "(missing)")
            labels = labels.astype(str).to_numpy()
            counts = pd.Series(labels).value_counts()
            small = sorted(counts.index[counts < min_group_size].tolist())
            codes, names = pd.factorize(pd.Series(labels))
            observed = _differences(y, decided, codes, len(names))
            boot = pd.DataFrame(
                [_differences(y[i], decided[i], codes[i], len(names)) for i in draws]
            )
            for metric in FAIRNESS_METRICS:
                values = boot[metric].to_numpy(dtype=np.float64)
                ok = values[np.isfinite(values)]
                low, high = np.quantile(ok, [tail, 1 - tail]) if len(ok) else (np.nan, np.nan)
                rows.append(
                    {
                        "Model": model,
                        "grouping": grouping,
                        "metric": metric,
                        "value": observed[metric],
                        "low": float(low),
                        "high": float(high),
                        "undefined_draws": int(n_boot - len(ok)),
                        "groups": len(counts),
                        "small_groups": ", ".join(small),
                    }
                )
    return pd.DataFrame(rows)
