"""nnlabs.models.baselines: glmnet's lasso step by step, explicit CV folds, and the labs' plumbing.

The comparison with R's glmnet itself is in tests/test_glmnet_r.py; the numbers here were
printed by R 4.2.2 with glmnet 4.1-6 and hold without R.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import KFold

from nnlabs import ParameterError
from nnlabs.data import hitters as hitters_data
from nnlabs.data import movies as movies_data
from nnlabs.labs import hitters, movies
from nnlabs.models.baselines import LassoCV, LogisticLassoCV, _Path, _redux, check_fold_ids

# The notes' Hitters draws in R (>= 3.6): set.seed(13); sample(seq_len(263), 87), and the
# folds cv.glmnet draws after set.seed(123): sample(rep(seq(10), length = 176)).
NOTES_TEST_ID = [
    259, 74, 205, 132, 221, 248, 55, 23, 5, 140, 49, 54, 184, 32, 250, 125, 47, 81, 188, 253,
    11, 68, 120, 87, 78, 61, 117, 131, 223, 236, 197, 190, 242, 222, 66, 129, 62, 51, 216,
    127, 115, 118, 60, 244, 76, 251, 42, 182, 227, 119, 199, 15, 157, 113, 14, 185, 121, 160,
    31, 146, 258, 179, 233, 239, 263, 77, 176, 228, 105, 97, 159, 48, 143, 232, 124, 247,
    166, 136, 142, 139, 195, 84, 17, 153, 147, 53, 7,
]  # fmt: skip
NOTES_FOLD_ID = [
    9, 4, 10, 10, 8, 3, 5, 2, 3, 10, 1, 6, 2, 7, 9, 2, 6, 7, 3, 8, 1, 1, 3, 7, 6, 3, 2, 9, 6,
    8, 4, 3, 3, 5, 4, 4, 9, 1, 2, 3, 7, 5, 8, 1, 1, 7, 10, 6, 6, 4, 6, 7, 9, 6, 3, 9, 1, 2, 6,
    3, 3, 1, 4, 3, 10, 5, 2, 2, 9, 10, 1, 7, 5, 10, 10, 2, 10, 2, 4, 4, 3, 1, 7, 5, 9, 5, 7,
    8, 1, 6, 8, 5, 8, 6, 7, 2, 3, 4, 4, 4, 8, 6, 10, 5, 4, 7, 2, 5, 9, 7, 3, 3, 5, 1, 6, 4,
    10, 9, 6, 1, 4, 1, 9, 4, 5, 8, 8, 9, 7, 7, 4, 1, 4, 2, 5, 8, 8, 7, 7, 10, 3, 9, 9, 1, 4,
    2, 5, 8, 6, 5, 2, 2, 6, 8, 8, 6, 7, 1, 10, 10, 2, 10, 9, 2, 5, 3, 8, 6, 10, 10, 5, 5, 9,
    9, 8, 1,
]  # fmt: skip


def _eigen_sum_reference(values: list[float]) -> float:
    """Eigen 3.3's vectorized sum (SSE2), written out element by element."""
    n = len(values)
    if n < 2:
        return values[0] if n else 0.0
    if n < 4:
        total = values[0] + values[1]
        return total + values[2] if n == 3 else total
    acc = [values[0], values[1], values[2], values[3]]
    n4 = n // 4 * 4
    for i in range(4, n4, 4):
        for lane in range(4):
            acc[lane] = acc[lane] + values[i + lane]
    first, second = acc[0] + acc[2], acc[1] + acc[3]
    if n // 2 * 2 > n4:
        first, second = first + values[n4], second + values[n4 + 1]
    total = first + second
    return total + values[n - 1] if n % 2 else total


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 176, 1001, 20_003])
def test_redux_sums_in_eigens_order(n):
    rng = np.random.default_rng(n)
    values = rng.normal(size=n) * np.exp(rng.normal(scale=6, size=n))
    assert float(_redux(values)) == _eigen_sum_reference(values.tolist())
    matrix = rng.normal(size=(n, 3)) * np.exp(rng.normal(scale=6, size=(n, 3)))
    got = _redux(matrix)
    for j in range(3):
        assert got[j] == _eigen_sum_reference(matrix[:, j].tolist())


