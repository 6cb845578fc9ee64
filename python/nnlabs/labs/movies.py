"""Lab 4 (§11.11.6): classifying simulated movies as Hit or Flop.

The lab reads as the notes do: simulate 500 movies and keep the top and bottom terciles
of log revenue, split 75 : 25, fit an L1-penalized logistic regression with lambda by
10-fold CV, fit a small network with early stopping on the validation AUC, and compare
test accuracy and AUC. Both AUCs are the exact ROC area, computed the same way for both
models from their predicted probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import sklearn

from nnlabs.data import movies as movies_data
from nnlabs.errors import DataError
from nnlabs.evaluation.metrics import (
    accuracy,
    accuracy_rows,
    auc_rows,
    confusion_table,
    f1,
    log_loss,
    precision,
    recall,
    roc_auc,
)
from nnlabs.labs.result import LabResult
from nnlabs.labs.runner import run_lab
from nnlabs.labs.spec import (
    GBT,
    LabData,
    LabSettings,
    LabSpec,
    Model,
    SplitContext,
    gradient_boosted,
    standardized,
)
from nnlabs.models.baselines import LogisticLassoCV
from nnlabs.models.estimators import NetworkClassifier
from nnlabs.models.networks import DenseBlock, dense_network, parameter_counts
from nnlabs.splits import Split
from nnlabs.validation import (
    Each,
    Flag,
    Interval,
    Options,
    Rule,
    check_finite_matrix,
    check_unique_columns,
)

LASSO, NN = "Logistic Regression (Lasso)", "Neural Network (3-layer)"
CLASS_NAMES = ("Flop", "Hit")
TABLE_METRICS = ("Accuracy", "AUC")
TITLE = "Table 11.35: test-set accuracy and AUC, movie Hit vs. Flop (simulated, 25% test set)"
# The notes' own protocol: early stopping on the test rows and scale() before the split.
# run(**NOTES_PROTOCOL) or `nnlabs run movies --notes`.
NOTES_PROTOCOL = {"validation": "test", "scaling": "all"}


@dataclass(frozen=True)
class MoviesSettings(LabSettings):
    """Settings of the movies lab; defaults are the notes' values (see ``LabSettings``).

    ``labels="terciles"`` (the notes) keeps only the top (Hit) and bottom (Flop)
    terciles; ``"median"`` keeps every movie, Hit = above the median. See
    ``nnlabs.data.movies.simulate`` for why dropping the middle inflates accuracy.
    ``validation="test"`` reproduces the notes, which pass the test rows as
    ``validation_data``: the reported test AUC is then the maximum over up to 300 looks
    at the test set (errata movies 1). ``scaling="all"`` reproduces the notes'
    ``scale()`` of all rows before the split.
    """

    n_movies: int = 500  # movies simulated before the middle tercile is dropped
    data_seed: int = 42  # the notes' set.seed(42) before the simulation
    labels: str = "terciles"
    lasso_seed: int = 42  # cv.glmnet's folds follow the notes' set.seed(42)
    test_fraction: float = 0.25
    units: tuple[int, ...] = (32, 16)
    batch_norm: tuple[bool, ...] = (True, False)
    dropout: tuple[float, ...] = (0.3, 0.2)
    epochs: int = 300
    patience: int = 25
    keras_auc_thresholds: int = 200  # Keras' AUC metric, monitored for early stopping
    threshold: float = 0.5  # P(Hit) above which a movie is called a Hit

    _parameter_constraints: ClassVar[dict[str, Rule]] = {
        "n_movies": Interval(int, 3, None),
        "data_seed": Interval(int, 0, None),
        "labels": Options(movies_data.LABELS),
        "batch_norm": Each(Flag()),
        "patience": Interval(int, 1, None),
        "keras_auc_thresholds": Interval(int, 3, None),
        "threshold": Interval(float, 0, 1),
    }
    _non_training_fields: ClassVar[frozenset[str]] = frozenset({"threshold"})


def design(frame: pd.DataFrame, *, name: str = "data") -> tuple[pd.DataFrame, np.ndarray]:
    """Return the six features (n, 6) and the 0/1 Hit label (n,) of a movies frame.

    The frame needs the columns of ``nnlabs.data.movies.FEATURES`` (numeric, finite)
    and ``hit`` holding 0 (Flop) and 1 (Hit), both present.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    required = (*movies_data.FEATURES, movies_data.RESPONSE)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing required column(s) {', '.join(map(repr, missing))}")
    check_unique_columns(frame, name, required)
    for column in required:
        dtype = frame[column].dtype
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_complex_dtype(dtype):
            raise DataError(f"{name}: column {column!r} must be numeric; got dtype {dtype}")
    x = frame[list(movies_data.FEATURES)].astype(np.float64)
    check_finite_matrix(f"{name} features", x.to_numpy())
    labels = frame[movies_data.RESPONSE].to_numpy(dtype=np.float64)
    if not np.isin(labels, (0.0, 1.0)).all():
        raise DataError(
            f"{name}: column 'hit' must hold 0 (Flop) or 1 (Hit) in every row; found "
            f"{int((~np.isin(labels, (0.0, 1.0))).sum())} other value(s)"
        )
    if np.unique(labels).size < 2:
        got = f"only {int(labels[0])}" if labels.size else "no rows"
        raise DataError(
            f"{name}: column 'hit' must contain both classes, 0 (Flop) and 1 (Hit); got {got}"
        )
    return x, labels.astype(np.int64)


