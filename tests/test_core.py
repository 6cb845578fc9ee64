"""The shared core: design matrices, splits, baselines, estimators, evaluation, atomic files."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from nnlabs import DataError, ParameterError
from nnlabs.design.features import model_matrix
from nnlabs.evaluation import intervals, metrics
from nnlabs.evaluation.intervals import (
    bootstrap_difference,
    bootstrap_rows,
    bootstrap_scores,
    summarize_repeats,
)
from nnlabs.evaluation.metrics import mae
from nnlabs.io import atomic_write, atomic_write_text
from nnlabs.models.baselines import LogisticLassoCV
from nnlabs.models.estimators import NetworkRegressor
from nnlabs.splits import explicit_split, random_split


def test_model_matrix_reference_levels_like_r():
    frame = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0], "g": ["x", "y", "z"], "h": pd.Categorical(["u", "v", "u"])}
    )
    with_intercept = model_matrix(frame)
    assert list(with_intercept.columns) == ["a", "gy", "gz", "hv"]
    without = model_matrix(frame, intercept=False)
    assert list(without.columns) == ["a", "gx", "gy", "gz", "hv"]
    np.testing.assert_array_equal(without["gx"], [1, 0, 0])
    with pytest.raises(DataError, match=r"frame: column 'd' must be numeric or categorical"):
        model_matrix(pd.DataFrame({"d": pd.to_datetime(["2023-01-01"])}))


def test_explicit_split_errors():
    split = explicit_split(5, None, [0, 4])
    np.testing.assert_array_equal(split.train, [1, 2, 3])
    with pytest.raises(
        ParameterError, match=r"test_index must hold zero-based row indices in \[0, 5\)"
    ):
        explicit_split(5, None, [0, 5])
    with pytest.raises(ParameterError, match="must be disjoint; 1 row"):
        explicit_split(5, [0, 1], [1, 2])
    with pytest.raises(ParameterError, match="must not repeat a row index"):
        explicit_split(5, None, [1, 1])
    with pytest.raises(
        ParameterError, match=r"test_fraction must be a number in \(0\.0, 1\.0\); got 1\.0"
    ):
        random_split(10, 1.0, seed=0)


def test_logistic_lasso_needs_two_classes():
    x = np.random.default_rng(0).normal(size=(30, 2))
    with pytest.raises(DataError, match="y must contain both classes 0 and 1"):
        LogisticLassoCV().fit(x, np.zeros(30))


def test_network_regressor_standardized_target_reports_original_units():
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype(np.float32)
    y = 1000.0 + 100.0 * x[:, 0]

    def build(n):
        inputs = keras.Input((n,))
        model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
        return model

    net = NetworkRegressor(build, epochs=20, batch_size=32, standardize_target=True, seed=0)
    pred = net.fit(x, y).predict(x)
    assert mae(y, pred) < 30.0  # the raw-target network is still near 1000 off here
    assert net.history_["mae"].iloc[0] > 30.0  # first-epoch MAE in dollars, not in sds
    assert net.model_.layers[-1].name == "target_units"
    raw = NetworkRegressor(build, epochs=20, batch_size=32, seed=0).fit(x, y)
    assert mae(y, raw.predict(x)) > 500.0


def test_network_regressor_params_survive_clone():
    from sklearn.base import clone

    net = NetworkRegressor(len, epochs=7, batch_size=64, seed=3, standardize_target=True)
    params = clone(net).get_params()
    assert (params["epochs"], params["batch_size"], params["seed"]) == (7, 64, 3)
    assert params["standardize_target"] is True
    assert set(params) >= {"validation_fraction", "steps_per_execution", "callbacks"}


def test_summarize_repeats_corrected_interval_by_hand():
    scores = pd.DataFrame(
        {
            "repeat": [1, 1, 2, 2, 3, 3],
            "Model": ["A", "B"] * 3,
            "MAE": [3.0, 2.0, 5.0, 3.0, 4.0, 4.0],
        }
    )
    out = summarize_repeats(scores, "MAE", comparisons=[("A", "B")], test_fraction=0.25).set_index(
        "Model"
    )
    diffs = np.array([1.0, 2.0, 0.0])
    half = stats.t.ppf(0.975, 2) * diffs.std(ddof=1) * np.sqrt(1 / 3 + 0.25 / 0.75)
    row = out.loc["A - B"]
    assert row["mean"] == pytest.approx(1.0)
    assert (row["low"], row["high"]) == pytest.approx((1.0 - half, 1.0 + half))


def test_bootstrap_difference_brackets_observed():
    rng = np.random.default_rng(0)
    y = rng.normal(size=100)
    out = bootstrap_difference(y, y + 1.0, y + rng.normal(size=100) * 0.1, mae, n_boot=200)
    assert out["low"] <= out["difference"] <= out["high"]
    assert out["low"] > 0.5


def test_atomic_write_leaves_nothing_on_failure(tmp_path):
    def failing(path):
        path.write_text("half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        atomic_write(tmp_path / "out.json", failing)
    assert list(tmp_path.iterdir()) == []


def test_atomic_files_get_the_mode_open_would_give(tmp_path):
    old = os.umask(0o027)
    try:
        written = atomic_write_text(tmp_path / "result.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o640  # not mkstemp's 0o600


def test_regression_metrics_reject_empty_and_mismatched():
    with pytest.raises(DataError, match="y_true and y_pred must not be empty"):
        mae([], [])
    with pytest.raises(DataError, match="must have the same length; got 2 and 3"):
        mae([1.0, 2.0], [1.0, 2.0, 3.0])


def test_the_bootstrap_resamples_at_once_as_it_would_one_by_one():
    rng = np.random.default_rng(0)
    expected = np.stack([rng.integers(0, 87, 87) for _ in range(40)])
    idx = bootstrap_rows(87, 40, seed=0)
    np.testing.assert_array_equal(idx, expected)
    y = np.random.default_rng(1).normal(500, 300, 87)
    p = y + np.random.default_rng(2).normal(0, 200, 87)
    for scorer in (metrics.mae, metrics.mse, metrics.rmse):
        assert scorer in metrics.ROWWISE
        one_by_one = [scorer(y[rows], p[rows]) for rows in idx]
        # Bit for bit: the pinned tables' intervals must not move.
        assert bootstrap_scores(scorer, y, p, idx).tolist() == one_by_one
    assert metrics.r2 not in metrics.ROWWISE  # called once per resample
    r2_draws = bootstrap_scores(metrics.r2, y, p, idx)
    assert r2_draws.tolist() == [metrics.r2(y[rows], p[rows]) for rows in idx]


def test_accuracy_and_auc_score_every_resample_at_once():
    """The movies lab's interval metrics: accuracy bit for bit, the rank AUC to rounding,
    ties and one-class resamples included."""
    rng = np.random.default_rng(3)
    y = (rng.random(60) < 0.4).astype(float)
    p = np.round(np.clip(0.3 * y + rng.random(60) * 0.7, 0, 1), 1)  # many tied scores
    idx = bootstrap_rows(60, 300, seed=1)
    accuracy_rows = metrics.accuracy_rows(0.5)
    assert accuracy_rows(y[idx], p[idx]).tolist() == [
        metrics.accuracy(y[rows], p[rows]) for rows in idx
    ]
    by_rank = metrics.auc_rows(y[idx], p[idx])
    np.testing.assert_allclose(
        by_rank, [metrics.roc_auc(y[rows], p[rows]) for rows in idx], rtol=0, atol=1e-12
    )
    one_class = metrics.auc_rows(np.array([[1.0, 1.0, 1.0], [0.0, 1.0, 1.0]]), np.ones((2, 3)))
    assert np.isnan(one_class[0]) and one_class[1] == 0.5


def test_bootstrap_draws_in_blocks_are_the_draws_at_once():
    rng = np.random.default_rng(4)
    y = rng.normal(size=50)
    a, b = y + rng.normal(size=50), y + rng.normal(size=50)
    whole = np.stack(
        [bootstrap_scores(metrics.mae, y, v, bootstrap_rows(50, 90, 7)) for v in (a, b)]
    )
    blocks = list(intervals.bootstrap_chunks(50, 90, 7, cells=50 * 20))
    assert [len(block) for block in blocks] == [20, 20, 20, 20, 10]
    np.testing.assert_array_equal(np.concatenate(blocks), bootstrap_rows(50, 90, 7))
    np.testing.assert_array_equal(intervals.bootstrap_draws(metrics.mae, y, (a, b), 90, 7), whole)
