"""Linear baselines with glmnet's conventions, on scikit-learn solvers.

``LassoCV`` and ``LogisticLassoCV`` reproduce ``cv.glmnet``: a decreasing lambda path
of ``n_lambdas`` values from the smallest lambda that zeroes every coefficient down to
``lambda_min_ratio`` times it, K-fold cross-validation scored by the chosen measure,
``lambda_min_`` (lowest CV error) and ``lambda_1se_``, then a refit on all rows.
Inputs are standardized inside each fit with the population sd, as glmnet does
(``standardize = TRUE``), and coefficients are reported on the original scale.

glmnet's objective is ``RSS/(2n) + lambda * ||b||_1`` (gaussian) and
``-loglik/n + lambda * ||b||_1`` (binomial); scikit-learn's ``alpha`` equals lambda in the
first, and ``C = 1 / (n * lambda)`` in the second.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression, lasso_path
from sklearn.model_selection import KFold

from nnlabs.errors import DataError
from nnlabs.validation import (
    check_choice,
    check_finite_matrix,
    check_finite_vector,
    check_float,
    check_int,
    check_magnitude,
)

__all__ = ["LassoCV", "LinearRegression", "LogisticLassoCV"]

_EPS = 1e-12


def _standardize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    sd = np.where(sd < _EPS, 1.0, sd)
    return (x - mean) / sd, mean, sd


def _lambda_path(xs: np.ndarray, y: np.ndarray, n_lambdas: int, ratio: float) -> np.ndarray:
    n = len(y)
    lam_max = np.max(np.abs(xs.T @ (y - y.mean()))) / n
    if lam_max <= 0:
        raise DataError("y is constant or X has no variation; the lasso path is empty")
    return np.geomspace(lam_max, lam_max * ratio, n_lambdas)


class _GlmnetCV(BaseEstimator):
    measures: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        n_folds: int = 10,
        n_lambdas: int = 100,
        lambda_min_ratio: float | None = None,
        measure: str | None = None,
        seed: int | None = 0,
    ) -> None:
        self.n_folds = n_folds
        self.n_lambdas = n_lambdas
        self.lambda_min_ratio = lambda_min_ratio
        self.measure = measure
        self.seed = seed

    def _check(self, X, y) -> tuple[np.ndarray, np.ndarray, str]:
        check_int("n_folds", self.n_folds, minimum=3)
        check_int("n_lambdas", self.n_lambdas, minimum=2)
        if self.lambda_min_ratio is not None:
            check_float(
                "lambda_min_ratio",
                self.lambda_min_ratio,
                0,
                1,
                low_inclusive=False,
                high_inclusive=False,
            )
        measure = check_choice("measure", self.measure or self.measures[0], self.measures)
        x = check_magnitude("X", check_finite_matrix("X", X))
        target = check_magnitude("y", check_finite_vector("y", y))
        if len(target) != len(x):
            raise DataError(f"y must have one value per row of X ({len(x)}); got {len(target)}")
        if len(x) < self.n_folds:
            raise DataError(f"X must have at least n_folds = {self.n_folds} rows; got {len(x)}")
        return x, target, measure

    def fit(self, X, y):
        """Choose lambda by K-fold CV, then refit on all rows; return self."""
        x, target, measure = self._check(X, y)
        n, p = x.shape
        ratio = self.lambda_min_ratio or (1e-4 if n > p else 1e-2)
        self.lambdas_ = _lambda_path(_standardize(x)[0], target, self.n_lambdas, ratio)
        losses = np.empty((n, self.n_lambdas))
        folds = KFold(self.n_folds, shuffle=True, random_state=self.seed)
        for train, held in folds.split(x):
            coef, intercept = self._path(x[train], target[train])
            losses[held] = self._loss(target[held], x[held] @ coef + intercept, measure)
        fold_ids = np.empty(n, dtype=int)
        for k, (_, held) in enumerate(folds.split(x)):
            fold_ids[held] = k
        fold_means = np.array([losses[fold_ids == k].mean(axis=0) for k in range(self.n_folds)])
        self.cv_mean_ = losses.mean(axis=0)
        self.cv_se_ = fold_means.std(axis=0, ddof=1) / np.sqrt(self.n_folds)
        best = int(np.argmin(self.cv_mean_))
        self.lambda_min_ = float(self.lambdas_[best])
        within = self.cv_mean_ <= self.cv_mean_[best] + self.cv_se_[best]
        self.lambda_1se_ = float(self.lambdas_[np.flatnonzero(within)[0]])
        self.measure_ = measure
        coef, intercept = self._path(x, target, lambdas=np.array([self.lambda_min_]))
        self.coef_ = coef[:, 0]
        self.intercept_ = float(intercept[0])
        self.n_features_in_ = p
        return self

    def _linear(self, X) -> np.ndarray:
        x = check_finite_matrix("X", X)
        return x @ self.coef_ + self.intercept_

    def _path(self, x, y, lambdas=None) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (p, L) and intercepts (L,) on the original scale along the path."""
        xs, mean, sd = _standardize(x)
        lambdas = self.lambdas_ if lambdas is None else lambdas
        coef_std, intercept_std = self._fit_standardized(xs, y, lambdas)
        coef = coef_std / sd[:, None]
        return coef, intercept_std - mean @ coef