def build_network(settings: MoviesSettings, n_inputs: int, seed: int | None = None):
    """The notes' network: Dense 32 relu, bn, dropout .3, Dense 16 relu, dropout .2, 1 sigmoid.

    Compiled with Adam, binary cross-entropy and the accuracy and (approximate, 200
    thresholds) AUC metrics. Six inputs give 897 parameters (833 trainable, 64
    batch-norm statistics).
    ``seed`` fixes the initial weights and dropout masks (``dense_network``).
    """
    import keras

    blocks = [
        DenseBlock(u, batch_norm=bn, dropout=d)
        for u, bn, d in zip(settings.units, settings.batch_norm, settings.dropout, strict=True)
    ]
    model = dense_network(
        n_inputs, blocks, output_activation="sigmoid", name="movie_classification", seed=seed
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss="binary_crossentropy",
        metrics=[
            "accuracy",
            keras.metrics.AUC(num_thresholds=settings.keras_auc_thresholds, name="auc"),
        ],
    )
    return model


def _callbacks(settings: MoviesSettings):
    import keras

    return [
        keras.callbacks.EarlyStopping(
            monitor="val_auc", mode="max", patience=settings.patience, restore_best_weights=True
        )
    ]


def make_network(settings: MoviesSettings, seed: int) -> NetworkClassifier:
    """The network as an estimator, validation and callbacks configured from ``settings``."""
    return NetworkClassifier(
        lambda n: build_network(settings, n, seed),
        **settings.fit_params(),
        callbacks=lambda: _callbacks(settings),
        seed=seed,
    )


def keras_auc(y_true: np.ndarray, y_prob: np.ndarray, num_thresholds: int = 200) -> float:
    """The AUC Keras reports (``metric_auc``): a Riemann sum over ``num_thresholds`` cuts.

    Only for comparison with the notes, whose network AUC is this approximation; the
    lab's table uses the exact ``nnlabs.evaluation.metrics.roc_auc``.
    """
    import keras

    metric = keras.metrics.AUC(num_thresholds=num_thresholds)
    metric.update_state(np.asarray(y_true, dtype=np.float32), np.asarray(y_prob, np.float32))
    return float(metric.result())


def load(settings: MoviesSettings, data: pd.DataFrame | None = None) -> LabData:
    """The six features and 0/1 labels of ``data`` (simulated as the notes by default)."""
    source = (
        f"simulated ({settings.n_movies} movies, seed {settings.data_seed}, labels "
        f"{settings.labels!r}; nnlabs.data.movies.simulate)"
        if data is None
        else "data frame given to run()"
    )
    if data is None:
        data = movies_data.simulate(settings.n_movies, settings.data_seed, labels=settings.labels)
    x_df, y = design(data)
    counts = {"Flop": int((y == 0).sum()), "Hit": int(y.sum())}
    facts = {"class_counts": counts, "columns": list(movies_data.FEATURES), "source": source}
    return LabData(y=y, rows=x_df.reset_index(drop=True), extras=facts)


def subgroups(data: LabData, split: Split) -> pd.DataFrame:
    """Genre (action, comedy, both, other) and sequel (yes/no) of the test rows.

    The simulation draws the two genre flags independently, so a few movies are both
    action and comedy: they form their own group rather than being counted twice.
    """
    x = data.rows.iloc[split.test]
    action, comedy = x["genre_action"] == 1, x["genre_comedy"] == 1
    genre = np.select(
        [action & comedy, action, comedy], ["action & comedy", "action", "comedy"], "other"
    )
    sequel = np.where(x["sequel"] == 1, "sequel", "not a sequel")
    return pd.DataFrame({"genre": genre, "sequel": sequel})


def model_card(result: LabResult) -> dict[str, Any]:
    """The movies lab's data description, exclusions and failure modes."""
    s = result.settings
    exclusions = (
        [
            "the middle tercile of log revenue (the notes' Hit/Flop labels): the movies "
            "nearest the boundary are dropped, so accuracy and AUC describe an easier problem"
        ]
        if s.labels == "terciles"
        else []
    )
    return {
        "data": "Simulated movies: budget, cast score, sequel, action and comedy flags, "
        "marketing; log revenue linear in them plus noise (the notes' model).",
        "exclusions": exclusions,
        "failure_modes": [
            f"{result.extras.get('n_test', '?')} test rows: one misclassified movie moves "
            "accuracy by more than 1%; the models are hard to separate.",
            "The data are simulated from a linear log-revenue model, whose form the "
            "logistic Lasso shares: nothing here says how the models rank on real movies.",
            "Groups are small (genre 'action & comedy' especially): fairness differences "
            "between them have wide intervals.",
            "Early stopping on AUC keeps an early epoch: the network's probabilities are "
            "less well calibrated (higher log loss) than the Lasso's.",
        ],
    }


