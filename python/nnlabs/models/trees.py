"""Gradient-boosted trees: the tabular baseline of §11.16.1 (Table 11.37), early-stopped
on the same validation rows as the labs' networks.

``GradientBoostedRegressor`` and ``GradientBoostedClassifier`` wrap scikit-learn's
``HistGradientBoostingRegressor``/``Classifier`` with the package's estimator contract
(``__init__`` stores parameters, ``fit`` returns self, fitted attributes end in ``_``).

Validation rows. A lab's network holds out the *last* ``validation_fraction`` of its
training rows (Keras' ``validation_split``: the first ``floor(n * (1 - fraction))``
rows train, the rest validate, without shuffling). The trees hold out exactly those
rows, so under ``validation="split"`` both models early-stop on the same rows. Under
``validation="test"`` the notes' protocol validates the network on the test rows; the
trees never see a test row: they keep their own held-out last fraction of the training
rows. Early stopping watches the training loss on the held-out rows, evaluated after
every boosting iteration; training stops when it has not improved by ``tol`` for
``n_iter_no_change`` iterations, and the model keeps the iterations up to then.

Defaults are small and fixed (no tuning, and never on test rows): learning rate 0.1,
at most 500 iterations, 31 leaves per tree, at least 20 rows per leaf, no L2 penalty,
255 bins, patience 20. They are scikit-learn's defaults except for the longer cap on
iterations and the longer patience, which early stopping makes safe.

Threads. ``n_threads`` limits the OpenMP and BLAS threads of a fit and of a
prediction (``threadpoolctl``); None (default) leaves scikit-learn's choice, every core.
On a machine busy with other jobs, OpenMP's spin-waiting threads can slow the small fits
here by an order of magnitude (800 rows: 2.6 s with ``OMP_WAIT_POLICY=passive`` in the
environment, 15-38 s without, on the 2-core development machine at load 6-8); setting
that variable before Python starts is the remedy, not a smaller ``n_threads``.
"""

from __future__ import annotations

import contextlib
import math

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from nnlabs.errors import DataError, NnlabsError, ParameterError
from nnlabs.validation import check_choice, check_finite_matrix, check_float, check_int

__all__ = ["GradientBoostedClassifier", "GradientBoostedRegressor", "held_out_rows"]

REGRESSION_LOSSES = ("squared_error", "absolute_error")


def held_out_rows(n: int, validation_fraction: float) -> int:
    """The row at which Keras' ``validation_split`` cuts ``n`` rows: rows from it on validate.

    ``floor(n * (1 - validation_fraction))``, as ``keras.src.trainers.data_adapters``
    computes it. Raises ParameterError when either part would be empty.
    """
    n = check_int("n", n, minimum=2)
    fraction = check_float(
        "validation_fraction", validation_fraction, 0, 1, low_inclusive=False, high_inclusive=False
    )
    split_at = math.floor(n * (1.0 - fraction))
    if split_at <= 0 or split_at >= n:
        raise ParameterError(
            f"validation_fraction {fraction:g} leaves no training or no validation rows "
            f"of {n}; got a cut at row {split_at}"
        )
    return split_at


