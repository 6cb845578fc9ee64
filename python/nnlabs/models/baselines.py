"""Linear baselines that compute what R's ``cv.glmnet`` computes, in NumPy and numba.

``LassoCV`` (gaussian) and ``LogisticLassoCV`` (binomial) follow glmnet 4.1 step by step,
so that on the same data and folds they give glmnet's numbers, not merely the exact
lasso solution (which differs from glmnet's in the third or fourth digit, because
glmnet stops its coordinate descent at ``thresh = 1e-7``):

- Inputs are standardized inside each fit with the population sd (``standardize =
  TRUE``); constant columns are left out; coefficients are reported on the original
  scale, and the intercept is not penalized.
- The lambda path: ``n_lambdas`` values falling geometrically from the smallest lambda
  that zeroes every coefficient to ``lambda_min_ratio`` times it (glmnet's default ratio:
  1e-4, or 1e-2 when there are fewer rows than columns). The path stops early, as
  glmnet's does, once the fraction of deviance explained exceeds 0.999 or changes by less
  than 1e-5 (relative, gaussian; absolute, binomial) after at least five values.
- The solvers are glmnet's: for the gaussian lasso the "covariance" coordinate descent
  (glmnet's choice below 500 columns; compiled by numba in ``_lasso_kernels``), for
  the binomial one the Newton (IRLS) outer loop with coordinate descent inside, the
  strong rule and the KKT check; both sweep the coefficients in the same order, with
  the same warm starts along the path and the same stopping rule (largest weighted
  squared coefficient change below ``thresh`` times the null deviance).
- Cross-validation: every fold fits its own path (its own largest lambda), the held-out
  rows are predicted at the full data's lambdas by glmnet's linear interpolation of the
  coefficients between path points (``lambda.interp``), scored by the chosen measure,
  averaged by fold (``cvm``, ``cvsd``), and ``lambda.min`` (lowest mean, largest lambda on
  ties) and ``lambda.1se`` are chosen as ``cv.glmnet`` does. The final coefficients are
  those of the full-data path at ``lambda.min``.

Folds are drawn by scikit-learn's shuffled ``KFold`` (``n_folds``, ``seed``) unless
``fold_ids`` gives one fold label per row, as glmnet's ``foldid``: with R's folds (e.g.
``set.seed(123); sample(rep(seq(10), length = n))``, what ``cv.glmnet`` draws) the
estimators reproduce ``cv.glmnet``'s lambda.min and predictions.

glmnet's objective is ``RSS/(2n) + lambda * ||b||_1`` (gaussian) and
``-loglik/n + lambda * ||b||_1`` (binomial).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold

from nnlabs.errors import DataError, ParameterError
from nnlabs.validation import (
    check_choice,
    check_finite_matrix,
    check_finite_vector,
    check_float,
    check_int,
    check_magnitude,
)

__all__ = ["LassoCV", "LinearRegression", "LogisticLassoCV", "check_fold_ids"]

# glmnet.control()'s factory defaults and glmnet()'s.
_BIG = 9.9e35  # lambda of the first path point (every coefficient zero)
_MIN_RATIO = 1e-6  # eps: smallest lambda.min.ratio used
_MIN_LAMBDAS = 5  # mnlam: path points before the path may stop
_FDEV = 1e-5  # sml: smallest change in the deviance ratio that continues the path
_DEVMAX = 0.999  # rsqmax: deviance ratio that stops the path
_PMIN = 1e-9  # smallest fitted probability (binomial)
_CV_PMIN = 1e-5  # cv.lognet's clipping of probabilities for the deviance
THRESH = 1e-7  # glmnet's default convergence threshold
MAX_PASSES = 100_000  # glmnet's default maxit


class _MaxPassesReached(Exception):
    """The coordinate descent ran more than ``max_passes`` passes (glmnet's maxit)."""


def check_fold_ids(
    fold_ids, n_rows: int, *, name: str = "fold_ids", rows: str = "row"
) -> np.ndarray:
    """Validate one cross-validation fold label per row; return 0-based fold numbers.

    Labels may be any integers (glmnet's 1..K, Python's 0..K-1, or others); the sorted
    distinct labels become folds 0..K-1. At least three distinct labels are required,
    as in ``cv.glmnet``. Raises ``ParameterError`` naming ``name``, the rule and the value;
    ``rows`` names what the labels belong to in that message ("training row").
    """
    arr = np.asarray(fold_ids)
    if arr.ndim != 1:
        raise ParameterError(
            f"{name} must be a vector of fold labels, one per {rows}; got an array of shape "
            f"{arr.shape}"
        )
    integral = np.issubdtype(arr.dtype, np.integer) and arr.dtype != np.bool_
    if not integral and np.issubdtype(arr.dtype, np.floating):
        integral = bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))
    if not integral:
        raise ParameterError(
            f"{name} must hold integer fold labels; got dtype {arr.dtype}"
            + (f" with values such as {arr[0]!r}" if arr.size else "")
        )
    if arr.size != n_rows:
        raise ParameterError(
            f"{name} must hold one fold label per {rows} ({n_rows}); got {arr.size} labels"
        )
    labels, folds = np.unique(arr.astype(np.int64), return_inverse=True)
    if labels.size < 3:
        raise ParameterError(
            f"{name} must hold at least 3 distinct fold labels (as cv.glmnet's foldid); got "
            f"{labels.size}: {labels.tolist()}"
        )
    return folds.astype(np.int64)