class LassoCV(RegressorMixin, _GlmnetCV):
    """Gaussian lasso with lambda chosen by K-fold CV (``cv.glmnet``, ``lambda.min``).

    ``measure`` is ``"mae"`` (the notes' ``type.measure = "mae"``) or ``"mse"``.
    After ``fit``: ``lambda_min_``, ``lambda_1se_``, ``lambdas_`` (L,), ``cv_mean_`` (L,),
    ``cv_se_`` (L,), ``coef_`` (p,), ``intercept_``.
    """

    measures = ("mae", "mse")

    def _fit_standardized(self, xs, y, lambdas):
        ybar = y.mean()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            _, coefs, _ = lasso_path(xs, y - ybar, alphas=lambdas, max_iter=10_000)
        return coefs, np.full(len(lambdas), ybar)

    @staticmethod
    def _loss(y, pred, measure):
        resid = y[:, None] - pred
        return np.abs(resid) if measure == "mae" else resid**2

    def predict(self, X) -> np.ndarray:
        """Predictions at ``lambda_min_``, shape (n,)."""
        return self._linear(X)


class LogisticLassoCV(ClassifierMixin, _GlmnetCV):
    """L1-penalized logistic regression, lambda by K-fold CV (``family = "binomial"``).

    ``measure`` is ``"deviance"`` (glmnet's default for binomial), ``"class"`` or
    ``"mae"``. Labels must be 0/1.
    """

    measures = ("deviance", "class", "mae")

    def _fit_standardized(self, xs, y, lambdas):
        n = len(y)
        if np.unique(y).size < 2:
            # A cross-validation fold whose training rows are all of one class.
            raise DataError(
                f"y must hold both classes 0 and 1 in the training rows of every "
                f"cross-validation fold; {n} training rows hold only class {int(y[0])} "
                f"(use fewer folds than n_folds = {self.n_folds}, or more rows)"
            )
        # saga visits the rows in a random order: seeded, so that fits are reproducible.
        model = LogisticRegression(
            l1_ratio=1.0,
            solver="saga",
            max_iter=5000,
            tol=1e-6,
            warm_start=True,
            random_state=self.seed,
        )
        coefs, intercepts = [], []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", FutureWarning)
            for lam in lambdas:
                model.set_params(C=1.0 / (n * lam))
                model.fit(xs, y.astype(int))
                coefs.append(model.coef_[0].copy())
                intercepts.append(float(model.intercept_[0]))
        return np.array(coefs).T, np.array(intercepts)

    @staticmethod
    def _loss(y, eta, measure):
        p = np.clip(1.0 / (1.0 + np.exp(-eta)), 1e-10, 1 - 1e-10)
        yy = y[:, None]
        if measure == "deviance":
            return -2.0 * (yy * np.log(p) + (1 - yy) * np.log(1 - p))
        if measure == "class":
            return ((p > 0.5) != yy).astype(float)
        return np.abs(yy - p)

    def fit(self, X, y):
        labels = np.asarray(y).reshape(-1)
        other = ~np.isin(labels, (0, 1))
        if other.any():
            raise DataError(f"y must hold 0/1 labels; got {labels[other][0]!r}")
        if np.unique(labels).size < 2:
            got = f"only {labels[0]!r}" if labels.size else "no labels"
            raise DataError(f"y must contain both classes 0 and 1; got {got}")
        self.classes_ = np.array([0, 1])
        return super().fit(X, labels)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities at ``lambda_min_``, shape (n, 2)."""
        p1 = 1.0 / (1.0 + np.exp(-self._linear(X)))
        return np.column_stack([1.0 - p1, p1])

    def predict(self, X) -> np.ndarray:
        """0/1 labels at probability threshold 0.5, shape (n,)."""
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)