@pytest.fixture(scope="module")
def notes_data():
    x_df, y = hitters.design(hitters_data.load())
    test = np.array(NOTES_TEST_ID) - 1
    train = np.setdiff1d(np.arange(len(y)), test)
    return x_df.to_numpy(), y, train, test


def test_notes_lasso_equals_glmnet_on_the_notes_split(notes_data):
    # R: cv.glmnet(X[-testid, ], y[-testid], type.measure = "mae") on the unscaled
    # model.matrix after set.seed(123): lambda.min 9.947573, 76 lambdas, 2722 passes,
    # test MAE 253.142837287 (the notes' scale()d matrix gives 253.146229, "253.1").
    x, y, train, test = notes_data
    fit = LassoCV(measure="mae", fold_ids=NOTES_FOLD_ID).fit(x[train], y[train])
    assert fit.lambda_min_ == pytest.approx(9.94757342625, rel=1e-10)
    assert len(fit.lambdas_) == 76
    assert fit.path_.passes == 2722
    assert np.mean(np.abs(fit.predict(x[test]) - y[test])) == pytest.approx(253.142837287, abs=1e-6)


def test_hitters_lab_takes_r_folds(notes_data):
    _, _, _, test = notes_data
    result = hitters.run(
        test_index=test, lasso_fold_ids=NOTES_FOLD_ID, scaling="all", epochs=1, cache=False
    )
    lasso = result.table.set_index("Model").loc[hitters.LASSO, "MAE"]
    assert round(lasso, 1) == 253.1
    assert lasso == pytest.approx(253.146, abs=5e-3)
    assert result.extras["lasso_lambda"] == pytest.approx(9.947573, rel=1e-6)
    assert result.table.set_index("Model").loc[hitters.LM, "MAE"] == pytest.approx(
        254.6687, abs=1e-4
    )


def test_lab_fold_ids_are_checked(notes_data):
    _, _, _, test = notes_data
    with pytest.raises(ParameterError, match=r"lasso_fold_ids needs an explicit split"):
        hitters.run(lasso_fold_ids=NOTES_FOLD_ID, epochs=1, cache=False)
    with pytest.raises(
        ParameterError,
        match=r"lasso_fold_ids must hold one fold label per training row \(176\); got 175",
    ):
        hitters.run(test_index=test, lasso_fold_ids=NOTES_FOLD_ID[:-1], epochs=1, cache=False)
    with pytest.raises(ParameterError, match=r"lasso_fold_ids needs an explicit split"):
        movies.run(lasso_fold_ids=[1, 2, 3] * 83 + [1], epochs=1, cache=False)
    with pytest.raises(
        ParameterError, match=r"lasso_fold_ids must hold at least 3 distinct fold labels"
    ):
        movies.run(test_index=np.arange(83), lasso_fold_ids=[1, 2] * 125, epochs=1, cache=False)


def test_fold_ids_validation():
    x = np.random.default_rng(0).normal(size=(12, 3))
    y = x[:, 0] + 0.1 * np.arange(12)
    cases = [
        (np.ones((12, 1)), r"fold_ids must be a vector of fold labels, one per row; got an array"),
        ([1.5] * 12, r"fold_ids must hold integer fold labels; got dtype float64"),
        (["a"] * 12, r"fold_ids must hold integer fold labels; got dtype <U1"),
        ([True, False] * 6, r"fold_ids must hold integer fold labels; got dtype bool"),
        ([1, 2, 3] * 3, r"fold_ids must hold one fold label per row \(12\); got 9 labels"),
        ([4, 9] * 6, r"fold_ids must hold at least 3 distinct fold labels .* got 2: \[4, 9\]"),
    ]
    for fold_ids, message in cases:
        with pytest.raises(ParameterError, match=message):
            LassoCV(fold_ids=fold_ids).fit(x, y)
    assert check_fold_ids([7.0, 3.0, 5.0, 3.0], 4).tolist() == [2, 0, 1, 0]


