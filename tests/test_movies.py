"""The movies lab (§11.11.6): simulator, ntile, network, metrics in the result, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from _fixtures_labs import ANALYSES
from nnlabs import DataError, ParameterError
from nnlabs.cli import main as cli_main
from nnlabs.data import movies as movies_data
from nnlabs.labs import movies
from nnlabs.models.networks import parameter_counts
from nnlabs.splits import random_split

# Few epochs, 3 CV folds and few bootstrap draws keep each run to seconds.
# The §11.16 analyses at tiny sizes (tests/test_responsible.py checks them in depth).
TINY = {"epochs": 3, "lasso_folds": 3, "bootstrap_draws": 50, "cache": False, **ANALYSES}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return movies_data.simulate()


def test_simulator_counts_match_notes(frame):
    assert len(frame) == 333
    assert int(frame["hit"].sum()) == 166
    assert int((frame["hit"] == 0).sum()) == 167
    assert list(frame.columns[:6]) == list(movies_data.FEATURES)
    assert set(frame["tercile"]) == {1, 3}
    assert (frame["hit"] == (frame["tercile"] == 3)).all()
    # Every Hit out-earns every Flop: the middle tercile sits between them.
    hits = frame.loc[frame["hit"] == 1, "log_revenue"]
    assert hits.min() > frame.loc[frame["hit"] == 0, "log_revenue"].max()


def test_simulator_value_ranges(frame):
    assert frame["budget_m"].between(5, 200).all()
    assert frame["cast_score"].between(0, 10).all()
    assert frame["marketing_m"].between(1, 80).all()
    for column in ("sequel", "genre_action", "genre_comedy"):
        assert set(frame[column]) == {0.0, 1.0}
    assert frame["hit"].dtype.kind == "i"


def test_simulator_is_seeded_and_n_sized():
    pd.testing.assert_frame_equal(movies_data.simulate(60, 7), movies_data.simulate(60, 7))
    assert not movies_data.simulate(60, 7).equals(movies_data.simulate(60, 8))
    # 7 movies: terciles of sizes 3, 2, 2, so 5 rows remain, 2 of them Hits.
    small = movies_data.simulate(7, 1)
    assert (len(small), int(small["hit"].sum())) == (5, 2)


def test_generative_model_coefficients():
    big = movies_data.simulate(20_000, 3, labels="median")
    design = np.column_stack(
        [
            np.ones(len(big)),
            np.log(big["budget_m"]),
            big["cast_score"],
            big["sequel"],
            big["genre_action"],
            big["genre_comedy"],
            np.log(big["marketing_m"]),
        ]
    )
    coef, *_ = np.linalg.lstsq(design, big["log_revenue"], rcond=None)
    np.testing.assert_allclose(coef[1:], [0.8, 0.5, 0.4, 0.3, 0.2, 0.3], atol=0.05)
    assert abs(coef[0]) < 0.15  # the notes' model has no intercept
    residual_sd = np.std(big["log_revenue"] - design @ coef)
    assert residual_sd == pytest.approx(0.8, abs=0.02)
    # Bernoulli rates of the indicators.
    means = big[["sequel", "genre_action", "genre_comedy"]].mean().to_numpy()
    np.testing.assert_allclose(means, [0.3, 0.25, 0.2], atol=0.015)


def test_median_labels_keep_every_movie():
    full = movies_data.simulate(labels="median")
    assert len(full) == 500 and int(full["hit"].sum()) == 250
    median = full["log_revenue"].median()
    assert (full["hit"] == (full["log_revenue"] > median)).all()


@pytest.mark.parametrize(
    ("x", "n", "expected"),
    [  # each expected vector printed by dplyr 1.0.10's ntile
        ([1, 2, 3, 4, 5, 6, 7], 3, [1, 1, 1, 2, 2, 3, 3]),
        ([1, 2, 3, 4, 5, 6, 7, 8], 3, [1, 1, 1, 2, 2, 2, 3, 3]),
        ([5, 1, 1, 3, 2, 2, 9, 4], 3, [3, 1, 1, 2, 1, 2, 3, 2]),
        ([1] * 8, 3, [1, 1, 1, 2, 2, 2, 3, 3]),
        ([3, 1, 2], 3, [3, 1, 2]),
        ([1, 2, 3, 4, 5], 2, [1, 1, 1, 2, 2]),
        ([1, 2], 3, [1, 2]),
        ([0.4], 1, [1]),
    ],
)
def test_ntile_matches_dplyr(x, n, expected):
    np.testing.assert_array_equal(movies_data.ntile(x, n), expected)


def test_ntile_bin_sizes_differ_by_at_most_one_larger_first():
    x = np.random.default_rng(0).normal(size=500)
    sizes = np.bincount(movies_data.ntile(x, 3))[1:]
    assert sizes.tolist() == [167, 167, 166]


def test_ntile_and_simulate_errors():
    with pytest.raises(ParameterError, match=r"n must be an integer >= 3; got 2"):
        movies_data.simulate(2)
    with pytest.raises(ParameterError, match=r"labels must be one of 'terciles', 'median'"):
        movies_data.simulate(labels="quartiles")
    with pytest.raises(ParameterError, match=r"n must be an integer >= 1; got 0"):
        movies_data.ntile([1, 2], 0)
    with pytest.raises(DataError, match=r"x must hold only finite values"):
        movies_data.ntile([1.0, np.nan], 2)
    with pytest.raises(DataError, match=r"x must be a non-empty vector; got shape \(0,\)"):
        movies_data.ntile([], 2)


def test_split_sizes_match_notes():
    split = random_split(333, 0.25, seed=42)
    assert (len(split.train), len(split.test)) == (250, 83)


def test_parameter_counts_match_notes():
    model = movies.build_network(movies.MoviesSettings(), 6)
    assert parameter_counts(model) == {"total": 897, "trainable": 833, "non_trainable": 64}
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["hidden_1", "bn_1", "dropout_1", "hidden_2", "dropout_2", "output"]
    assert model.layers[-1].activation.__name__ == "sigmoid"


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return movies.run(out_dir=out, **TINY), out


def _test_rows(result):
    x, y = movies.design(movies_data.simulate())
    split = random_split(len(y), 0.25, seed=result.settings.seed)
    scaled = (x.to_numpy() - x.to_numpy()[split.train].mean(0)) / x.to_numpy()[split.train].std(0)
    return scaled[split.test], y[split.test]


def test_table_shape_and_exact_auc(tiny_result):
    result, _ = tiny_result
    assert list(result.table.columns) == ["Model", "Accuracy", "AUC"]
    assert list(result.table["Model"]) == [movies.LASSO, movies.NN, movies.GBT]
    x_te, y_te = _test_rows(result)
    table = result.table.set_index("Model")
    for name, model in result.estimators.items():
        prob = model.predict_proba(x_te)[:, 1]
        assert table.loc[name, "AUC"] == pytest.approx(roc_auc_score(y_te, prob), abs=1e-6)
        assert table.loc[name, "Accuracy"] == pytest.approx(np.mean((prob > 0.5) == y_te))
    assert "Table 11.35" in str(result) and movies.NN in str(result)


def test_extras_carry_confusion_matrices_and_metrics(tiny_result):
    result, _ = tiny_result
    extras = result.extras
    assert (extras["n_train"], extras["n_test"]) == (250, 83)
    assert extras["class_counts"] == {"Flop": 167, "Hit": 166}
    metrics = extras["metrics"].set_index("Model")
    assert list(metrics.columns) == ["Accuracy", "AUC", "Precision", "Recall", "F1", "LogLoss"]
    for name, table in extras["confusion"].items():
        assert table.index.name == "Predicted" and table.columns.name == "Actual"
        assert list(table.index) == list(table.columns) == ["Flop", "Hit"]
        counts = table.to_numpy()
        assert counts.sum() == 83 and counts[:, 1].sum() == extras["test_hits"]
        assert metrics.loc[name, "Accuracy"] == pytest.approx(np.trace(counts) / 83)
        assert metrics.loc[name, "Precision"] == pytest.approx(counts[1, 1] / counts[1].sum())
        assert metrics.loc[name, "Recall"] == pytest.approx(counts[1, 1] / counts[:, 1].sum())
        # Keras' 200-threshold AUC approximates the exact one.
        assert extras["keras_auc"][name] == pytest.approx(metrics.loc[name, "AUC"], abs=0.02)
    assert extras["parameters"]["total"] == 897
    assert 1 <= extras["best_epoch"] <= extras["epochs_run"] == 3


def test_uncertainty_for_both_metrics_on_one_split(tiny_result):
    result, _ = tiny_result
    unc = result.uncertainty
    pairs = [f"{a} - {b}" for a, b in movies.SPEC.comparisons]
    # Every declared pair once per metric, the table's metric order kept.
    assert list(unc["metric"]) == ["Accuracy"] * len(pairs) + ["AUC"] * len(pairs)
    assert list(unc["Comparison"]) == pairs * 2
    assert (unc["low"] <= unc["difference"]).all() and (unc["difference"] <= unc["high"]).all()


def test_history_and_saved_files(tiny_result):
    import keras

    result, out = tiny_result
    assert list(result.history["epoch"]) == [1, 2, 3]
    assert {"loss", "auc", "accuracy", "val_loss", "val_auc"} <= set(result.history.columns)
    assert sorted(p.name for p in out.iterdir()) == [
        "movies_model", "movies_model_card.md", "movies_results.json",
    ]  # fmt: skip
    saved = json.loads((out / "movies_results.json").read_text())
    assert [row["Model"] for row in saved["table"]] == [movies.LASSO, movies.NN, movies.GBT]
    confusion = saved["extras"]["confusion"][movies.NN]
    assert [row["Predicted"] for row in confusion] == ["Flop", "Hit"]
    x = np.random.default_rng(0).normal(size=(10, 6)).astype(np.float32)
    reloaded = keras.models.load_model(out / "movies_model" / "neural-network-3-layer.keras")
    original = result.models[movies.NN]["model"].model_
    np.testing.assert_array_equal(original.predict(x, verbose=0), reloaded.predict(x, verbose=0))


def test_validation_is_carved_from_training_rows_by_default(tiny_result):
    net = tiny_result[0].models[movies.NN]["model"]
    assert net.validation_fraction == pytest.approx(0.2)
    notes = movies.make_network(movies.MoviesSettings(**movies.NOTES_PROTOCOL), 0)
    assert notes.validation_fraction == 0.0


def test_cache_hit_and_same_seed_same_table(tmp_path):
    first = movies.run(**{**TINY, "epochs": 2, "cache": tmp_path})
    assert first.models[movies.NN]["model"].cache_hit_ is False
    again = movies.run(**{**TINY, "epochs": 2, "cache": tmp_path})
    assert again.models[movies.NN]["model"].cache_hit_ is True
    pd.testing.assert_frame_equal(first.table, again.table)


def test_explicit_split_and_notes_protocol(frame):
    test = np.arange(0, 333, 4)
    result = movies.run(data=frame, test_index=test, **TINY, **movies.NOTES_PROTOCOL)
    assert result.extras["n_test"] == len(test) == 84
    assert "val_auc" in result.history.columns
    with pytest.raises(ParameterError, match=r"repeats must be 1 when test_index is given"):
        movies.run(test_index=test, repeats=2, **TINY)


def test_cli_prints_the_table_and_repeats_give_intervals_per_metric(tmp_path, capsys):
    argv = ["run", "movies", "--epochs", "1", "--repeats", "2", "--no-cache"]
    status = cli_main([*argv, "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert status == 0
    assert "Table 11.35" in printed and movies.LASSO in printed and "AUC" in printed
    saved = json.loads((tmp_path / "movies_results.json").read_text())
    assert sorted({row["repeat"] for row in saved["repeat_scores"]}) == [1, 2]
    summary = pd.DataFrame(saved["uncertainty"])
    assert sorted(summary["metric"].unique()) == ["AUC", "Accuracy"]
    auc = summary[summary["metric"] == "AUC"].set_index("Model")
    assert auc.loc[movies.LASSO, "repeats"] == 2
    row = auc.loc[f"{movies.NN} - {movies.LASSO}"]
    assert row["low"] < row["mean"] < row["high"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"epochs": 0}, r"epochs must be an integer >= 1; got 0"),
        ({"threshold": 1.5}, r"threshold must be a number in \[0, 1\]; got 1.5"),
        ({"n_movies": 2}, r"n_movies must be an integer >= 3; got 2"),
        ({"bootstrap_draws": 5}, r"bootstrap_draws must be an integer >= 10; got 5"),
        ({"labels": "top"}, r"labels must be one of 'terciles', 'median'; got 'top'"),
        ({"validation": "bogus"}, r"validation must be one of 'split', 'test'; got 'bogus'"),
        ({"dropout": (0.3, 1.0)}, r"dropout must be a number in \[0.0, 1.0\); got 1.0"),
        ({"bogus": 1}, r"unknown setting\(s\) 'bogus'"),
    ],
)
def test_bad_settings(overrides, message):
    with pytest.raises(ParameterError, match=message):
        movies.run(**overrides, cache=False)


def test_bad_data(frame):
    with pytest.raises(DataError, match=r"missing required column\(s\) 'hit'"):
        movies.run(data=frame.drop(columns="hit"), **TINY)
    with pytest.raises(DataError, match=r"'hit' must contain both classes.*got only 1"):
        movies.run(data=frame[frame["hit"] == 1], **TINY)
    # The middle tercile kept with a missing label, as before the notes' filter.
    unfiltered = movies_data.simulate(labels="median").assign(hit=np.nan)
    with pytest.raises(DataError, match=r"'hit' must hold 0 \(Flop\) or 1 \(Hit\).*500 other"):
        movies.run(data=unfiltered, **TINY)
    text = frame.assign(sequel=frame["sequel"].map({0.0: "no", 1.0: "yes"}))
    with pytest.raises(DataError, match=r"column 'sequel' must be numeric; got dtype"):
        movies.run(data=text, **TINY)
    inf = frame.copy()
    inf.loc[4, "budget_m"] = np.inf
    with pytest.raises(DataError, match=r"features must hold only finite values.*row 4"):
        movies.run(data=inf, **TINY)
    with pytest.raises(DataError, match=r"data must be a pandas DataFrame; got ndarray"):
        movies.run(data=frame.to_numpy(), **TINY)
