"""The Hitters lab (§11.11.3): data, design matrix, baselines, network, result, cache."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import nnlabs
from _fixtures_labs import ANALYSES
from nnlabs import DataError, ParameterError
from nnlabs.data import hitters as hitters_data
from nnlabs.labs import hitters
from nnlabs.models.networks import parameter_counts
from nnlabs.splits import random_split

# The §11.16 analyses at tiny sizes (tests/test_responsible.py checks them in depth).
TINY = {"epochs": 3, "cache": False, **ANALYSES}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return hitters_data.load()


def test_loader_types_and_rows(frame):
    assert len(hitters_data.load(drop_missing=False)) == 322
    assert len(frame) == 263
    for column in ("League", "Division", "NewLeague"):
        assert isinstance(frame[column].dtype, pd.CategoricalDtype)
    assert frame["Salary"].notna().all()


def test_design_matrix_matches_r_model_matrix(frame):
    x, y = hitters.design(frame)
    assert x.shape == (263, 20)
    assert list(x.columns[13:16]) == ["LeagueA", "LeagueN", "DivisionW"]
    assert x.columns[-1] == "NewLeagueN"
    assert np.allclose(x["LeagueA"] + x["LeagueN"], 1.0)
    assert y.shape == (263,)


def test_split_sizes():
    split = random_split(263, 1 / 3, seed=13)
    assert (len(split.train), len(split.test)) == (176, 87)
    assert not set(split.train) & set(split.test)


def test_parameter_counts_match_notes():
    model = hitters.build_network(hitters.HittersSettings(), 20)
    assert parameter_counts(model) == {"total": 3841, "trainable": 3649, "non_trainable": 192}
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["hidden_1", "bn_1", "dropout_1", "hidden_2", "bn_2", "dropout_2", "output"]


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return hitters.run(out_dir=out, **TINY), out


def test_linear_regression_equals_lstsq_reference(tiny_result, frame):
    result, _ = tiny_result
    x, y = hitters.design(frame)
    split = random_split(len(y), 1 / 3, seed=13)
    design = np.column_stack([np.ones(len(y)), x.to_numpy()])
    coef, *_ = np.linalg.lstsq(design[split.train], y[split.train], rcond=None)
    reference = np.mean(np.abs(design[split.test] @ coef - y[split.test]))
    got = result.table.set_index("Model").loc[hitters.LM, "MAE"]
    assert got == pytest.approx(reference, rel=1e-9)


def test_lasso_lambda_comes_from_cv(tiny_result):
    lasso = tiny_result[0].models[hitters.LASSO]["model"]
    best = int(np.argmin(lasso.cv_mean_))
    assert lasso.lambda_min_ == lasso.lambdas_[best]
    assert lasso.lambdas_[0] > lasso.lambda_min_ > lasso.lambdas_[-1]
    assert lasso.lambda_1se_ >= lasso.lambda_min_


def test_result_table_history_and_files(tiny_result):
    result, out = tiny_result
    assert list(result.table["Model"]) == [hitters.LM, hitters.LASSO, hitters.NN, hitters.GBT]
    assert list(result.history["epoch"]) == [1, 2, 3]
    assert {"loss", "val_loss", "mean_absolute_error", "val_mean_absolute_error"} <= set(
        result.history.columns
    )
    assert "Table 11.32" in str(result) and hitters.NN in str(result)
    assert sorted(p.name for p in out.iterdir()) == [
        "hitters_model", "hitters_model_card.md", "hitters_results.json",
    ]  # fmt: skip
    saved = json.loads((out / "hitters_results.json").read_text())
    assert saved["settings"]["epochs"] == 3
    assert [row["Model"] for row in saved["table"]] == list(result.table["Model"])


def test_saved_model_reloads_with_identical_predictions(tiny_result, frame):
    import keras

    result, out = tiny_result
    x = np.random.default_rng(0).normal(size=(10, 20)).astype(np.float32)
    # The network's file is plain Keras: it loads without nnlabs' objects.
    reloaded = keras.models.load_model(out / "hitters_model" / "neural-network-2-layer.keras")
    original = result.models[hitters.NN]["model"].model_
    np.testing.assert_array_equal(original.predict(x, verbose=0), reloaded.predict(x, verbose=0))
    lab = nnlabs.load_lab(out)
    pd.testing.assert_frame_equal(lab.predict(frame.head(9)), result.predict(frame.head(9)))


def test_validation_is_carved_from_training_rows_by_default(tiny_result):
    net = tiny_result[0].models[hitters.NN]["model"]
    assert net.validation_fraction == pytest.approx(0.2)
    test_mode = hitters.make_network(hitters.HittersSettings(validation="test"), 0)
    assert test_mode.validation_fraction == 0.0


def test_same_seed_same_metrics():
    a = hitters.run(**TINY)
    b = hitters.run(**TINY)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_cache_hit_and_miss(tmp_path):
    first = hitters.run(epochs=2, cache=tmp_path)
    assert first.models[hitters.NN]["model"].cache_hit_ is False
    again = hitters.run(epochs=2, cache=tmp_path)
    assert again.models[hitters.NN]["model"].cache_hit_ is True
    pd.testing.assert_frame_equal(first.table, again.table)
    pd.testing.assert_frame_equal(first.history, again.history, check_dtype=False)
    changed = hitters.run(epochs=2, batch_size=16, cache=tmp_path)
    assert changed.models[hitters.NN]["model"].cache_hit_ is False
    assert len(list((tmp_path / "models").iterdir())) == 2


def test_repeats_give_intervals():
    result = hitters.run(epochs=2, repeats=3, cache=False)
    assert sorted(result.repeat_scores["repeat"].unique()) == [1, 2, 3]
    summary = result.uncertainty.set_index("Model")
    row = summary.loc[f"{hitters.NN} - {hitters.LASSO}"]
    assert row["low"] < row["mean"] < row["high"]
    assert summary.loc[hitters.LASSO, "repeats"] == 3


def test_explicit_split_indices(frame):
    test = np.arange(0, 263, 3)
    result = hitters.run(test_index=test, **TINY)
    assert result.extras["n_test"] == len(test) == 88
    with pytest.raises(ParameterError, match="repeats must be 1 when test_index is given"):
        hitters.run(test_index=test, repeats=2, **TINY)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"epochs": 0}, r"epochs must be an integer >= 1; got 0"),
        ({"repeats": 0}, r"repeats must be an integer >= 1; got 0"),
        ({"dropout": (0.3, 1.0)}, r"dropout must be a number in \[0.0, 1.0\); got 1.0"),
        ({"validation": "bogus"}, r"validation must be one of 'split', 'test'; got 'bogus'"),
        ({"bogus": 1}, r"unknown setting\(s\) 'bogus'"),
    ],
)
def test_bad_settings(overrides, message):
    with pytest.raises(ParameterError, match=message):
        hitters.run(**overrides, cache=False)


def test_bad_data(frame, tmp_path):
    with pytest.raises(DataError, match=r"missing required column 'Salary'"):
        hitters.run(data=frame.drop(columns="Salary"), **TINY)
    bad = frame.assign(AtBat=frame["AtBat"].astype(str))
    with pytest.raises(DataError, match=r"predictor 'AtBat' must be numeric; got dtype"):
        hitters.run(data=bad, **TINY)
    inf = frame.assign(Hits=frame["Hits"].astype(float))
    inf.loc[5, "Hits"] = np.inf
    with pytest.raises(DataError, match=r"design matrix must hold only finite values.*row 5"):
        hitters.run(data=inf, **TINY)
    with pytest.raises(DataError, match=r"nope\.csv: Hitters file not found"):
        hitters_data.load(tmp_path / "nope.csv")


def test_failed_save_leaves_nothing_behind(tiny_result, tmp_path, monkeypatch):
    result, _ = tiny_result
    model = result.models[hitters.NN]["model"].model_

    def broken_save(path, *args, **kwargs):
        open(path, "wb").write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(model, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        result.save(tmp_path)
    assert list(tmp_path.iterdir()) == []  # not even the fitted lab's temporary folder


def test_unknown_lab_name():
    from nnlabs import labs

    with pytest.raises(ParameterError, match=r"lab must be one of .*; got 'nope'"):
        labs.run("nope")