class _Boosted(BaseEstimator):
    _sk_class: type

    def __init__(
        self,
        *,
        loss: str | None = None,
        learning_rate: float = 0.1,
        max_iter: int = 500,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        validation_fraction: float = 0.2,
        n_iter_no_change: int = 20,
        tol: float = 1e-7,
        seed: int | None = 0,
        n_threads: int | None = None,
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.seed = seed
        self.n_threads = n_threads

    def _threads(self):
        """A context limiting OpenMP and BLAS to ``n_threads`` (no limit when None)."""
        if self.n_threads is None:  # threadpoolctl would still scan the libraries: ~5 ms a call
            return contextlib.nullcontext()
        return threadpool_limits(limits=self.n_threads)

    def _check_params(self) -> None:
        check_float("learning_rate", self.learning_rate, 0, 10, low_inclusive=False)
        check_int("max_iter", self.max_iter, minimum=1)
        check_int("max_leaf_nodes", self.max_leaf_nodes, minimum=2)
        check_int("min_samples_leaf", self.min_samples_leaf, minimum=1)
        check_float("l2_regularization", self.l2_regularization, 0, math.inf)
        check_int("max_bins", self.max_bins, minimum=2)
        if self.max_bins > 255:
            raise ParameterError(f"max_bins must be an integer <= 255; got {self.max_bins!r}")
        check_int("n_iter_no_change", self.n_iter_no_change, minimum=1)
        check_float("tol", self.tol, 0, math.inf)
        if self.n_threads is not None:
            check_int("n_threads", self.n_threads, minimum=1)

    def _sk_loss(self) -> str:
        raise NotImplementedError

    def _target(self, y, n: int) -> np.ndarray:
        raise NotImplementedError

    def fit(self, X, y):
        """Fit on X (n, p) and y (n,), early-stopping on the last ``validation_fraction``
        of the rows (Keras' ``validation_split`` rows); return self.

        ``validation_rows_`` records the (first, end) row numbers that validated and
        ``n_iter_`` the boosting iterations kept.
        """
        self._check_params()
        x = check_finite_matrix("X", X)
        target = self._target(y, len(x))
        split_at = held_out_rows(len(x), self.validation_fraction)
        model = self._sk_class(
            loss=self._sk_loss(),
            learning_rate=self.learning_rate,
            max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            max_bins=self.max_bins,
            early_stopping=True,
            scoring="loss",
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            random_state=self.seed,
        )
        model.fit(x[:split_at], target[:split_at], X_val=x[split_at:], y_val=target[split_at:])
        self.model_ = model
        self.n_iter_ = int(model.n_iter_)
        self.validation_rows_ = (split_at, len(x))
        self.n_features_in_ = x.shape[1]
        return self

    def _checked(self, X) -> np.ndarray:
        if not hasattr(self, "model_"):
            raise NnlabsError(f"this {type(self).__name__} is not fitted yet; call fit first")
        x = check_finite_matrix("X", X)
        if x.shape[1] != self.n_features_in_:
            raise ParameterError(
                f"X must have {self.n_features_in_} columns, as in fit; got {x.shape[1]}"
            )
        return x


class GradientBoostedRegressor(RegressorMixin, _Boosted):
    """Histogram gradient-boosted regression trees, early-stopped on held-out rows.

    ``loss`` is ``"squared_error"`` (default) or ``"absolute_error"``; a lab passes the
    loss its network trains on. See the module docstring for the validation rows and
    the defaults.
    """

    _sk_class = HistGradientBoostingRegressor

    def _sk_loss(self) -> str:
        return check_choice("loss", self.loss or REGRESSION_LOSSES[0], REGRESSION_LOSSES)

    def _target(self, y, n: int) -> np.ndarray:
        target = np.asarray(y, dtype=np.float64).reshape(-1)
        if len(target) != n:
            raise ParameterError(f"y must have one value per row of X ({n}); got {len(target)}")
        if not np.all(np.isfinite(target)):
            raise DataError("y must hold only finite values")
        return target

    def predict(self, X) -> np.ndarray:
        """Predicted values, shape (n,)."""
        x = self._checked(X)
        with self._threads():
            return self.model_.predict(x).astype(np.float64)


class GradientBoostedClassifier(ClassifierMixin, _Boosted):
    """Histogram gradient-boosted classification trees (0/1 labels, log loss).

    ``predict_proba`` gives (n, 2) probabilities; ``predict`` calls a row 1 when its
    probability exceeds ``threshold``. See the module docstring for the validation rows.
    """

    _sk_class = HistGradientBoostingClassifier

    # Every parameter is spelt out: scikit-learn's get_params reads this signature.
    def __init__(
        self,
        *,
        loss: str | None = None,
        learning_rate: float = 0.1,
        max_iter: int = 500,
        max_leaf_nodes: int = 31,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        validation_fraction: float = 0.2,
        n_iter_no_change: int = 20,
        tol: float = 1e-7,
        seed: int | None = 0,
        n_threads: int | None = None,
        threshold: float = 0.5,
    ) -> None:
        super().__init__(
            loss=loss,
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            max_bins=max_bins,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            seed=seed,
            n_threads=n_threads,
        )
        self.threshold = threshold

    def _sk_loss(self) -> str:
        return check_choice("loss", self.loss or "log_loss", ("log_loss",))

    def _target(self, y, n: int) -> np.ndarray:
        target = np.asarray(y).reshape(-1)
        if len(target) != n:
            raise ParameterError(f"y must have one label per row of X ({n}); got {len(target)}")
        if not np.isin(target, (0, 1)).all():
            raise DataError("y must hold 0/1 labels")
        if np.unique(target).size < 2:
            raise DataError(f"y must contain both classes 0 and 1; got only {target[0]}")
        self.classes_ = np.array([0, 1])
        return target.astype(np.int64)

    def fit(self, X, y):
        """See ``_Boosted.fit``; y must hold both classes."""
        check_float("threshold", self.threshold, 0.0, 1.0)
        return super().fit(X, y)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n, 2): column 1 is P(label 1)."""
        x = self._checked(X)
        with self._threads():
            return self.model_.predict_proba(x).astype(np.float64)

    def predict(self, X) -> np.ndarray:
        """Predicted 0/1 labels (probability above ``threshold``), shape (n,)."""
        return (self.predict_proba(X)[:, 1] > self.threshold).astype(int)
