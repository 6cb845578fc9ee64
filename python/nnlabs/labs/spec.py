"""What a lab declares: its settings, data, design, models, scorers and table.

A lab module builds one ``LabSpec`` and registers it; ``nnlabs.labs.runner.run_lab``
executes any spec (split, repeats, cache, fitting, scoring, intervals, result, saving).
The spec holds only what is specific to a lab; everything shared lives in the runner.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from nnlabs.design.features import SCALINGS
from nnlabs.design.schema import RowSchema
from nnlabs.design.transformers import ModelMatrix
from nnlabs.errors import ParameterError
from nnlabs.evaluation.intervals import Scorer
from nnlabs.evaluation.metrics import mae
from nnlabs.models.baselines import LassoCV
from nnlabs.splits import Split
from nnlabs.validation import Each, Flag, Interval, Optional, Options, Rule

VALIDATIONS = ("split", "test")
TASKS = ("regression", "classification")

_SEED = Interval(int, 0, None)
# The settings of the §11.16 analyses: reporting only, never part of a network's cache key.
ANALYSIS_FIELDS = (
    "explain",
    "importance_repeats",
    "importance_rows",
    "shap_rows",
    "shap_background",
    "shap_samples",
    "disaggregate",
    "min_group_size",
    "fairness_draws",
)
_FRACTION = Interval(float, 0, 1, closed="neither")


@dataclass(frozen=True)
class LabSettings:
    """The settings every lab shares; a lab subclasses it, adds fields, changes defaults.

    Every field has a rule in ``_parameter_constraints`` (merged along the class
    hierarchy), checked once, in ``__post_init__``: a bad value raises ``ParameterError``
    with the same message in every lab. Sequences come back as tuples.

    ``validation="split"`` early-stops (and monitors) on ``validation_fraction`` of the
    training rows; ``"test"`` passes the test rows as Keras' ``validation_data``, the
    notes' protocol in two labs (errata H1, movies 1), which biases the reported test metric.
    Repeat r of ``repeats`` splits with ``seed + r`` and seeds its networks with
    ``network_seed + r``.

    The §11.16 analyses run on the first split (``nnlabs.responsible.analysis``):
    ``explain`` switches permutation importance (``importance_repeats`` shuffles of
    each input column on ``importance_rows`` sampled test rows) and SHAP values of the
    networks (Kernel SHAP on ``shap_rows`` test rows, with ``shap_background``
    training rows as background and ``shap_samples`` coalitions per row);
    ``disaggregate`` switches metrics by subgroup (groups under ``min_group_size`` test
    rows flagged) and, for a classifier, the fairness differences of Table 11.38 with
    ``fairness_draws`` bootstrap resamples.
    None of them changes a fit, so the cache is reused (``ANALYSIS_FIELDS``).
    """

    seed: int = 42
    network_seed: int = 42
    lasso_seed: int = 42
    test_fraction: float = 0.2
    scaling: str = "train"
    validation: str = "split"
    validation_fraction: float = 0.2
    units: tuple[int, ...] = (32,)
    dropout: tuple[float, ...] = (0.0,)
    learning_rate: float = 1e-3
    epochs: int = 30
    batch_size: int = 32
    lasso_folds: int = 10
    repeats: int = 1
    bootstrap_draws: int = 2000  # resamples of the test rows for intervals on one split
    # §11.16 analyses of the first split (nnlabs.responsible.analysis); none changes a fit.
    explain: bool = True  # permutation importance (every model) and SHAP (networks)
    importance_repeats: int = 5
    importance_rows: int | None = 2000  # test rows sampled for importance; None: all
    shap_rows: int = 50  # test rows explained
    shap_background: int = 25  # training rows a masked column's values come from
    shap_samples: int = 256  # coalitions evaluated per explained row (Kernel SHAP)
    disaggregate: bool = True  # metrics by subgroup and, for a classifier, fairness
    min_group_size: int = 30  # groups with fewer test rows are flagged as small
    fairness_draws: int = 1000  # bootstrap resamples for the fairness intervals

    _parameter_constraints: ClassVar[dict[str, Rule]] = {
        "seed": _SEED,
        "network_seed": _SEED,
        "lasso_seed": _SEED,
        "test_fraction": _FRACTION,
        "scaling": Options(SCALINGS),
        "validation": Options(VALIDATIONS),
        "validation_fraction": _FRACTION,
        "units": Each(Interval(int, 1, None)),
        "dropout": Each(Interval(float, 0.0, 1.0, closed="left")),
        "learning_rate": Interval(float, 0, 10, closed="right"),
        "epochs": Interval(int, 1, None),
        "batch_size": Interval(int, 1, None),
        "lasso_folds": Interval(int, 3, None),
        "repeats": Interval(int, 1, None),
        "bootstrap_draws": Interval(int, 10, None),
        "explain": Flag(),
        "importance_repeats": Interval(int, 2, None),
        "importance_rows": Optional(Interval(int, 10, None)),
        "shap_rows": Interval(int, 1, None),
        "shap_background": Interval(int, 1, None),
        "shap_samples": Interval(int, 1, None),
        "disaggregate": Flag(),
        "min_group_size": Interval(int, 1, None),
        "fairness_draws": Interval(int, 10, None),
    }
    # Fields that change what is reported or a baseline, not what a network learns: a network
    # cached under other values of these is reused.
    _non_training_fields: ClassVar[frozenset[str]] = frozenset(
        {"repeats", "bootstrap_draws", "lasso_seed", "lasso_folds", *ANALYSIS_FIELDS}
    )

    def __post_init__(self) -> None:
        for name, rule in self.constraints().items():
            object.__setattr__(self, name, rule.check(name, getattr(self, name)))
        self._check_layers()

    @classmethod
    def constraints(cls) -> dict[str, Rule]:
        """Every field's rule, the subclass's overriding its bases'."""
        rules: dict[str, Rule] = {}
        for klass in reversed(cls.__mro__):
            rules.update(vars(klass).get("_parameter_constraints", {}))
        missing = {f.name for f in dataclasses.fields(cls)} - set(rules)
        if missing:  # a lab that adds a field must say what it accepts
            raise TypeError(f"{cls.__name__}: no rule for field(s) {sorted(missing)}")
        return rules

    @classmethod
    def non_training_fields(cls) -> frozenset[str]:
        """Fields that do not change a trained network (excluded from the cache key)."""
        out: set[str] = set()
        for klass in cls.__mro__:
            out |= vars(klass).get("_non_training_fields", frozenset())
        return frozenset(out)

    def fit_params(self) -> dict[str, Any]:
        """A network estimator's ``epochs``, ``batch_size`` and ``validation_fraction``.

        Under ``validation="test"`` no training rows are held out: the runner passes the
        test rows as validation data instead.
        """
        held_out = self.validation_fraction if self.validation == "split" else 0.0
        return {
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "validation_fraction": held_out,
        }

    def training_settings(self) -> dict[str, Any]:
        """The settings that shape a network's training, as a dict (the cache key's)."""
        skip = self.non_training_fields()
        return {k: v for k, v in dataclasses.asdict(self).items() if k not in skip}

    def _check_layers(self) -> None:
        layers = len(self.units)
        for name in ("dropout", "batch_norm"):
            values = getattr(self, name, None)
            if values is not None and len(values) != layers:
                raise ParameterError(
                    f"{name} must have one value per hidden layer (units has {layers}); "
                    f"got {len(values)}"
                )