def _default_ratio(n: int, p: int) -> float:
    # glmnet: lambda.min.ratio = ifelse(nobs < nvars, 1e-2, 1e-4)
    return 1e-2 if n < p else 1e-4


def _fix_first_lambda(lambdas: np.ndarray) -> np.ndarray:
    # glmnet's fix.lam: the first lambda (internally "infinite") becomes the entry point.
    out = lambdas.copy()
    if len(out) > 2:
        out[0] = math.exp(2.0 * math.log(out[1]) - math.log(out[2]))
    return out


@dataclass(frozen=True)
class _Path:
    """A fitted lasso path on the original scale: lambdas (L,), coefs (p, L), intercepts (L,)."""

    lambdas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    dev_ratio: np.ndarray
    passes: int

    def at(self, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coefficients (p, S) and intercepts (S,) at lambdas ``s``, as glmnet's predict().

        glmnet's ``lambda.interp``: linear interpolation in lambda between the two
        neighbouring path points; outside the path the nearest end point.
        """
        lam = self.lambdas
        s = np.asarray(s, dtype=np.float64)
        if len(lam) == 1:
            return np.repeat(self.coefs, len(s), axis=1), np.repeat(self.intercepts, len(s))
        span = lam[0] - lam[-1]
        frac_s = (lam[0] - s) / span
        knots = (lam[0] - lam) / span
        frac_s = np.clip(frac_s, knots.min(), knots.max())
        coord = np.interp(frac_s, knots, np.arange(1.0, len(lam) + 1.0))
        left = np.floor(coord).astype(np.int64) - 1
        right = np.ceil(coord).astype(np.int64) - 1
        gap = knots[left] - knots[right]
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = (frac_s - knots[right]) / gap
        weight = np.where((left == right) | (np.abs(gap) < np.finfo(float).eps), 1.0, weight)
        coefs = self.coefs[:, left] * weight + self.coefs[:, right] * (1.0 - weight)
        intercepts = self.intercepts[left] * weight + self.intercepts[right] * (1.0 - weight)
        return coefs, intercepts


def _varying_columns(x: np.ndarray) -> np.ndarray:
    # glmnet's chkvars: a column is used when some row differs from its first row.
    return (x[1:] != x[:1]).any(axis=0) if len(x) > 1 else np.zeros(x.shape[1], dtype=bool)


def _redux(e: np.ndarray):
    """Sum along axis 0 in the order of Eigen 3.3's vectorized reduction, as glmnet sums.

    glmnet's C++ core sums with Eigen (SSE2: packets of two doubles, two packet
    accumulators, then the odd element). The order matters: at a few points of a path,
    glmnet's coordinate descent is sensitive to the last bit of its sums, so summing in
    another order (BLAS, NumPy's pairwise sum) can make a fold take one more or one fewer
    pass than glmnet does.
    """
    n = e.shape[0]
    if n == 0:
        return np.zeros(e.shape[1:])
    if n < 2:
        return e[0].copy()
    n2 = n // 2 * 2
    if n2 > 2:
        n4 = n // 4 * 4
        # Rows of four consecutive elements (times the other axes): a reduction over the
        # leading axis adds them row by row, i.e. each of the four lanes left to right.
        rows = np.ascontiguousarray(e[:n4]).reshape(n4 // 4, -1)
        lanes = np.add.reduce(rows, axis=0).reshape(4, *e.shape[1:])
        first, second = lanes[0] + lanes[2], lanes[1] + lanes[3]
        if n2 > n4:
            first, second = first + e[n4], second + e[n4 + 1]
    else:
        first, second = e[0], e[1]
    total = first + second
    return total + e[n2] if n2 < n else total


def _sequential_sum(e: np.ndarray, axis: int = 0):
    """Left-to-right sum (Eigen's scalar reduction of strided data, glmnet's plain loops)."""
    return np.cumsum(e, axis=axis).take(-1, axis=axis)


def _exp(values: np.ndarray) -> np.ndarray:
    # The C library's exp, as glmnet calls it (NumPy's own may differ in the last bit).
    return np.fromiter((math.exp(t) for t in values.tolist()), np.float64, len(values))


def _log(values: np.ndarray) -> np.ndarray:
    return np.fromiter((math.log(t) for t in values.tolist()), np.float64, len(values))


def _path_lambdas(n_lambdas: int, ratio: float) -> tuple[float, int]:
    alf = max(_MIN_RATIO, ratio) ** (1.0 / (n_lambdas - 1))
    return alf, min(_MIN_LAMBDAS, n_lambdas)


def _next_lambda(m: int, previous: float, alf: float, abs_grad: np.ndarray) -> tuple[float, float]:
    """glmnet's lambda for path point m (0-based) and the lambda before it."""
    if m == 0:
        return _BIG, 0.0
    if m == 1:
        start = float(abs_grad.max()) if abs_grad.size else 0.0
        return start * alf, start
    return previous * alf, previous


def _truncated(m: int, max_passes: int) -> None:
    warnings.warn(
        f"the lasso's coordinate descent did not converge within max_passes = {max_passes} "
        f"passes at path point {m + 1}; the path stops at the {m} point(s) before it "
        "(as glmnet's maxit)",
        ConvergenceWarning,
        stacklevel=4,
    )


def _gaussian_path(
    x: np.ndarray, y: np.ndarray, *, n_lambdas: int, ratio: float, thresh: float, max_passes: int
) -> _Path:
    """glmnet's gaussian lasso path, covariance method (``type.gaussian = "covariance"``)."""
    n = x.shape[0]
    x = np.asfortranarray(x)  # glmnet works column by column (rounding follows its order)
    used = _varying_columns(x)
    if not used.any():
        raise DataError("every column of X is constant; the lasso has nothing to fit")
    w = np.full(n, 1.0 / n)
    v = np.sqrt(w)
    xm = _redux(x * w[:, None])
    xs_ = v[:, None] * (x - xm)
    xsd = np.sqrt(_redux(xs_ * xs_))
    xsd[~used] = 1.0
    xs_ = np.asfortranarray(xs_ / xsd)
    xs_[:, ~used] = 0.0
    ym = float(_redux(y * w))
    yc = v * (y - ym)
    ysd = math.sqrt(float(_redux(yc * yc)))
    if ysd == 0.0:
        raise DataError("y is constant; the lasso has nothing to fit")
    g = _redux(xs_ * (yc / ysd)[:, None])
    g[~used] = 0.0
    alf, min_points = _path_lambdas(n_lambdas, ratio)

    solver = _CovarianceDescent(xs_, used, g, thresh, max_passes)
    lambdas, coefs, dev = [], [], []
    lam = 0.0
    for m in range(n_lambdas):
        lam, _ = _next_lambda(m, lam, alf, np.abs(np.array(solver.g)[used]))
        rsq_before = solver.rsq
        try:
            solver.fit(lam)
        except _MaxPassesReached:
            _truncated(m, max_passes)
            break
        rsq = solver.rsq
        lambdas.append(lam)
        coefs.append(np.array(solver.beta))
        dev.append(rsq)
        if m + 1 < min_points:
            continue
        change = math.inf if rsq == 0.0 else (rsq - rsq_before) / rsq
        if change < _FDEV or rsq > _DEVMAX:
            break
    coef = np.array(coefs).T * (ysd / xsd)[:, None]
    return _Path(
        lambdas=_fix_first_lambda(np.array(lambdas) * ysd),
        coefs=coef,
        intercepts=ym - xm @ coef,
        dev_ratio=np.array(dev),
        passes=solver.passes,
    )


def _inner_products(xs: np.ndarray, used: np.ndarray) -> np.ndarray:
    """X'X of the standardized columns, each product summed as Eigen sums (0: unused)."""
    x = np.ascontiguousarray(xs)
    p = x.shape[1]
    inner = np.zeros((p, p))
    for k in np.flatnonzero(used):
        row = _redux(x[:, k:] * x[:, k : k + 1])
        inner[k, k:] = row
        inner[k:, k] = row
    inner[~used] = 0.0
    inner[:, ~used] = 0.0
    return inner


class _CovarianceDescent:
    """glmnet's coordinate descent for the gaussian lasso, covariance method (elnet1).

    Works on standardized columns (unit variance, so glmnet's ``xv`` is 1) and keeps the
    gradient ``g = X'r`` up to date through the inner products of the active columns.
    The sweeps run compiled (``_lasso_kernels``, numba), operation by operation as
    glmnet's; this class holds their state in arrays.
    """

    def __init__(self, xs: np.ndarray, used: np.ndarray, g: np.ndarray, thresh, max_passes):
        p = xs.shape[1]
        self.columns = np.flatnonzero(used).astype(np.int64)
        self.g = np.array(g, dtype=np.float64)
        self.beta = np.zeros(p)
        self.slot = np.full(p, -1, dtype=np.int64)  # position of each variable in the active set
        self.active = np.zeros(p, dtype=np.int64)
        self.gram = np.zeros((p, p))  # gram[l, j] = X_j' X_{active[l]} (0: unused j)
        # X'X; glmnet computes it when a variable first enters, to the same values.
        self.inner = _inner_products(xs, used) if len(self.columns) else np.zeros((p, p))
        self.counts = np.zeros(3, dtype=np.int64)  # passes, active variables, warm
        self._rsq = np.zeros(1)
        self.thresh = float(thresh)
        self.max_passes = int(max_passes)

    @property
    def rsq(self) -> float:
        return float(self._rsq[0])

    @property
    def passes(self) -> int:
        return int(self.counts[0])

    def fit(self, lam: float) -> None:
        """Solve at ``lam`` from the current coefficients, as glmnet's point solver."""
        from nnlabs.models._lasso_kernels import fit_point  # numba: loaded when first needed

        status = fit_point(
            float(lam), self.beta, self.g, self.slot, self.active, self.counts, self._rsq,
            self.gram, self.inner, self.columns, self.thresh, self.max_passes,
        )  # fmt: skip
        if status:
            raise _MaxPassesReached


def _binomial_path(
    x: np.ndarray, y: np.ndarray, *, n_lambdas: int, ratio: float, thresh: float, max_passes: int
) -> _Path:
    """glmnet's two-class logistic lasso path (``family = "binomial"``, Newton steps)."""
    n, p = x.shape
    x = np.asfortranarray(x)
    used = _varying_columns(x)
    if not used.any():
        raise DataError("every column of X is constant; the lasso has nothing to fit")
    w = np.full(n, 1.0 / n)
    xm = _redux(x * w[:, None])
    xc = x - xm
    xsd = np.sqrt(_redux(w[:, None] * (xc * xc)))
    xsd[~used] = 1.0
    xs_ = np.asfortranarray(xc / xsd)
    xs_[:, ~used] = 0.0
    q0 = float(_redux(w * y))
    if q0 <= _PMIN or q0 >= 1.0 - _PMIN:
        raise DataError("y must contain both classes 0 and 1")
    fmax = math.log(1.0 / _PMIN - 1.0)
    var_min = (1.0 + _PMIN) * _PMIN * (1.0 - _PMIN)
    b0 = math.log(q0 / (1.0 - q0))
    weight = w * (q0 * (1.0 - q0))  # IRLS weights w q (1 - q)
    resid = w * (y - q0)  # w (y - q)
    prob = np.full(n, q0)
    weight_sum = q0 * (1.0 - q0)
    dev1 = -(b0 * q0 + math.log(1.0 - q0))
    dev0 = dev1  # y is 0/1, so the saturated model adds nothing
    thr = thresh * dev0
    abs_grad = np.zeros(p)
    abs_grad[used] = np.abs(_redux(xs_[:, used] * resid[:, None]))
    alf, min_points = _path_lambdas(n_lambdas, ratio)

    beta = np.zeros(p)
    beta_start = np.zeros(p)
    xv = np.zeros(p)
    strong = np.zeros(p, dtype=bool)
    in_active = np.zeros(p, dtype=bool)
    active: list[int] = []
    passes = 0

    def sweep(indices, penalty: float) -> bool:
        nonlocal b0, passes, resid
        passes += 1
        dlx = 0.0
        for k in indices:
            old = beta[k]
            col = xs_[:, k]
            u = float(_redux(resid * col)) + old * xv[k]
            size = abs(u) - penalty
            new = math.copysign(size, u) / xv[k] if size > 0.0 else 0.0
            if new == old:
                continue
            beta[k] = new
            if not in_active[k]:
                in_active[k] = True
                active.append(k)
            d = new - old
            dlx = max(xv[k] * d * d, dlx)
            resid -= d * (weight * col)
        d = float(_redux(resid)) / weight_sum
        if d != 0.0:
            b0 += d
            dlx = max(weight_sum * d * d, dlx)
            resid -= d * weight
        if dlx < thr:
            return True
        if passes > max_passes:
            raise _MaxPassesReached
        return False

    def irls(lam: float) -> bool:
        """Fit at ``lam``; False when the fitted probabilities saturate (glmnet stops)."""
        nonlocal b0, weight, resid, prob, weight_sum
        while True:
            if passes > max_passes:
                raise _MaxPassesReached
            b0_start = b0
            beta_start[active] = beta[active]
            idx = np.flatnonzero(strong)
            xv[idx] = _redux(weight[:, None] * (xs_[:, idx] * xs_[:, idx]))
            candidates = idx.tolist()
            while not sweep(candidates, lam):
                while not sweep(list(active), lam):
                    pass
            eta = np.full(n, b0 + 0.0)
            for k in active:
                eta = eta + beta[k] * xs_[:, k]
            inside = np.clip(eta, -fmax, fmax)
            prob = np.where(
                eta < -fmax, 0.0, np.where(eta > fmax, 1.0, 1.0 / (1.0 + _exp(-inside)))
            )
            weight = w * prob * (1.0 - prob)
            weight_sum = float(_redux(weight))
            if weight_sum <= var_min:
                return False
            resid = w * (y - prob)
            d0 = b0 - b0_start
            moved = weight_sum * d0 * d0 > thr
            if not moved and active:
                diff = beta[active] - beta_start[active]
                moved = bool((xv[active] * diff * diff > thr).any())
            if moved:
                continue
            outside = np.flatnonzero(used & ~strong)
            abs_grad[outside] = np.abs(_redux(xs_[:, outside] * resid[:, None]))
            violators = outside[abs_grad[outside] > lam]
            if violators.size == 0:
                return True
            strong[violators] = True

    lambdas, coefs, intercepts, dev = [], [], [], []
    lam = 0.0
    for m in range(n_lambdas):
        lam, previous = _next_lambda(m, lam, alf, abs_grad[used])
        # The sequential strong rule: variables whose gradient exceeds 2 lam - previous.
        strong |= used & (abs_grad > 2.0 * lam - previous)
        try:
            fitted = irls(lam)
        except _MaxPassesReached:
            _truncated(m, max_passes)
            break
        lambdas.append(lam)
        coefs.append(beta.copy())
        intercepts.append(b0)
        clipped = np.clip(prob, _PMIN, 1.0 - _PMIN)
        terms = w * (y * _log(clipped) + (1.0 - y) * _log(1.0 - clipped))
        devi = -float(_sequential_sum(terms))
        dev.append((dev1 - devi) / dev0)
        if m + 1 < min_points:
            continue
        previous_dev = dev[-2] if len(dev) > 1 else 0.0
        if dev[-1] - previous_dev < _FDEV or dev[-1] > _DEVMAX or not fitted:
            break
    coef = np.array(coefs).T / xsd[:, None]
    return _Path(
        lambdas=_fix_first_lambda(np.array(lambdas)),
        coefs=coef,
        intercepts=np.array(intercepts) - xm @ coef,
        dev_ratio=np.array(dev),
        passes=passes,
    )


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
        fold_ids=None,
        thresh: float = THRESH,
        max_passes: int = MAX_PASSES,
    ) -> None:
        self.n_folds = n_folds
        self.n_lambdas = n_lambdas
        self.lambda_min_ratio = lambda_min_ratio
        self.measure = measure
        self.seed = seed
        self.fold_ids = fold_ids
        self.thresh = thresh
        self.max_passes = max_passes

    def _check(self, X, y) -> tuple[np.ndarray, np.ndarray, str, np.ndarray]:
        check_int("n_folds", self.n_folds, minimum=3)
        check_int("n_lambdas", self.n_lambdas, minimum=2)
        check_int("max_passes", self.max_passes, minimum=1)
        check_float("thresh", self.thresh, 0, 1, low_inclusive=False, high_inclusive=False)
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
        if not np.all(np.isfinite(target)):
            raise DataError("y must hold only finite values")
        if self.fold_ids is not None:
            folds = check_fold_ids(self.fold_ids, len(x), name="fold_ids")
        else:
            if len(x) < self.n_folds:
                raise DataError(f"X must have at least n_folds = {self.n_folds} rows; got {len(x)}")
            folds = np.empty(len(x), dtype=np.int64)
            splitter = KFold(self.n_folds, shuffle=True, random_state=self.seed)
            for k, (_, held) in enumerate(splitter.split(x)):
                folds[held] = k
        return x, target, measure, folds

    def _fit_path(self, x: np.ndarray, y: np.ndarray) -> _Path:
        n, p = x.shape
        ratio = self.lambda_min_ratio or _default_ratio(n, p)
        return self._path_solver(
            x,
            y,
            n_lambdas=self.n_lambdas,
            ratio=ratio,
            thresh=self.thresh,
            max_passes=self.max_passes,
        )

    def fit(self, X, y):
        """Choose lambda by K-fold CV as cv.glmnet, then take the full-data path; return self."""
        x, target, measure, folds = self._check(X, y)
        n, p = x.shape
        path = self._fit_path(x, target)
        lambdas = path.lambdas
        n_folds = int(folds.max()) + 1
        predictions = np.empty((n, len(lambdas)))
        for k in range(n_folds):
            held = folds == k
            try:
                fold_path = self._fit_path(x[~held], target[~held])
            except DataError as exc:
                raise DataError(
                    f"the training rows of CV fold {k + 1} of {n_folds}: {exc}"
                ) from exc
            coef, intercept = fold_path.at(lambdas)
            predictions[held] = x[held] @ coef + intercept
        losses = self._loss(target, predictions, measure)
        sizes = np.bincount(folds, minlength=n_folds).astype(np.float64)
        fold_means = np.array([losses[folds == k].mean(axis=0) for k in range(n_folds)])
        cv_mean = sizes @ fold_means / sizes.sum()
        if n / n_folds < 3:
            # cv.glmnet then sets grouped = FALSE: the sd is over rows, not folds.
            cv_se = np.sqrt(((losses - cv_mean) ** 2).mean(axis=0) / (n - 1))
        else:
            cv_se = np.sqrt(sizes @ (fold_means - cv_mean) ** 2 / sizes.sum() / (n_folds - 1))
        best = int(np.argmin(cv_mean))
        within = cv_mean <= cv_mean[best] + cv_se[best]
        self.lambdas_ = lambdas
        self.cv_mean_ = cv_mean
        self.cv_se_ = cv_se
        self.lambda_min_ = float(lambdas[best])
        self.lambda_1se_ = float(lambdas[np.flatnonzero(within)[0]])
        self.fold_ids_ = folds
        self.measure_ = measure
        self.path_ = path
        coef, intercept = path.at(np.array([self.lambda_min_]))
        self.coef_ = coef[:, 0]
        self.intercept_ = float(intercept[0])
        self.n_features_in_ = p
        return self

    def _linear(self, X) -> np.ndarray:
        x = check_finite_matrix("X", X)
        if x.shape[1] != self.n_features_in_:
            raise DataError(f"X must have {self.n_features_in_} columns; got {x.shape[1]}")
        return x @ self.coef_ + self.intercept_