def scorers(settings: MoviesSettings) -> dict:
    """Accuracy and exact AUC (the table), precision, recall, F1 and log loss of P(Hit)."""
    cut = {"threshold": settings.threshold}
    return {
        "Accuracy": _fast(accuracy, rowwise=accuracy_rows(settings.threshold), **cut),
        "AUC": _auc_or_nan,
        "Precision": _fast(precision, **cut),
        "Recall": _fast(recall, **cut),
        "F1": _fast(f1, **cut),
        "LogLoss": _fast(log_loss),
    }


def split_extras(split: SplitContext) -> dict[str, Any]:
    """Confusion matrices, Keras' AUC (as the notes report it), epochs and parameters."""
    y_te, threshold = split.design.y_test, split.settings.threshold
    history = split.models[NN].history_
    return {
        "test_hits": int(y_te.sum()),
        "threshold": threshold,
        "metrics": split.scores,
        "confusion": {
            name: confusion_table(y_te, p, threshold=threshold, class_names=CLASS_NAMES)
            for name, p in split.predictions.items()
        },
        "keras_auc": {
            name: keras_auc(y_te, p, split.settings.keras_auc_thresholds)
            for name, p in split.predictions.items()
        },
        "epochs_run": len(history),
        "best_epoch": int(history["epoch"].iloc[int(np.argmax(history["val_auc"]))]),
        "parameters": parameter_counts(split.models[NN].model_),
    }


SPEC = LabSpec(
    name="movies",
    title=TITLE,
    settings=MoviesSettings,
    load=load,
    design=standardized,
    models={
        LASSO: Model(
            lambda s, seed: LogisticLassoCV(
                n_folds=s.lasso_folds, measure="deviance", seed=s.lasso_seed
            )
        ),
        NN: Model(make_network, network=True),
        GBT: gradient_boosted(task="classification"),
    },
    scorers=scorers,
    interval_metrics=TABLE_METRICS,
    comparisons=((NN, LASSO), (NN, GBT), (GBT, LASSO)),
    network=NN,
    history_metric="auc",
    task="classification",
    response=movies_data.RESPONSE,
    classes=CLASS_NAMES,
    table=lambda scores: scores[["Model", *TABLE_METRICS]],
    digits=3,
    split_extras=split_extras,
    notes_protocol=NOTES_PROTOCOL,
    subgroups=subgroups,
    model_card=model_card,
    notes_table={LASSO: {"Accuracy": 0.916, "AUC": 0.972}, NN: {"Accuracy": 0.916, "AUC": 0.981}},
)


def run(settings: MoviesSettings | None = None, **kwargs: Any) -> LabResult:
    """Run the movies lab; its table is shaped like Table 11.35.

    The table has one row per model with test ``Accuracy`` (a proportion) and exact
    ``AUC``; ``extras`` holds, for the first split, ``metrics`` (accuracy, AUC,
    precision, recall, F1 and log loss per model), ``confusion`` (Predicted x Actual
    tables, Flop/Hit), ``keras_auc`` (Keras' 200-threshold AUC, as the notes report for
    the network), the chosen ``lasso_lambda``, ``epochs_run``, ``best_epoch``, the
    network's ``parameters`` and ``class_counts``. Intervals for accuracy and AUC are in
    ``uncertainty``.

    ``data=`` a movies-shaped frame (the six features and ``hit``), e.g. the notes' R
    data; by default ``simulate(n_movies, data_seed, labels=labels)``.
    ``train_index``/``test_index`` give an explicit split, e.g. the notes'
    ``testid_mov - 1`` passed from R. The other arguments (``out_dir``, ``cache``) are
    ``nnlabs.labs.runner.run_lab``'s.
    """
    return run_lab(SPEC, settings, **kwargs)


def _fast(metric, rowwise=None, **kwargs):
    # The paired bootstrap calls a scorer thousands of times on checked arrays;
    # scikit-learn's own argument validation would then dominate the run time. With a
    # row-wise form it scores every resample at once (nnlabs.evaluation.intervals).
    def scorer(y_true: np.ndarray, y_prob: np.ndarray) -> float:
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            return metric(y_true, y_prob, **kwargs)

    if rowwise is not None:
        scorer.rowwise = rowwise
    return scorer


def _auc_or_nan(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    # A bootstrap resample of a small test set can hold a single class, where the AUC is
    # undefined; NaN then marks the interval as unavailable instead of failing the run.
    if np.unique(y_true).size < 2:
        return float("nan")
    # The paired bootstrap calls this thousands of times on checked arrays; scikit-learn's
    # own argument validation would then dominate the run time.
    with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
        return roc_auc(y_true, y_prob)


_auc_or_nan.rowwise = auc_rows  # every resample at once, NaN where one class is left