def settings_with(settings_cls: type[LabSettings], settings, overrides: Mapping[str, Any]):
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


def settings_schema(settings_cls: type[LabSettings]) -> list[dict[str, Any]]:
    """One dict per field: ``name``, ``kind`` (the converter to use), ``default``,
    ``choices``, the bounds ``low``/``high`` (None when open) and ``rule`` (in words).

    Kinds: ``int``, ``float``, ``str``, ``bool``, ``object`` and sequences of them
    (``int[]``...), ``?`` appended when None is allowed. The CLI builds its options and
    the R package converts its arguments from this, not from annotations.
    """
    rules = settings_cls.constraints()
    defaults = settings_cls()
    out = []
    for f in dataclasses.fields(settings_cls):
        rule = rules[f.name]
        out.append(
            {
                "name": f.name,
                "kind": rule.kind,
                "default": getattr(defaults, f.name),
                "choices": list(getattr(_inner(rule), "choices", ())),
                "low": getattr(_inner(rule), "low", None),
                "high": getattr(_inner(rule), "high", None),
                "rule": rule.describe(),
            }
        )
    return out


def _inner(rule: Rule) -> Rule:
    """The rule of a sequence's items or of an optional value; the rule itself otherwise."""
    while isinstance(rule, (Each, Optional)):
        rule = rule.item if isinstance(rule, Each) else rule.rule
    return rule


