"""Keras networks behind the scikit-learn estimator contract.

``NetworkRegressor`` and ``NetworkClassifier`` take a ``build`` callable that returns a
*compiled* ``keras.Model`` for a given number of input columns, so a lab can put them in
the same dict as scikit-learn baselines: ``fit(X, y)`` returns ``self`` and
``predict(X)`` returns shape (n,).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from nnlabs._seed import set_seed
from nnlabs.errors import NnlabsError, ParameterError
from nnlabs.validation import check_finite_matrix, check_float, check_int

# Rows per step when predicting and when evaluating the validation rows after each epoch.
PREDICT_BATCH = 8192
# Training steps run per compiled call (Keras' ``steps_per_execution``). Fusing steps cuts
# the per-step overhead that dominates small dense networks: on TensorFlow 32 gave 1.3-2.6x
# the samples/s of one step per call for the labs' networks with the same fits, and larger
# values were not reliably faster (docs/performance.md, bench/throughput.py).
# Batch-level callbacks then fire once per 32 steps; epoch-level ones are unaffected.
# Keras on PyTorch runs one step per call whatever is asked (its fit refuses any other).
STEPS_PER_EXECUTION = 32


class _NetworkBase(BaseEstimator):
    def __init__(
        self,
        build: Callable[[int], Any],
        *,
        epochs: int = 10,
        batch_size: int = 32,
        validation_fraction: float = 0.0,
        callbacks: Callable[[], list] | None = None,
        seed: int | None = None,
        steps_per_execution: int = STEPS_PER_EXECUTION,
        verbose: int = 0,
    ) -> None:
        self.build = build
        self.epochs = epochs
        self.batch_size = batch_size
        self.validation_fraction = validation_fraction
        self.callbacks = callbacks
        self.seed = seed
        self.steps_per_execution = steps_per_execution
        self.verbose = verbose

    def _check_params(self) -> None:
        check_int("epochs", self.epochs, minimum=1)
        check_int("batch_size", self.batch_size, minimum=1)
        check_int("steps_per_execution", self.steps_per_execution, minimum=1)
        check_float("validation_fraction", self.validation_fraction, 0.0, 1.0, high_inclusive=False)

    def fit(self, X, y, *, validation_data: tuple | None = None):
        """Train on X (n, p) and y (n,); return self.

        ``validation_data=(X_val, y_val)`` monitors those rows; otherwise the last
        ``validation_fraction`` of the rows is held out, as Keras' ``validation_split``.
        The history is kept as ``history_`` (a DataFrame, one row per epoch).
        """
        self._check_params()
        x = check_finite_matrix("X", X).astype(np.float32)
        target = self._prepare_target(y, len(x))
        fit_kwargs: dict[str, Any] = {}
        if validation_data is not None:
            xv = check_finite_matrix("validation X", validation_data[0]).astype(np.float32)
            fit_kwargs["validation_data"] = (xv, self._prepare_target(validation_data[1], len(xv)))
        elif self.validation_fraction > 0:
            fit_kwargs["validation_split"] = self.validation_fraction
        if fit_kwargs:
            # Evaluation has no gradient and its metrics are means over all rows, so large
            # batches give the same figures with far fewer steps.
            fit_kwargs["validation_batch_size"] = max(self.batch_size, PREDICT_BATCH)
        if self.seed is not None:
            set_seed(self.seed)
        model = self.build(x.shape[1])
        model.steps_per_execution = _steps_per_execution(self.steps_per_execution)
        history = model.fit(
            x,
            target,
            epochs=self.epochs,
            batch_size=self.batch_size,
            callbacks=self.callbacks() if self.callbacks else None,
            verbose=self.verbose,
            **fit_kwargs,
        )
        return self._set_fitted(model, history_frame(history.history))

    def _set_fitted(self, model, history: pd.DataFrame):
        self.model_ = model
        self.history_ = history
        self.n_features_in_ = int(model.inputs[0].shape[-1])
        return self

    @classmethod
    def from_fitted(cls, model, history: pd.DataFrame, **params):
        """Wrap an already trained ``keras.Model`` (e.g. from the cache) and its history."""
        est = cls(build=lambda n: model, **params)
        return est._set_fitted(model, history)

    def _raw_predict(self, X) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NnlabsError(f"this {type(self).__name__} is not fitted yet; call fit first")
        x = check_finite_matrix("X", X).astype(np.float32)
        if x.shape[1] != self.n_features_in_:
            raise ParameterError(
                f"X must have {self.n_features_in_} columns, as in fit; got {x.shape[1]}"
            )
        return np.asarray(self.model_.predict(x, batch_size=PREDICT_BATCH, verbose=0))

    def _prepare_target(self, y, n: int) -> np.ndarray:
        raise NotImplementedError


class NetworkRegressor(RegressorMixin, _NetworkBase):
    """A compiled Keras regression network with ``fit``/``predict`` (one output unit).

    ``standardize_target=True`` trains on ``(y - mean) / sd`` of the training rows, as
    scikit-learn's ``TransformedTargetRegressor`` would, then appends a ``Rescaling``
    layer so that ``model_`` (and a saved ``.keras`` file) predicts in the units of y.
    With a target in the hundreds (Hitters salaries) and Adam at 1e-3, a raw-target
    network spends hundreds of epochs just moving its output bias towards the mean. The
    history is reported in the units of y either way (MAE columns times sd, MSE losses
    times sd²).
    """

    # Every parameter is spelt out (no **kwargs) because scikit-learn's get_params, and
    # so clone and the cache's metadata, read them from this signature.
    def __init__(
        self,
        build: Callable[[int], Any],
        *,
        epochs: int = 10,
        batch_size: int = 32,
        validation_fraction: float = 0.0,
        callbacks: Callable[[], list] | None = None,
        seed: int | None = None,
        steps_per_execution: int = STEPS_PER_EXECUTION,
        verbose: int = 0,
        standardize_target: bool = False,
    ) -> None:
        super().__init__(
            build,
            epochs=epochs,
            batch_size=batch_size,
            validation_fraction=validation_fraction,
            callbacks=callbacks,
            seed=seed,
            steps_per_execution=steps_per_execution,
            verbose=verbose,
        )
        self.standardize_target = standardize_target

    def fit(self, X, y, *, validation_data: tuple | None = None):
        """Train on X (n, p) and y (n,); return self. See ``_NetworkBase.fit``."""
        y = self._prepare_target(y, len(y))
        mean, scale = (
            (float(y.mean()), float(y.std()) or 1.0) if self.standardize_target else (0.0, 1.0)
        )
        if validation_data is not None:
            yv = self._prepare_target(validation_data[1], len(validation_data[1]))
            validation_data = (validation_data[0], (yv - mean) / scale)
        super().fit(X, (y - mean) / scale, validation_data=validation_data)
        if self.standardize_target:
            self.model_ = _rescaled(self.model_, scale, mean)
            self.history_ = _history_in_target_units(self.history_, self.model_, scale)
        return self

    def fit_stream(self, stream, *, validation_data: tuple | None = None):
        """Train on a fitted ``nnlabs.data.stream.TripStream``; return self.

        Each of ``epochs`` epochs is one pass over the stream's rows
        (``stream.steps_per_epoch`` minibatches of ``stream.batch_size``, which must equal
        ``batch_size``), so no training row is held in memory. A stream holds no rows
        back: ``validation_data=(X_val, y_val)`` are the rows monitored (early stopping),
        and ``validation_fraction`` does not apply. With ``standardize_target`` the
        target is standardized with the stream's response mean and sd.
        """
        self._check_params()
        if stream.batch_size != self.batch_size:
            raise ParameterError(
                f"stream.batch_size must equal batch_size ({self.batch_size}); "
                f"got {stream.batch_size}"
            )
        mean, scale = (stream.y_mean_, stream.y_scale_) if self.standardize_target else (0.0, 1.0)
        fit_kwargs: dict[str, Any] = {}
        if validation_data is not None:
            xv = check_finite_matrix("validation X", validation_data[0]).astype(np.float32)
            yv = self._prepare_target(validation_data[1], len(xv))
            fit_kwargs["validation_data"] = (xv, ((yv - mean) / scale).astype(np.float32))
            fit_kwargs["validation_batch_size"] = max(self.batch_size, PREDICT_BATCH)
        batches = ((x, ((y - mean) / scale).astype(np.float32)) for x, y in stream.batches())
        if self.seed is not None:
            set_seed(self.seed)
        model = self.build(stream.n_features_)
        model.steps_per_execution = _steps_per_execution(self.steps_per_execution)
        history = model.fit(
            batches,
            steps_per_epoch=stream.steps_per_epoch,
            epochs=self.epochs,
            shuffle=False,  # the stream shuffles
            callbacks=self.callbacks() if self.callbacks else None,
            verbose=self.verbose,
            **fit_kwargs,
        )
        self._set_fitted(model, history_frame(history.history))
        if self.standardize_target:
            self.model_ = _rescaled(self.model_, scale, mean)
            self.history_ = _history_in_target_units(self.history_, self.model_, scale)
        return self

    def _prepare_target(self, y, n: int) -> np.ndarray:
        target = np.asarray(y, dtype=np.float64).reshape(-1)
        if len(target) != n:
            raise ParameterError(f"y must have one value per row of X ({n}); got {len(target)}")
        if not np.all(np.isfinite(target)):
            raise ParameterError("y must hold only finite values")
        return target

    def predict(self, X) -> np.ndarray:
        """Predicted values, shape (n,), in the units of y."""
        return self._raw_predict(X).reshape(-1).astype(np.float64)


def _rescaled(model, scale: float, offset: float):
    """``model`` followed by ``y = scale * output + offset`` (same layers, shared weights)."""
    import keras

    outputs = keras.layers.Rescaling(scale=scale, offset=offset, name="target_units")(
        model.outputs[0]
    )
    rescaled = keras.Model(model.inputs, outputs, name=model.name)
    rescaled.compile(optimizer=model.optimizer, loss=model.loss)
    return rescaled


class NetworkClassifier(ClassifierMixin, _NetworkBase):
    """A compiled Keras binary classifier (one sigmoid output) with ``predict_proba``.

    ``predict`` calls a row class 1 when its probability exceeds ``threshold``.
    """

    # Every parameter is spelt out, as in NetworkRegressor (get_params reads them here).
    def __init__(
        self,
        build: Callable[[int], Any],
        *,
        epochs: int = 10,
        batch_size: int = 32,
        validation_fraction: float = 0.0,
        callbacks: Callable[[], list] | None = None,
        seed: int | None = None,
        steps_per_execution: int = STEPS_PER_EXECUTION,
        verbose: int = 0,
        threshold: float = 0.5,
    ) -> None:
        super().__init__(
            build,
            epochs=epochs,
            batch_size=batch_size,
            validation_fraction=validation_fraction,
            callbacks=callbacks,
            seed=seed,
            steps_per_execution=steps_per_execution,
            verbose=verbose,
        )
        self.threshold = threshold

    def _check_params(self) -> None:
        super()._check_params()
        check_float("threshold", self.threshold, 0.0, 1.0)

    def _prepare_target(self, y, n: int) -> np.ndarray:
        target = np.asarray(y).reshape(-1)
        if len(target) != n:
            raise ParameterError(f"y must have one label per row of X ({n}); got {len(target)}")
        if not np.isin(target, (0, 1)).all():
            raise ParameterError("y must hold 0/1 labels")
        self.classes_ = np.array([0, 1])
        return target.astype(np.float32)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n, 2): column 0 for label 0, column 1 for label 1."""
        p1 = self._raw_predict(X).reshape(-1).astype(np.float64)
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """Predicted 0/1 labels (probability above ``threshold``), shape (n,)."""
        return (self.predict_proba(X)[:, 1] > self.threshold).astype(int)


_SQUARED = ("mse", "mean_squared_error")
_ABSOLUTE = ("mae", "mean_absolute_error")


def _history_in_target_units(history: pd.DataFrame, model, scale: float) -> pd.DataFrame:
    if scale == 1.0:
        return history
    out = history.copy()
    loss = getattr(model, "loss", None)
    loss_power = 2 if loss in _SQUARED else 1 if loss in _ABSOLUTE else 0
    for column in out.columns:
        base = column.removeprefix("val_")
        if base in _ABSOLUTE:
            out[column] *= scale
        elif base == "loss" and loss_power:
            out[column] *= scale**loss_power
    return out


def history_frame(history: dict[str, list]) -> pd.DataFrame:
    """Turn a Keras ``History.history`` dict into a DataFrame with an ``epoch`` column (1-based)."""
    frame = pd.DataFrame({k: np.asarray(v, dtype=np.float64) for k, v in history.items()})
    frame.insert(0, "epoch", np.arange(1, len(frame) + 1))
    return frame


def _steps_per_execution(wanted: int) -> int:
    """``wanted``, or 1 on the PyTorch backend, whose ``fit`` accepts no other value."""
    import keras

    return 1 if keras.backend.backend() == "torch" else wanted