class LassoCV(RegressorMixin, _GlmnetCV):
    """Gaussian lasso with lambda chosen by K-fold CV, as ``cv.glmnet`` (``lambda.min``).

    ``measure`` is ``"mae"`` (the notes' ``type.measure = "mae"``) or ``"mse"`` (glmnet's
    default).

    Parameters: ``n_folds`` and ``seed`` (shuffled K-fold CV, used only when ``fold_ids``
    is None); ``fold_ids``, one fold label per row of X (any >= 3 distinct integers, as
    glmnet's ``foldid``, e.g. R's ``sample(rep(seq(10), length = n))`` after
    ``set.seed()``, the folds ``cv.glmnet`` draws); ``n_lambdas`` (glmnet's ``nlambda``);
    ``lambda_min_ratio`` (None: glmnet's default); ``thresh`` and ``max_passes``
    (glmnet's ``thresh`` and ``maxit``).

    After ``fit``: ``lambda_min_``, ``lambda_1se_``, ``lambdas_`` (L,), ``cv_mean_`` (L,),
    ``cv_se_`` (L,), ``coef_`` (p,), ``intercept_``, ``fold_ids_`` (the 0-based fold of
    each row) and ``path_`` (the full-data path). L is at most ``n_lambdas``: the path
    stops early as glmnet's does.
    """

    measures = ("mae", "mse")
    _path_solver = staticmethod(_gaussian_path)

    @staticmethod
    def _loss(y, pred, measure):
        resid = y[:, None] - pred
        return np.abs(resid) if measure == "mae" else resid**2

    def predict(self, X) -> np.ndarray:
        """Predictions at ``lambda_min_``, shape (n,)."""
        return self._linear(X)