@dataclass(frozen=True)
class Model:
    """One model of a lab's comparison.

    ``make(settings, seed)`` returns an unfitted estimator with the scikit-learn
    contract (``seed`` is ``network_seed + repeat``); ``input`` names the design matrix
    it reads; ``network`` marks a Keras network: cached, and validated on the test
    rows under ``validation="test"``.
    """

    make: Callable[[Any, int], Any]
    input: str = "x"
    network: bool = False


@dataclass
class LabData:
    """A lab's rows before any split: the response, the raw rows, facts and context.

    ``y`` (n,) is the response; ``rows`` (n rows) the raw predictor columns, as a user
    has them in a file (the design, fitted on training rows, turns them into matrices);
    ``extras`` facts reported in ``LabResult.extras`` (source, counts); ``context``
    what the design or the analyses need besides the rows (a zone lookup, a training
    stream, group columns).
    """

    y: np.ndarray
    rows: pd.DataFrame
    extras: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Design:
    """The model inputs of one split: the lab's fitted design applied to its rows.

    ``train`` and ``test`` map an input name (``Model.input``) to a float matrix of the
    training (n_train, p) or test (n_test, p) rows. ``streams`` maps an input name to a
    fitted ``nnlabs.data.stream.TripStream`` of its training rows when they are read
    from files rather than held: a network with that input trains from the stream
    (``NetworkRegressor.fit_stream``), validated on the last ``validation_fraction`` of
    ``train``'s rows (a sample the other models train on), or on the test rows under
    ``validation="test"``.
    """

    train: dict[str, np.ndarray]
    test: dict[str, np.ndarray]
    y_train: np.ndarray
    y_test: np.ndarray
    streams: dict[str, Any] = field(default_factory=dict)


def standardized(data: LabData, settings) -> dict[str, Any]:
    """The design of a lab whose inputs are all its columns, standardized: R's
    ``model.matrix(y ~ . - 1)`` coding (factors as dummies, levels of the fitted rows),
    then a ``StandardScaler`` (the training rows' means and sds; all rows' under
    ``scaling="all"``, the notes' ``scale()`` before the split)."""
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return {"x": Pipeline([("matrix", ModelMatrix(intercept=False)), ("scale", StandardScaler())])}


GBT = "Gradient-boosted trees"


def gradient_boosted(loss: str | None = None, *, task: str = "regression") -> Model:
    """The tree-ensemble baseline (``nnlabs.models.trees``), early-stopped on the last
    ``validation_fraction`` of the training rows: the network's validation rows under
    ``validation="split"``, its own held-out training rows under ``"test"`` (it never
    sees a test row). ``loss`` is the network's (``"squared_error"``/``"absolute_error"``).
    """
    from nnlabs.models.trees import GradientBoostedClassifier, GradientBoostedRegressor

    if task == "classification":
        return Model(
            lambda s, seed: GradientBoostedClassifier(
                validation_fraction=s.validation_fraction, seed=seed
            )
        )
    return Model(
        lambda s, seed: GradientBoostedRegressor(
            loss=loss, validation_fraction=s.validation_fraction, seed=seed
        )
    )


def glmnet_lasso(measure: str) -> Model:
    """The Lasso with lambda by ``cv.glmnet``-style CV on ``measure``, folds from settings."""
    return Model(lambda s, seed: LassoCV(n_folds=s.lasso_folds, measure=measure, seed=s.lasso_seed))


# A regression lab scored by test MAE, with intervals for it and the MAE history plotted.
MAE_REGRESSION: dict[str, Any] = {
    "scorers": lambda settings: {"MAE": mae},
    "interval_metrics": ("MAE",),
    "history_metric": "mean_absolute_error",
}