def test_fold_ids_replace_n_folds_and_seed():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(60, 4))
    y = x @ [1.0, -2.0, 0.0, 0.5] + rng.normal(size=60)
    folds = np.arange(60) % 4 + 1
    base = LassoCV(measure="mse", fold_ids=folds).fit(x, y)
    for kwargs in ({"n_folds": 7, "seed": 99}, {"fold_ids": folds * 10 - 3}):
        other = LassoCV(measure="mse", **{"fold_ids": folds, **kwargs}).fit(x, y)
        np.testing.assert_array_equal(other.cv_mean_, base.cv_mean_)
        assert other.lambda_min_ == base.lambda_min_
    np.testing.assert_array_equal(base.fold_ids_, folds - 1)
    # Without fold_ids the folds are scikit-learn's shuffled KFold, as before.
    default = LassoCV(measure="mse", n_folds=5, seed=11).fit(x, y)
    expected = np.empty(60, dtype=int)
    for k, (_, held) in enumerate(KFold(5, shuffle=True, random_state=11).split(x)):
        expected[held] = k
    np.testing.assert_array_equal(default.fold_ids_, expected)


def _standardized(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def test_gaussian_solution_satisfies_kkt_when_converged_tightly():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(150, 8)) @ rng.normal(size=(8, 8))
    y = x[:, 0] - 2 * x[:, 3] + rng.normal(size=150)
    fit = LassoCV(measure="mse", seed=1, thresh=1e-20).fit(x, y)
    xs = _standardized(x)
    resid = y - fit.predict(x)
    grad = xs.T @ resid / len(y)
    coef_std = fit.coef_ * x.std(axis=0)
    lam = fit.lambda_min_
    active = coef_std != 0
    assert active.sum() >= 2
    np.testing.assert_allclose(grad[active], lam * np.sign(coef_std[active]), rtol=1e-8)
    assert np.all(np.abs(grad[~active]) <= lam * (1 + 1e-9))
    assert resid.mean() == pytest.approx(0.0, abs=1e-9)


def test_logistic_solution_satisfies_kkt_when_converged_tightly():
    frame = movies_data.simulate(500, 7)
    x = frame[list(movies_data.FEATURES)].to_numpy(float)
    y = frame["hit"].to_numpy(float)
    fit = LogisticLassoCV(seed=2, thresh=1e-14).fit(x, y)
    xs = _standardized(x)
    grad = xs.T @ (y - fit.predict_proba(x)[:, 1]) / len(y)
    coef_std = fit.coef_ * x.std(axis=0)
    lam = fit.lambda_min_
    active = coef_std != 0
    assert active.sum() >= 3
    np.testing.assert_allclose(grad[active], lam * np.sign(coef_std[active]), rtol=1e-5)
    assert np.all(np.abs(grad[~active]) <= lam * (1 + 1e-6))


def test_path_starts_at_zero_and_stops_as_glmnet():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5))
    y = 3 * x[:, 0] - 2 * x[:, 1] + rng.normal(scale=0.5, size=200)
    fit = LassoCV(measure="mse", seed=0).fit(x, y)
    path = fit.path_
    assert np.all(path.coefs[:, 0] == 0.0) and np.any(path.coefs[:, 1] != 0.0)
    ratios = fit.lambdas_[1:] / fit.lambdas_[:-1]
    np.testing.assert_allclose(ratios, 1e-4 ** (1 / 99), rtol=1e-12)
    # glmnet stops once the deviance ratio changes by less than 1e-5 (relative) or passes
    # 0.999, after at least five lambdas; here that is well before the 100th lambda.
    dev = path.dev_ratio
    change = np.diff(dev) / dev[1:]
    assert len(fit.lambdas_) < 100
    assert change[-1] < 1e-5 or dev[-1] > 0.999
    assert np.all(change[3:-1] >= 1e-5) and np.all(dev[:-1] <= 0.999)
    assert fit.coef_[0] == pytest.approx(3.0, abs=0.15)
    assert fit.coef_[1] == pytest.approx(-2.0, abs=0.15)
    assert fit.lambda_min_ == fit.lambdas_[np.argmin(fit.cv_mean_)]


def test_path_interpolates_as_glmnet_predict():
    path = _Path(
        lambdas=np.array([4.0, 2.0, 1.0]),
        coefs=np.array([[0.0, 1.0, 3.0]]),
        intercepts=np.array([5.0, 4.0, 2.0]),
        dev_ratio=np.zeros(3),
        passes=0,
    )
    coefs, intercepts = path.at(np.array([8.0, 4.0, 3.0, 2.0, 1.5, 1.0, 0.5]))
    np.testing.assert_allclose(coefs[0], [0.0, 0.0, 0.5, 1.0, 2.0, 3.0, 3.0])
    np.testing.assert_allclose(intercepts, [5.0, 5.0, 4.5, 4.0, 3.0, 2.0, 2.0])
