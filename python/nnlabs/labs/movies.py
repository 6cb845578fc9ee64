"""Lab 4 (§11.11.6): classifying simulated movies as Hit or Flop.

The lab reads as the notes do: simulate 500 movies and keep the top and bottom terciles
of log revenue, split 75 : 25, fit an L1-penalized logistic regression with lambda by
10-fold CV, fit a small network with early stopping on the validation AUC, and compare
test accuracy and AUC. Both AUCs are the exact ROC area, computed the same way for both
models from their predicted probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn

from nnlabs._validation import check_choice, check_finite_matrix, check_float, check_int
from nnlabs.baselines import LogisticLassoCV, check_fold_ids
from nnlabs.data import movies as movies_data
from nnlabs.errors import DataError, ParameterError
from nnlabs.estimators import NetworkClassifier
from nnlabs.features import SCALINGS, fit_scaler
from nnlabs.labs._common import (
    CacheArg,
    SplitOutcome,
    assemble,
    fit_network,
    resolve_cache,
    run_repeats,
    settings_with,
)
from nnlabs.labs._result import LabResult
from nnlabs.metrics import accuracy, classification_scores, confusion_table, roc_auc
from nnlabs.networks import DenseBlock, dense_network, parameter_counts
from nnlabs.splits import Split, explicit_split, random_split

VALIDATIONS = ("split", "test")
LASSO, NN = "Logistic Regression (Lasso)", "Neural Network (3-layer)"
CLASS_NAMES = ("Flop", "Hit")
TABLE_METRICS = ("Accuracy", "AUC")
TITLE = "Table 11.35: test-set accuracy and AUC, movie Hit vs. Flop (simulated, 25% test set)"
# The notes' own protocol: early stopping on the test rows and scale() before the split.
# run(**NOTES_PROTOCOL) or `nnlabs run movies --notes`.
NOTES_PROTOCOL = {"validation": "test", "scaling": "all"}


@dataclass(frozen=True)
class MoviesSettings:
    """Settings of the movies lab; defaults are the notes' values.

    ``labels="terciles"`` (the notes) keeps only the top (Hit) and bottom (Flop)
    terciles; ``"median"`` keeps every movie, Hit = above the median. See
    ``nnlabs.data.movies.simulate`` for why dropping the middle inflates accuracy.

    ``validation="split"`` (default) early-stops on ``validation_fraction`` of the
    training rows, so the test rows are looked at once, at the end. ``validation="test"``
    reproduces the notes, which pass the test rows as ``validation_data``: early
    stopping then keeps the weights of the epoch with the best *test* AUC, and the
    reported test AUC is the maximum over up to 300 looks at the test set, biased
    upwards.
    ``scaling="all"`` reproduces the notes' ``scale()`` of all rows before the split.
    """

    n_movies: int = 500  # movies simulated before the middle tercile is dropped
    data_seed: int = 42  # the notes' set.seed(42) before the simulation
    labels: str = "terciles"
    seed: int = 42  # split seed (the notes' second set.seed(42)); repeat r uses seed + r
    network_seed: int = 42  # the notes' tensorflow::set_random_seed(42L)
    lasso_seed: int = 42  # cv.glmnet's folds follow the notes' set.seed(42)
    test_fraction: float = 0.25
    scaling: str = "train"
    validation: str = "split"
    validation_fraction: float = 0.2
    units: tuple[int, ...] = (32, 16)
    batch_norm: tuple[bool, ...] = (True, False)
    dropout: tuple[float, ...] = (0.3, 0.2)
    learning_rate: float = 1e-3
    epochs: int = 300
    batch_size: int = 32
    patience: int = 25
    keras_auc_thresholds: int = 200  # Keras' AUC metric, monitored for early stopping
    lasso_folds: int = 10
    threshold: float = 0.5  # P(Hit) above which a movie is called a Hit
    repeats: int = 1
    bootstrap_draws: int = 2000  # resamples of the test rows for intervals on one split

    def __post_init__(self) -> None:
        check_int("n_movies", self.n_movies, minimum=3)
        for name in ("data_seed", "seed", "network_seed", "lasso_seed"):
            check_int(name, getattr(self, name), minimum=0)
        for name in ("epochs", "batch_size", "repeats", "patience"):
            check_int(name, getattr(self, name), minimum=1)
        check_int("keras_auc_thresholds", self.keras_auc_thresholds, minimum=3)
        check_int("lasso_folds", self.lasso_folds, minimum=3)
        check_int("bootstrap_draws", self.bootstrap_draws, minimum=10)
        check_choice("labels", self.labels, movies_data.LABELS)
        check_float(
            "test_fraction", self.test_fraction, 0, 1, low_inclusive=False, high_inclusive=False
        )
        check_float(
            "validation_fraction",
            self.validation_fraction,
            0,
            1,
            low_inclusive=False,
            high_inclusive=False,
        )
        check_float("learning_rate", self.learning_rate, 0, 10, low_inclusive=False)
        check_float("threshold", self.threshold, 0, 1)
        check_choice("scaling", self.scaling, SCALINGS)
        check_choice("validation", self.validation, VALIDATIONS)
        if not len(self.units) == len(self.batch_norm) == len(self.dropout):
            raise DataError(
                f"units, batch_norm and dropout must have the same length; got "
                f"{len(self.units)}, {len(self.batch_norm)} and {len(self.dropout)}"
            )
        for rate in self.dropout:
            check_float("dropout", rate, 0.0, 1.0, high_inclusive=False)


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
    for column in required:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            dtype = frame[column].dtype
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
        raise DataError(
            f"{name}: column 'hit' must contain both classes, 0 (Flop) and 1 (Hit); "
            f"got only {int(labels[0])}"
        )
    return x, labels.astype(np.int64)


def build_network(settings: MoviesSettings, n_inputs: int):
    """The notes' network: Dense 32 relu, bn, dropout .3, Dense 16 relu, dropout .2, 1 sigmoid.

    Compiled with Adam, binary cross-entropy and the accuracy and (approximate, 200
    thresholds) AUC metrics. Six inputs give 897 parameters (833 trainable, 64
    batch-norm statistics).
    """
    import keras

    blocks = [
        DenseBlock(u, batch_norm=bn, dropout=d)
        for u, bn, d in zip(settings.units, settings.batch_norm, settings.dropout, strict=True)
    ]
    model = dense_network(
        n_inputs, blocks, output_activation="sigmoid", name="movie_classification"
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
        lambda n: build_network(settings, n),
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        validation_fraction=settings.validation_fraction if settings.validation == "split" else 0.0,
        callbacks=lambda: _callbacks(settings),
        seed=seed,
    )


def keras_auc(y_true: np.ndarray, y_prob: np.ndarray, num_thresholds: int = 200) -> float:
    """The AUC Keras reports (``metric_auc``): a Riemann sum over ``num_thresholds`` cuts.

    Only for comparison with the notes, whose network AUC is this approximation; the
    lab's table uses the exact ``nnlabs.metrics.roc_auc``.
    """
    import keras

    metric = keras.metrics.AUC(num_thresholds=num_thresholds)
    metric.update_state(np.asarray(y_true, dtype=np.float32), np.asarray(y_prob, np.float32))
    return float(metric.result())


def _one_split(
    x: np.ndarray,
    y: np.ndarray,
    split: Split,
    settings: MoviesSettings,
    cache,
    repeat: int,
    lasso_fold_ids=None,
) -> SplitOutcome:
    scaler = fit_scaler(x, split.train, settings.scaling)
    xs = scaler.transform(x)
    x_tr, x_te, y_tr, y_te = xs[split.train], xs[split.test], y[split.train], y[split.test]
    models: dict[str, Any] = {
        LASSO: LogisticLassoCV(
            n_folds=settings.lasso_folds,
            measure="deviance",
            seed=settings.lasso_seed,
            fold_ids=lasso_fold_ids,
        ).fit(x_tr, y_tr)
    }
    validation = (x_te, y_te) if settings.validation == "test" else None
    models[NN] = fit_network(
        make_network(settings, settings.network_seed + repeat),
        x_tr,
        y_tr,
        validation_data=validation,
        cache=cache,
        settings=settings,
        tag=f"movies/{NN}/{repeat}",
    )
    # P(Hit) for each test movie; every metric below starts from these.
    probabilities = {name: m.predict_proba(x_te)[:, 1] for name, m in models.items()}
    scores = pd.DataFrame(
        [
            {"Model": name, **classification_scores(y_te, p, threshold=settings.threshold)}
            for name, p in probabilities.items()
        ]
    )
    history = models[NN].history_
    return SplitOutcome(
        scores=scores,
        predictions=probabilities,
        y_test=y_te,
        models=models,
        history=history,
        extras={
            "n_train": len(split.train),
            "n_test": len(split.test),
            "test_hits": int(y_te.sum()),
            "threshold": settings.threshold,
            "metrics": scores,
            "confusion": {
                name: confusion_table(
                    y_te, p, threshold=settings.threshold, class_names=CLASS_NAMES
                )
                for name, p in probabilities.items()
            },
            "keras_auc": {
                name: keras_auc(y_te, p, settings.keras_auc_thresholds)
                for name, p in probabilities.items()
            },
            "lasso_lambda": models[LASSO].lambda_min_,
            "epochs_run": len(history),
            "best_epoch": int(history["epoch"].iloc[int(np.argmax(history["val_auc"]))]),
            "parameters": parameter_counts(models[NN].model_),
        },
    )


def run(
    settings: MoviesSettings | None = None,
    *,
    data: pd.DataFrame | None = None,
    train_index=None,
    test_index=None,
    lasso_fold_ids=None,
    out_dir: str | Path | None = None,
    cache: CacheArg = True,
    **overrides: Any,
) -> LabResult:
    """Run the movies lab and return its LabResult (table shaped like Table 11.35).

    The table has one row per model with test ``Accuracy`` (a proportion) and exact
    ``AUC``; ``extras`` holds, for the first split, ``metrics`` (accuracy, AUC,
    precision, recall, F1 and log loss per model), ``confusion`` (Predicted x Actual
    tables, Flop/Hit), ``keras_auc`` (Keras' 200-threshold AUC, as the notes report for
    the network), the chosen ``lasso_lambda``, ``epochs_run``, ``best_epoch`` and the
    network's ``parameters``. Intervals for accuracy and AUC are in ``uncertainty``.

    Args:
        settings: a ``MoviesSettings``; keyword ``overrides`` replace its fields
            (``run(epochs=50, repeats=20)``).
        data: a movies-shaped frame (the six features and ``hit``), e.g. the notes'
            R data; by default ``simulate(n_movies, data_seed, labels=labels)``.
        train_index, test_index: zero-based row indices for an explicit split, e.g. the
            notes' ``testid_mov - 1`` passed from R.
        lasso_fold_ids: the Lasso's CV folds, one label per training row in the order of
            ``train_index`` (or of the rows not in ``test_index``), e.g. the folds
            ``cv.glmnet`` draws in the notes; needs an explicit split. By default the
            folds are drawn from ``lasso_seed``.
        out_dir: if given, the history plot, the ``.keras`` model and ``results.json``
            are written there.
        cache: True (default cache folder), a folder, or False.
    """
    settings = settings_with(MoviesSettings, settings, overrides)
    if data is None:
        data = movies_data.simulate(settings.n_movies, settings.data_seed, labels=settings.labels)
    x_df, y = design(data)
    x = x_df.to_numpy()
    store = resolve_cache(cache)
    if test_index is not None:
        if settings.repeats > 1:
            raise DataError("repeats must be 1 when test_index is given (one explicit split)")
        fixed = explicit_split(len(y), train_index, test_index)
        if lasso_fold_ids is not None:
            check_fold_ids(
                lasso_fold_ids, len(fixed.train), name="lasso_fold_ids", rows="training row"
            )
    elif train_index is not None:
        raise DataError("train_index needs test_index as well")
    elif lasso_fold_ids is not None:
        raise ParameterError("lasso_fold_ids needs an explicit split (test_index)")

    def one_split(r: int) -> SplitOutcome:
        split = (
            fixed
            if test_index is not None
            else random_split(len(y), settings.test_fraction, settings.seed + r)
        )
        return _one_split(x, y, split, settings, store, r, lasso_fold_ids)

    def accuracy_at_threshold(y_true: np.ndarray, y_prob: np.ndarray) -> float:
        with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
            return accuracy(y_true, y_prob, threshold=settings.threshold)

    first, repeat_scores = run_repeats(one_split, settings.repeats)
    result = assemble(
        lab="movies",
        title=TITLE,
        first=first,
        repeat_scores=repeat_scores,
        settings=settings,
        network=NN,
        metric_column="auc",
        table_metric=list(TABLE_METRICS),
        scorer={"Accuracy": accuracy_at_threshold, "AUC": _auc_or_nan},
        comparisons=[(NN, LASSO)],
        test_fraction=len(first.y_test) / len(y),
        table=first.scores[["Model", *TABLE_METRICS]],
        digits=3,
        n_boot=settings.bootstrap_draws,
    )
    result.extras["class_counts"] = {"Flop": int((y == 0).sum()), "Hit": int(y.sum())}
    if out_dir is not None:
        result.save(out_dir)
    return result


def _auc_or_nan(y_true: np.ndarray, y_prob: np.ndarray) -> float:
    # A bootstrap resample of a small test set can hold a single class, where the AUC is
    # undefined; NaN then marks the interval as unavailable instead of failing the run.
    if np.unique(y_true).size < 2:
        return float("nan")
    # The paired bootstrap calls this thousands of times on checked arrays; scikit-learn's
    # own argument validation would then dominate the run time.
    with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
        return roc_auc(y_true, y_prob)