@dataclass
class SplitContext:
    """What a lab's ``split_extras`` and the §11.16 analyses see of one fitted split.

    ``designs`` holds the split's fitted design per input (transformers of raw rows),
    ``models`` the fitted estimators (on the design matrices of ``design``).
    """

    data: LabData
    split: Split
    design: Design
    settings: Any
    models: dict[str, Any]
    predictions: dict[str, np.ndarray]
    scores: pd.DataFrame
    designs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LabSpec:
    """A lab, declared.

    Attributes:
        name: registry name (``"hitters"``); files are ``<name>_results.json``...
        title: the table's caption.
        settings: the lab's ``LabSettings`` subclass.
        load: ``load(settings, **inputs) -> LabData``; ``inputs`` are the keyword
            arguments of ``run`` named in ``inputs`` (``data``, ``zones``...).
        design: ``design(data, settings) -> {input name: transformer}``: unfitted
            scikit-learn transformers from raw rows (``LabData.rows``) to each model
            input's float matrix. The runner fits them on each split's training rows
            (all rows under ``scaling="all"``, the notes' protocol), and each model of
            the result is the pipeline row schema -> design -> estimator.
        models: table name -> ``Model``, in table order.
        scorers: ``scorers(settings)`` -> metric name -> ``f(y_test, prediction)``.
        interval_metrics: the metrics that get intervals.
        comparisons: ``(a, b)`` pairs whose difference ``a - b`` gets an interval.
        network: the network whose history is kept and plotted.
        history_metric: the history column plotted.
        task: ``"regression"`` (predictions are values) or ``"classification"``
            (predictions are P(class 1)).
        response: the response's column name in the lab's raw data (``Salary``); new
            rows may carry it.
        classes: a classifier's class names, label 0 then label 1 (``("Flop", "Hit")``).
        fallback_levels: raw column -> the level that a level never seen in training
            becomes in new rows (the 311 lab's lumped factors: ``"Other"``); every other
            factor rejects unseen levels.
        aliases: raw column -> other names new rows may give it (TLC's
            ``tpep_pickup_datetime`` for ``pickup_datetime``).
        streams: ``streams(data, designs) -> {input name: stream}``: training streams
            of inputs whose rows are read from files (the taxi lab past its memory
            budget); see ``Design.streams``.
        prepare: a factory of a stateless transformer that brings new rows to the lab's
            raw columns before the schema checks them (taxi: TLC's pickup and dropoff
            times to hour, weekday and duration); the loaded rows already have them.
        table: scores (Model + metrics) -> the table in the notes' shape.
        digits: decimals when printing.
        split_extras: lab-specific facts of a split (first split's kept).
        footer: lines printed under the intervals.
        notes_protocol: settings that reproduce the notes' protocol (``--notes``).
        inputs: keyword arguments of ``run`` passed on to ``load``.
        subgroups: ``subgroups(data, split) -> DataFrame``, one column per grouping
            (League, borough...) and one row per test row, in ``split.test`` order;
            metrics are then reported by group (``nnlabs.responsible.analysis``).
        model_card: ``model_card(result) -> dict`` of the lab's own card entries
            (``data``, ``exclusions``, ``failure_modes``...), merged into the card the
            run generates.
        notes_table: the notes' own figures, model -> column of ``table`` -> value,
            shown beside the run's in the report (a model the notes lack shows none).
        split: ``split(data, settings) -> Split | None``: the lab's own split of its
            rows (e.g. by time: train on earlier months, test on the last), used for
            the one repeat instead of a random split; None from it, or no ``split``,
            means random splits. Explicit ``train_index``/``test_index`` win over it.
    """

    name: str
    title: str
    settings: type[LabSettings]
    load: Callable[..., LabData]
    design: Callable[[LabData, Any], Mapping[str, Any]]
    models: Mapping[str, Model]
    scorers: Callable[[Any], Mapping[str, Scorer]]
    interval_metrics: tuple[str, ...]
    comparisons: tuple[tuple[str, str], ...]
    network: str
    history_metric: str
    task: str = "regression"
    response: str = "y"
    classes: tuple[str, str] = ("0", "1")
    fallback_levels: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    streams: Callable[[LabData, Mapping[str, Any]], dict[str, Any]] | None = None
    prepare: Callable[[], Any] | None = None
    table: Callable[[pd.DataFrame], pd.DataFrame] | None = None
    digits: int = 4
    split_extras: Callable[[SplitContext], dict[str, Any]] | None = None
    footer: Callable[[Any], list[str]] | None = None
    notes_protocol: Mapping[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ("data",)
    subgroups: Callable[[LabData, Split], pd.DataFrame] | None = None
    model_card: Callable[[Any], dict[str, Any]] | None = None
    notes_table: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    split: Callable[[LabData, Any], Split | None] | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ParameterError(f"task must be one of {TASKS}; got {self.task!r}")
        named = {self.network, *(n for p in self.comparisons for n in p)}
        unknown = sorted(named - set(self.models))
        if unknown:
            raise ParameterError(f"lab {self.name!r}: no model named {', '.join(unknown)}")

    def row_schema(self) -> RowSchema:
        """An unfitted ``RowSchema`` with the lab's fallback levels, aliases and response."""
        return RowSchema(
            fallback=dict(self.fallback_levels),
            aliases={k: tuple(v) for k, v in self.aliases.items()},
            expected=(self.response,),
        )
