"""The one pipeline every lab runs: split, design, fit, score, intervals, result, save.

``run_lab(spec, ...)`` executes a ``LabSpec``. Repeat r draws its split with
``seed + r`` (or takes the explicit indices given, or the lab's own split), builds
the design on the training rows, fits every model (networks through the cache),
scores the test rows, and keeps the first split's models, predictions, history and
extras. Intervals come from the repeats (corrected resampled t) or, for one split, a
paired bootstrap over test rows.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs.cache import ModelCache, cache_key
from nnlabs.errors import ParameterError
from nnlabs.evaluation.intervals import bootstrap_difference, summarize_repeats
from nnlabs.io import check_writable_dir
from nnlabs.labs.fitted import FittedLab
from nnlabs.labs.result import LabResult
from nnlabs.labs.spec import Design, LabData, LabSpec, Model, SplitContext, settings_with
from nnlabs.models.baselines import check_fold_ids
from nnlabs.responsible import analysis
from nnlabs.splits import Split, explicit_split, random_split
from nnlabs.validation import check_int

CacheArg = bool | str | os.PathLike | ModelCache | None


@dataclass
class SplitOutcome:
    """What one split produced: scores (one row per model), predictions, models, extras."""

    scores: pd.DataFrame
    predictions: dict[str, np.ndarray]
    y_test: np.ndarray
    models: dict[str, Any]
    extras: dict[str, Any]
    analysis: dict[str, Any] | None = None  # the §11.16 analyses (first split only)
    test_rows: np.ndarray | None = None  # the test rows' indices in the loaded rows
    designs: dict[str, Any] | None = None  # the fitted design of each input
    schema: Any = None  # the fitted RowSchema of the rows the design was fitted on


def run_lab(
    spec: LabSpec,
    settings=None,
    *,
    train_index=None,
    test_index=None,
    lasso_fold_ids=None,
    out_dir: str | os.PathLike | None = None,
    cache: CacheArg = True,
    n_jobs: int | None = None,
    **overrides: Any,
) -> LabResult:
    """Run the lab ``spec`` and return its ``LabResult``.

    Args:
        spec: the lab's declaration.
        settings: an instance of ``spec.settings``; keyword ``overrides`` replace its
            fields. Keywords named in ``spec.inputs`` (``data``...) go to ``spec.load``.
        train_index, test_index: zero-based row indices (of the rows ``load``
            returns) for one explicit split; ``train_index`` defaults to the other rows.
        lasso_fold_ids: the Lasso's CV folds with an explicit split: one label per
            training row, in the order of ``train_index`` (e.g. the folds ``cv.glmnet``
            draws after the notes' ``set.seed``); given to every model with a
            ``fold_ids`` parameter. By default folds are drawn from ``lasso_seed``.
        out_dir: if given, the result is saved there (``LabResult.save``).
        cache: True (default cache folder), a folder, a ``ModelCache``, or False.
        n_jobs: repeats run at once, as scikit-learn's ``n_jobs``: None or 1 one after
            another, -1 on every core, k on k. Parallel repeats go through joblib (its
            process backend unless ``joblib.parallel_config`` names another, e.g.
            ``"dask"``); each repeat seeds itself, so the result equals the serial one.
    """
    inputs = {k: overrides.pop(k) for k in spec.inputs if k in overrides}
    settings = settings_with(spec.settings, settings, overrides)
    store = resolve_cache(cache)
    jobs = _check_n_jobs(n_jobs)
    if out_dir is not None:  # a folder that cannot be written fails now, not after training
        check_writable_dir(out_dir, "out_dir")
    clock = _Clock()
    with clock("data"):
        data = spec.load(settings, **inputs)
    own = spec.split(data, settings) if spec.split is not None and test_index is None else None
    splits = list(_splits(len(data.y), settings, train_index, test_index, own))
    if lasso_fold_ids is not None:
        if test_index is None:
            raise ParameterError("lasso_fold_ids needs an explicit split (test_index)")
        check_fold_ids(
            lasso_fold_ids, len(splits[0].train), name="lasso_fold_ids", rows="training row"
        )
        spec = _with_fold_ids(spec, lasso_fold_ids)
    with clock("splits"):
        outcomes = run_splits(spec, data, splits, settings, store, jobs)
    with clock("intervals"):
        result = _assemble(spec, settings, data, outcomes)
    with clock("verdict_and_card"):
        _after_repeats(spec, result, outcomes[0])
    result.timings = _timings(clock.seconds, outcomes)
    if out_dir is not None:
        with clock("save"):
            result.save(out_dir)
        result.timings["save"] = clock.seconds["save"]
    return result


class _Clock:
    """Wall seconds per named phase: ``with clock("data"): ...`` adds to ``seconds``."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, phase: str):
        return _Phase(self.seconds, phase)


class _Phase:
    def __init__(self, seconds: dict[str, float], phase: str) -> None:
        self.seconds, self.phase = seconds, phase

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        elapsed = time.perf_counter() - self.start
        self.seconds[self.phase] = self.seconds.get(self.phase, 0.0) + elapsed


def _timings(run: dict[str, float], outcomes: list[SplitOutcome]) -> dict[str, Any]:
    """The run's phases in wall seconds, the splits' summed over repeats.

    ``data``, ``design``, ``fit`` (by model), ``analyses`` (§11.16, first split),
    ``intervals`` (scoring summaries and the result), ``verdict_and_card`` and
    ``splits`` (the repeats' whole wall time: with ``n_jobs`` it is less than their sum).
    """
    fit: dict[str, float] = {}
    for outcome in outcomes:
        for name, seconds in outcome.extras["fit_seconds"].items():
            fit[name] = fit.get(name, 0.0) + seconds
    phases = [o.extras["phase_seconds"] for o in outcomes]
    return {
        "data": run["data"],
        "design": sum(p["design"] for p in phases),
        "fit": fit,
        "analyses": sum(p["analyses"] for p in phases),
        "splits": run["splits"],
        "intervals": run["intervals"],
        "verdict_and_card": run["verdict_and_card"],
    }


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


def _with_fold_ids(spec: LabSpec, fold_ids) -> LabSpec:
    """``spec`` whose models with a ``fold_ids`` parameter (the Lassos) use ``fold_ids``."""

    def fixed(model: Model) -> Model:
        def make(settings, seed):
            estimator = model.make(settings, seed)
            if "fold_ids" in estimator.get_params(deep=False):
                estimator.set_params(fold_ids=fold_ids)
            return estimator

        return dataclasses.replace(model, make=make)

    models = {name: fixed(m) for name, m in spec.models.items()}
    return dataclasses.replace(spec, models=models)


def _check_n_jobs(n_jobs) -> int:
    if n_jobs is None:
        return 1
    n_jobs = check_int("n_jobs", n_jobs)
    if n_jobs == 0:
        raise ParameterError("n_jobs must be a nonzero integer (-1: every core); got 0")
    return n_jobs


def run_splits(
    spec: LabSpec, data: LabData, splits: list[Split], settings, store, n_jobs: int = 1
) -> list[SplitOutcome]:
    """Fit and score every split; repeat r is ``splits[r]``, seeded with ``network_seed + r``.

    With ``n_jobs != 1`` the splits run as joblib tasks under the active backend (the
    process backend by default); each worker limits its threads so that workers times
    threads stays within the cores.
    """
    if n_jobs == 1 or len(splits) == 1:
        return [_one_split(spec, data, split, settings, store, r) for r, split in enumerate(splits)]
    import joblib

    workers = min(joblib.effective_n_jobs(n_jobs), len(splits))
    threads = max(1, (os.cpu_count() or 1) // workers)
    tasks = (
        joblib.delayed(_one_split_in_worker)(spec, data, split, settings, store, r, threads)
        for r, split in enumerate(splits)
    )
    return list(joblib.Parallel(n_jobs=workers)(tasks))


def _one_split_in_worker(
    spec: LabSpec, data: LabData, split: Split, settings, store, repeat: int, threads: int
) -> SplitOutcome:
    limit_threads(threads)
    return _one_split(spec, data, split, settings, store, repeat)


def limit_threads(threads: int) -> None:
    """Keep this process to ``threads`` threads: BLAS (threadpoolctl) and TensorFlow.

    TensorFlow takes its thread counts once, before it first runs an op; a worker that
    has run one already keeps what it had.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
        except RuntimeError:  # already initialized in this worker
            pass


def _splits(n: int, settings, train_index, test_index, own: Split | None = None) -> Iterator[Split]:
    """The repeats' splits: explicit indices, else the lab's own split, else random ones."""
    if own is not None:
        if train_index is not None:
            raise ParameterError("train_index needs test_index as well")
        if settings.repeats > 1:
            raise ParameterError(
                f"repeats must be 1 when the lab splits its rows itself (a split by time); "
                f"got {settings.repeats}"
            )
        yield explicit_split(n, own.train, own.test)
        return
    if test_index is None:
        if train_index is not None:
            raise ParameterError("train_index needs test_index as well")
        for r in range(settings.repeats):
            yield random_split(n, settings.test_fraction, settings.seed + r)
        return
    if settings.repeats > 1:
        raise ParameterError("repeats must be 1 when test_index is given (one explicit split)")
    yield explicit_split(n, train_index, test_index)


def _one_split(
    spec: LabSpec, data: LabData, split: Split, settings, store, repeat: int
) -> SplitOutcome:
    start = time.perf_counter()
    schema, designs, design = fit_design(spec, data, split, settings)
    phase_seconds = {"design": time.perf_counter() - start}
    fit_seconds: dict[str, float] = {}
    models = {}
    for name in spec.models:
        start = time.perf_counter()
        models[name] = _fit(spec, name, design, settings, store, repeat)
        fit_seconds[name] = time.perf_counter() - start
    predictions = {
        name: _predict(spec.task, model, design.test[spec.models[name].input])
        for name, model in models.items()
    }
    scorers = spec.scorers(settings)
    scores = pd.DataFrame(
        [
            {"Model": name, **{m: f(design.y_test, p) for m, f in scorers.items()}}
            for name, p in predictions.items()
        ]
    )
    extras: dict[str, Any] = {
        "n_train": len(split.train),
        "n_test": len(split.test),
        "fit_seconds": fit_seconds,
        "phase_seconds": phase_seconds,
    }
    lasso = next((m for m in models.values() if hasattr(m, "lambda_min_")), None)
    if lasso is not None:
        extras["lasso_lambda"] = lasso.lambda_min_
    context = SplitContext(data, split, design, settings, models, predictions, scores, designs)
    if spec.split_extras is not None:
        extras.update(spec.split_extras(context))
    outcome = SplitOutcome(scores, predictions, design.y_test, models, extras)
    outcome.test_rows = np.asarray(split.test)
    outcome.designs, outcome.schema = designs, schema
    start = time.perf_counter()
    outcome.analysis = _post_split(spec, context, repeat)
    phase_seconds["analyses"] = time.perf_counter() - start
    return outcome


def fit_design(spec: LabSpec, data: LabData, split: Split, settings):
    """The split's row schema and designs, fitted, and the model inputs they give.

    Both are fitted on the training rows, or on all rows under ``scaling="all"`` (the
    notes' ``scale()`` before the split, errata H2). The test rows are held to the
    schema as new rows are (an unseen level is an error, or its fallback), quietly.
    Returns ``(schema, designs, Design)``.
    """
    rows = data.rows
    fitted_on = np.asarray(split.train) if settings.scaling == "train" else np.arange(len(rows))
    fit_rows = rows.iloc[fitted_on]
    schema = spec.row_schema().fit(fit_rows)
    designs = {
        key: transformer.fit(fit_rows, data.y[fitted_on])
        for key, transformer in spec.design(data, settings).items()
    }
    train = rows.iloc[split.train]
    test = schema.check(rows.iloc[split.test], name="the test rows", notes=False)
    design = Design(
        train={key: np.ascontiguousarray(d.transform(train)) for key, d in designs.items()},
        test={key: np.ascontiguousarray(d.transform(test)) for key, d in designs.items()},
        y_train=data.y[split.train],
        y_test=data.y[split.test],
    )
    if spec.streams is not None:
        design.streams = spec.streams(data, designs)
    return schema, designs, design


def _post_split(spec: LabSpec, context: SplitContext, repeat: int) -> dict[str, Any] | None:
    """The §11.16 analyses of the first split (importance, SHAP, subgroups, fairness)."""
    if repeat != 0:
        return None
    return analysis.analyze_split(spec, context)


def _after_repeats(spec: LabSpec, result: LabResult, first: SplitOutcome) -> None:
    """The first split's analyses onto ``result``, then the verdict and the model card."""
    if first.analysis is not None:
        analysis.with_fields(result, first.analysis)
    analysis.finish(spec, result, first)


def _fit(spec: LabSpec, name: str, design: Design, settings, store, repeat: int):
    model = spec.models[name]
    estimator = model.make(settings, settings.network_seed + repeat)
    x = design.train[model.input]
    if not model.network:
        return estimator.fit(x, design.y_train)
    validation = (
        (design.test[model.input], design.y_test) if settings.validation == "test" else None
    )
    stream = design.streams.get(model.input)
    if stream is not None:  # not cached: the key would have to cover the files
        if validation is None:
            cut = math.ceil(len(x) * (1.0 - settings.validation_fraction))
            validation = (x[cut:], design.y_train[cut:])
        return estimator.fit_stream(stream, validation_data=validation)
    return fit_network(
        estimator,
        x,
        design.y_train,
        validation_data=validation,
        cache=store,
        settings=settings,
        tag=f"{spec.name}/{name}",
    )


def _predict(task: str, model, x: np.ndarray) -> np.ndarray:
    if task == "classification":
        return model.predict_proba(x)[:, 1]
    return model.predict(x)


def fit_network(
    estimator,
    x: np.ndarray,
    y: np.ndarray,
    *,
    validation_data: tuple[np.ndarray, np.ndarray] | None,
    cache: ModelCache | None,
    settings,
    tag: str,
):
    """Fit ``estimator`` or load the same fit from ``cache``; return the fitted estimator.

    The key is what trains the network: the training (and validation) arrays, the
    estimator's parameters (its seed among them), the lab's training settings
    (``LabSettings.training_settings``: not ``repeats``, ``bootstrap_draws``...), the
    ``tag`` (lab and model) and the package, Keras and backend versions.
    """
    if cache is None:
        return estimator.fit(x, y, validation_data=validation_data)
    arrays = [x, y] + (list(validation_data) if validation_data is not None else [])
    params = _init_params(estimator)
    described = {k: v for k, v in params.items() if not callable(v)}
    key = cache_key(
        arrays=arrays,
        settings={"lab": settings.training_settings(), "estimator": described},
        tag=tag,
    )
    hit = cache.load(key)
    if hit is not None:
        model, history = hit
        fitted = type(estimator).from_fitted(model, history, **params)
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


# ---- the result ---------------------------------------------------------------------


def _assemble(spec: LabSpec, settings, data: LabData, outcomes: list[SplitOutcome]) -> LabResult:
    first = outcomes[0]
    fitted = fitted_lab(spec, settings, first)
    repeat_scores = None
    if len(outcomes) > 1:
        repeat_scores = pd.concat(
            [o.scores.assign(repeat=r + 1) for r, o in enumerate(outcomes)], ignore_index=True
        )
    result = LabResult(
        lab=spec.name,
        title=spec.title,
        table=spec.table(first.scores) if spec.table is not None else first.scores,
        history=first.models[spec.network].history_,
        models=fitted.models,
        settings=settings,
        network=spec.network,
        metric=spec.history_metric,
        uncertainty=_intervals(spec, settings, first, repeat_scores, len(data.y)),
        repeat_scores=repeat_scores,
        extras={**first.extras, **data.extras},
        digits=spec.digits,
        predictions=_prediction_frame(first),
        spec=spec,
        fitted=fitted,
        test_data=_test_data(spec, data, first),
    )
    if spec.footer is not None:
        result.footer = spec.footer(result)
    return result


def fitted_lab(spec: LabSpec, settings, outcome: SplitOutcome) -> FittedLab:
    """The first split's models as pipelines from raw rows (schema -> design -> model)."""
    from nnlabs.labs.fitted import lab_pipeline

    prepare = spec.prepare().fit(None) if spec.prepare is not None else None
    models = {
        name: lab_pipeline(
            outcome.schema, outcome.designs[spec.models[name].input], estimator, prepare
        )
        for name, estimator in outcome.models.items()
    }
    return FittedLab(
        lab=spec.name,
        title=spec.title,
        task=spec.task,
        response=spec.response,
        classes=spec.classes if spec.task == "classification" else None,
        schema=outcome.schema,
        models=models,
        inputs={name: m.input for name, m in spec.models.items()},
        networks=[name for name, m in spec.models.items() if m.network],
        settings=dataclasses.asdict(settings),
        threshold=getattr(settings, "threshold", 0.5),
        prepare=prepare,
    )


def _test_data(spec: LabSpec, data: LabData, outcome: SplitOutcome) -> pd.DataFrame:
    """The first split's test rows as loaded (raw columns), with the response."""
    rows = data.rows.iloc[outcome.test_rows]
    response = np.asarray(data.context.get("response", data.y))  # raw, if y is transformed
    return rows.assign(**{spec.response: response[outcome.test_rows]})


def _prediction_frame(outcome: SplitOutcome) -> pd.DataFrame:
    """The first split's test rows: ``row`` (index in the loaded rows), ``y`` and one
    column per model (its prediction; P(class 1) for a classifier)."""
    rows = outcome.test_rows if outcome.test_rows is not None else np.arange(len(outcome.y_test))
    columns = {"row": rows, "y": np.asarray(outcome.y_test).reshape(-1)}
    columns.update({k: np.asarray(v).reshape(-1) for k, v in outcome.predictions.items()})
    return pd.DataFrame(columns)


def _intervals(
    spec: LabSpec, settings, first: SplitOutcome, repeat_scores: pd.DataFrame | None, n: int
) -> pd.DataFrame:
    """One block of intervals per metric in ``spec.interval_metrics``, stacked.

    With several metrics each block names its metric in a ``metric`` column.
    """
    several = len(spec.interval_metrics) > 1
    scorers = spec.scorers(settings)
    blocks = []
    for metric in spec.interval_metrics:
        if repeat_scores is not None:
            block = summarize_repeats(
                repeat_scores,
                metric,
                comparisons=list(spec.comparisons),
                test_fraction=len(first.y_test) / n,
            )
            if several:
                block.insert(1, "metric", metric)
        else:
            block = _bootstrap_table(
                first, scorers[metric], spec.comparisons, metric, settings.bootstrap_draws
            )
        blocks.append(block)
    return pd.concat(blocks, ignore_index=True) if several else blocks[0]


def _bootstrap_table(
    outcome: SplitOutcome, scorer, comparisons, metric: str, n_boot: int
) -> pd.DataFrame:
    rows = []
    for a, b in comparisons:
        diff = bootstrap_difference(
            outcome.y_test, outcome.predictions[a], outcome.predictions[b], scorer, n_boot=n_boot
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
