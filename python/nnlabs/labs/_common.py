"""Machinery every lab shares: the model cache, repeated splits, and assembling results."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs._cache import ModelCache, cache_key
from nnlabs.errors import ParameterError
from nnlabs.evaluation import bootstrap_difference, summarize_repeats
from nnlabs.labs._result import LabResult

CacheArg = bool | str | os.PathLike | ModelCache | None
Scorer = Callable[[np.ndarray, np.ndarray], float]


@dataclass
class SplitOutcome:
    """What one train/test split of a lab produced."""

    scores: pd.DataFrame  # one row per model: Model + metric columns
    predictions: dict[str, np.ndarray]
    y_test: np.ndarray
    models: dict[str, Any]
    history: pd.DataFrame
    extras: dict[str, Any] = dataclasses.field(default_factory=dict)


def resolve_cache(cache: CacheArg) -> ModelCache | None:
    """``True``: the default cache folder; a path: that folder; ``False``/None: no cache."""
    if cache is None or cache is False:
        return None
    if cache is True:
        return ModelCache()
    if isinstance(cache, ModelCache):
        return cache
    if isinstance(cache, (str, os.PathLike)):
        return ModelCache(Path(cache))
    raise ParameterError(f"cache must be True, False, None or a folder path; got {cache!r}")


def fit_network(
    estimator,
    x: np.ndarray,
    y: np.ndarray,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    cache: ModelCache | None,
    settings: Any,
    tag: str,
):
    """Fit ``estimator`` or load the same fit from ``cache``; return the fitted estimator.

    The key covers the training (and validation) arrays, every setting of the lab, the
    ``tag`` (lab, model name and repeat) and the package, Keras and backend versions, so
    any change trains anew.
    """
    if cache is None:
        return estimator.fit(x, y, validation_data=validation_data)
    arrays = [x, y] + (list(validation_data) if validation_data is not None else [])
    key = cache_key(arrays=arrays, settings=dataclasses.asdict(settings), tag=tag)
    hit = cache.load(key)
    if hit is not None:
        model, history = hit
        fitted = type(estimator).from_fitted(model, history, **_init_params(estimator))
        fitted.cache_hit_ = True
        return fitted
    estimator.fit(x, y, validation_data=validation_data)
    cache.save(key, estimator.model_, estimator.history_)
    estimator.cache_hit_ = False
    return estimator


def _init_params(estimator) -> dict[str, Any]:
    params = estimator.get_params(deep=False)
    params.pop("build", None)
    return params


def run_repeats(
    one_split: Callable[[int], SplitOutcome], repeats: int
) -> tuple[SplitOutcome, pd.DataFrame | None]:
    """Run ``one_split(r)`` for r = 0..repeats-1; return the first outcome and all scores.

    The scores frame (None for a single split) has a ``repeat`` column numbered from 1.
    """
    first = one_split(0)
    if repeats == 1:
        return first, None
    scores = [first.scores.assign(repeat=1)]
    scores += [one_split(r).scores.assign(repeat=r + 1) for r in range(1, repeats)]
    return first, pd.concat(scores, ignore_index=True)


def assemble(
    *,
    lab: str,
    title: str,
    first: SplitOutcome,
    repeat_scores: pd.DataFrame | None,
    settings: Any,
    network: str,
    metric_column: str,
    table_metric: str | Sequence[str],
    scorer: Scorer | Mapping[str, Scorer],
    comparisons: list[tuple[str, str]],
    test_fraction: float,
    table: pd.DataFrame | None = None,
    digits: int = 4,
    n_boot: int | None = None,
) -> LabResult:
    """Build the LabResult; intervals come from the repeats, or a bootstrap on one split.

    ``table_metric`` names the score column the intervals are for and ``scorer`` is its
    function of (y_test, predictions). Several metrics, given as a sequence of names and
    a mapping of scorers by name, give one block of intervals per metric, stacked, with
    the metric named in a ``metric`` column. ``n_boot`` sets the number of bootstrap
    resamples on one split (``bootstrap_difference``'s default when None).
    """
    several = not isinstance(table_metric, str)
    metrics = list(table_metric) if several else [table_metric]
    scorers = scorer if several else {table_metric: scorer}
    blocks = []
    for name in metrics:
        if repeat_scores is not None:
            block = summarize_repeats(
                repeat_scores, name, comparisons=comparisons, test_fraction=test_fraction
            )
            if several:
                block.insert(1, "metric", name)
        else:
            block = _bootstrap_table(first, scorers[name], comparisons, name, n_boot)
        blocks.append(block)
    uncertainty = pd.concat(blocks, ignore_index=True) if several else blocks[0]
    return LabResult(
        lab=lab,
        title=title,
        table=table if table is not None else first.scores,
        history=first.history,
        models=first.models,
        settings=settings,
        network=network,
        metric=metric_column,
        uncertainty=uncertainty,
        repeat_scores=repeat_scores,
        extras=first.extras,
        digits=digits,
    )


def _bootstrap_table(
    outcome: SplitOutcome,
    scorer,
    comparisons: list[tuple[str, str]],
    metric: str,
    n_boot: int | None = None,
) -> pd.DataFrame:
    draws = {} if n_boot is None else {"n_boot": n_boot}
    rows = []
    for a, b in comparisons:
        diff = bootstrap_difference(
            outcome.y_test, outcome.predictions[a], outcome.predictions[b], scorer, **draws
        )
        rows.append(
            {
                "Comparison": f"{a} - {b}",
                "metric": metric,
                "method": "paired bootstrap over test rows (one split)",
                **diff,
            }
        )
    return pd.DataFrame(rows)


def settings_with(settings_cls, settings, overrides: Mapping[str, Any]):
    """Return ``settings`` (or the defaults) with ``overrides`` applied and checked."""
    base = settings if settings is not None else settings_cls()
    if not isinstance(base, settings_cls):
        raise ParameterError(
            f"settings must be a {settings_cls.__name__}; got {type(base).__name__}"
        )
    known = {f.name for f in dataclasses.fields(settings_cls)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ParameterError(
            f"unknown setting(s) {', '.join(map(repr, unknown))} for {settings_cls.__name__}; "
            f"known: {', '.join(sorted(known))}"
        )
    return dataclasses.replace(base, **overrides)