class LogisticLassoCV(ClassifierMixin, _GlmnetCV):
    """L1-penalized logistic regression, lambda by K-fold CV (``family = "binomial"``).

    ``measure`` is ``"deviance"`` (glmnet's default for binomial), ``"class"``
    (misclassification rate) or ``"mae"`` (glmnet's: twice the mean |y - p|). Labels must
    be 0/1.

    Parameters: ``n_folds`` and ``seed`` (shuffled K-fold CV, used only when ``fold_ids``
    is None); ``fold_ids``, one fold label per row of X (any >= 3 distinct integers, as
    glmnet's ``foldid``, e.g. R's ``sample(rep(seq(10), length = n))`` after
    ``set.seed()``, the folds ``cv.glmnet`` draws); ``n_lambdas`` (glmnet's ``nlambda``);
    ``lambda_min_ratio`` (None: glmnet's default); ``thresh`` and ``max_passes``
    (glmnet's ``thresh`` and ``maxit``).

    After ``fit``: ``lambda_min_``, ``lambda_1se_``, ``lambdas_`` (L,), ``cv_mean_`` (L,),
    ``cv_se_`` (L,), ``coef_`` (p,), ``intercept_``, ``fold_ids_`` (the 0-based fold of
    each row) and ``path_`` (the full-data path). L is at most ``n_lambdas``: the path
    stops early as glmnet's does.
    """

    measures = ("deviance", "class", "mae")
    _path_solver = staticmethod(_binomial_path)

    @staticmethod
    def _loss(y, eta, measure):
        p = 1.0 / (1.0 + np.exp(-eta))
        yy = y[:, None]
        if measure == "deviance":
            p = np.clip(p, _CV_PMIN, 1.0 - _CV_PMIN)
            return -2.0 * (yy * np.log(p) + (1.0 - yy) * np.log(1.0 - p))
        if measure == "class":
            return ((p > 0.5) != yy).astype(float)
        return 2.0 * np.abs(yy - p)

    def fit(self, X, y):
        """Choose lambda by K-fold CV as cv.glmnet, then take the full-data path; return self."""
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
