"""The NYC taxi lab (§11.11.5): networks, zone embeddings, result, data files, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from _fixtures_labs import ANALYSES
from _fixtures_labs import synthetic_trips as _trips
from _fixtures_labs import synthetic_zones as _zones
from nnlabs import DataError, DownloadError, ParameterError
from nnlabs.cli import main
from nnlabs.data import taxi as taxi_data
from nnlabs.labs import taxi
from nnlabs.models.networks import parameter_counts

# The §11.16 analyses at tiny sizes (tests/test_responsible.py checks them in depth).
TINY = {"epochs": 2, "cache": False, **ANALYSES}


def _write_month(folder, trips: pd.DataFrame, color: str = "yellow") -> None:
    """Write ``trips`` as an official-looking TLC file plus the zone lookup into ``folder``."""
    prefix = {"yellow": "tpep", "green": "lpep"}[color]
    start = pd.Timestamp("2023-01-02") + pd.to_timedelta(trips["hour_of_day"], unit="h")
    raw = pd.DataFrame(
        {
            f"{prefix}_pickup_datetime": start,
            f"{prefix}_dropoff_datetime": start + pd.to_timedelta(trips["duration_min"], unit="m"),
            "passenger_count": trips["passenger_count"].astype(float),
            "trip_distance": trips["trip_distance"].astype(float),
            "PULocationID": trips["PULocationID"].astype(np.int64),
            "DOLocationID": trips["DOLocationID"].astype(np.int64),
            "fare_amount": trips["fare_amount"].astype(float),
        }
    )
    raw.to_parquet(folder / f"{color}_tripdata_2023-01.parquet", index=False)
    _zones().to_csv(folder / "taxi_zone_lookup.csv", index=False)


# ------------------------------------------------------------------------ networks


def test_parameter_counts_match_notes_network():
    model = taxi.build_network(taxi.TaxiSettings(), 7)
    # (7+1)*256 + (256+1)*128 + (128+1)*64 + (64+1)*1
    assert parameter_counts(model) == {"total": 43265, "trainable": 43265, "non_trainable": 0}
    names = [layer.name for layer in model.layers[1:]]
    assert names == ["hidden_1", "dropout_1", "hidden_2", "dropout_2", "hidden_3", "output"]


def test_embedding_network_counts_and_layers():
    settings = taxi.TaxiSettings()
    model = taxi.build_embedding_network(settings, 25)  # 23 numeric columns + 2 zone ids
    dense = (23 + 2 * 8 + 1) * 256 + 257 * 128 + 129 * 64 + 65
    assert parameter_counts(model)["total"] == dense + 2 * 266 * 8
    names = {layer.name for layer in model.layers}
    assert {"pickup_zone_embedding", "dropoff_zone_embedding", "features"} <= names


def test_zone_features_by_hand():
    feats = taxi.zone_features(np.array([132, 161, 999]), np.array([161, 161, 1]), _zones())
    row = feats.iloc[0]  # JFK (Queens, Airports) -> Midtown (Manhattan, Yellow Zone)
    assert row["pu_borough_Queens"] == 1 and row["pu_airport"] == 1 and row["pu_yellow_zone"] == 0
    assert row["do_borough_Manhattan"] == 1 and row["do_yellow_zone"] == 1
    assert row["same_zone"] == 0 and row["same_borough"] == 0
    assert feats.iloc[1][["same_zone", "same_borough"]].tolist() == [1.0, 1.0]
    unknown = feats.iloc[2]  # zone 999 is not in the lookup: zeros; Newark is an airport
    assert unknown.filter(like="pu_").sum() == 0 and unknown["do_borough_EWR"] == 1
    assert unknown["do_airport"] == 1
    assert feats.shape == (3, 2 * 8 + 2)


def test_embedding_regressor_keeps_the_estimator_contract():
    est = taxi.make_embedding_network(taxi.TaxiSettings(epochs=1, batch_size=64), seed=0)
    assert (est.epochs, est.batch_size, est.validation_fraction) == (1, 64, 0.1)
    copy = clone(est)
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.random((200, 4)), rng.integers(1, 264, (200, 2))])
    assert copy.fit(x, rng.random(200)) is copy
    assert copy.predict(x).shape == (200,)
    with pytest.raises(ParameterError, match=r"X must have 6 columns, as in fit; got 5"):
        copy.predict(x[:, :5])


# ----------------------------------------------------------------------- whole lab


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = taxi.run(data=_trips(1500), zones=_zones(), out_dir=out, rows=1200, **TINY)
    return result, out


def test_table_has_four_models_and_improvement(tiny_result):
    result, _ = tiny_result
    table = result.table.set_index("Model")
    assert list(table.index) == [taxi.LASSO, taxi.NN, taxi.EMB, taxi.GBT]
    assert list(result.table.columns) == ["Model", taxi.MAE_COLUMN, taxi.GAIN_COLUMN]
    lasso = table.loc[taxi.LASSO, taxi.MAE_COLUMN]
    for model in (taxi.NN, taxi.EMB, taxi.GBT):
        gain = (1 - table.loc[model, taxi.MAE_COLUMN] / lasso) * 100
        assert table.loc[model, taxi.GAIN_COLUMN] == pytest.approx(gain)
    assert table.loc[taxi.LASSO, taxi.GAIN_COLUMN] == 0
    assert result.extras["n_trips"] == 1200
    assert (result.extras["n_train"], result.extras["n_test"]) == (960, 240)
    assert result.extras["embedding_columns"][-2:] == ["PULocationID", "DOLocationID"]
    assert "Table 11.34" in str(result) and "1,200 trips" in str(result)


def test_both_networks_saved_and_reload_without_nnlabs_objects(tiny_result):
    import keras

    result, out = tiny_result
    assert sorted(p.name for p in out.iterdir()) == [
        "taxi_model", "taxi_model_card.md", "taxi_results.json",
    ]  # fmt: skip
    est = result.models[taxi.EMB]["model"]
    reloaded = keras.models.load_model(out / "taxi_model" / "network-with-zone-embeddings.keras")
    rng = np.random.default_rng(1)
    n_numeric = est.n_features_in_ - 2
    x = np.column_stack([rng.random((9, n_numeric)), rng.integers(1, 264, (9, 2))])
    x = x.astype(np.float32)
    np.testing.assert_array_equal(est.model_.predict(x, verbose=0), reloaded.predict(x, verbose=0))
    saved = json.loads((out / "taxi_results.json").read_text())
    assert saved["settings"]["trip_filter"]["max_location_id"] == 263
    assert [row["Model"] for row in saved["table"]] == [taxi.LASSO, taxi.NN, taxi.EMB, taxi.GBT]


def test_early_stopping_and_validation_split_as_notes(tiny_result):
    result, _ = tiny_result
    for name in (taxi.NN, taxi.EMB):
        assert result.models[name]["model"].validation_fraction == pytest.approx(0.1)
        assert result.models[name]["model"].batch_size == 512
    (stop,) = result.models[taxi.NN]["model"].callbacks()
    assert (stop.monitor, stop.patience, stop.restore_best_weights) == ("val_loss", 10, True)
    assert "val_loss" in result.extras["embedding_history"]


def test_repeats_intervals_and_cache(tmp_path):
    kw = {"data": _trips(300, seed=3), "zones": _zones(), "epochs": 1, "repeats": 2}
    first = taxi.run(cache=tmp_path, **kw)
    summary = first.uncertainty.set_index("Model")
    assert summary.loc[f"{taxi.EMB} - {taxi.NN}", "repeats"] == 2
    assert sorted(first.repeat_scores["repeat"].unique()) == [1, 2]
    again = taxi.run(cache=tmp_path, **kw)
    assert again.models[taxi.NN]["model"].cache_hit_ and again.models[taxi.EMB]["model"].cache_hit_
    pd.testing.assert_frame_equal(first.table, again.table)


def test_designs_scale_on_the_rows_they_are_fitted_on():
    trips = _trips(40, seed=4)
    data = taxi.load(taxi.TaxiSettings(rows=40, lasso_folds=3), data=trips, zones=_zones())
    x7 = data.rows[list(taxi.PREDICTORS)].to_numpy(dtype=np.float64)
    designs = taxi.design(data, taxi.TaxiSettings())
    x, xe = (d.fit(data.rows.iloc[:10]) for d in (designs["x"], designs["xe"]))
    xs = x.transform(data.rows)
    np.testing.assert_allclose(xs[:10].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(xs[:, 0], (x7[:, 0] - x7[:10, 0].mean()) / x7[:10, 0].std())
    # Embedding inputs: 5 scaled non-zone predictors, the zone flags, then the raw zone ids.
    flags = taxi.zone_features(x7[:, 2], x7[:, 3], _zones()).to_numpy()
    xe_rows = xe.transform(data.rows)
    assert xe_rows.shape == (40, 5 + flags.shape[1] + 2)
    np.testing.assert_array_equal(xe_rows[:, -2:], x7[:, [2, 3]])
    np.testing.assert_array_equal(xe_rows[:, 5:-2], flags)
    np.testing.assert_allclose(xe_rows[:, :5], xs[:, [0, 1, 4, 5, 6]])
    assert list(xe.get_feature_names_out()) == data.extras["embedding_columns"]


def test_cli_reads_an_official_file_from_data_dir(tmp_path, capsys):
    _write_month(tmp_path, _trips(600, seed=5))
    argv = ["run", "taxi", "--rows", "500", "--epochs", "1", "--data-dir", str(tmp_path)]
    assert main([*argv, "--out", str(tmp_path / "out"), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert "Table 11.34" in out and taxi.EMB in out and "500 trips" in out
    assert (tmp_path / "out" / "taxi_model" / "network-with-zone-embeddings.keras").is_file()


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"rows": 0}, r"rows must be an integer >= 1; got 0"),
        ({"rows": -3}, r"rows must be an integer >= 1; got -3"),
        ({"color": "blue"}, r"color must be one of 'yellow', 'green'; got 'blue'"),
        ({"month": "2023-1"}, r"month must be a 'YYYY-MM' string such as '2023-01'"),
        ({"scaling": "x"}, r"scaling must be one of 'train', 'all'; got 'x'"),
        ({"embedding_dim": 0}, r"embedding_dim must be an integer >= 1; got 0"),
        ({"trip_filter": None}, r"trip_filter must be a TripFilter; got None"),
    ],
)
def test_bad_settings(overrides, message):
    with pytest.raises(ParameterError, match=message):
        taxi.run(data=_trips(50), zones=_zones(), **overrides, **TINY)


def test_missing_file_says_which_and_where(tmp_path, monkeypatch):
    with pytest.raises(DataError, match=r"'green_tripdata_2023-01.parquet' not found.*put it in"):
        taxi.run(color="green", data_dir=tmp_path, download=False, **TINY)
    # With downloads allowed but no network, the error still names the file and the folder.
    monkeypatch.setenv("NNLABS_TLC_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(DownloadError, match=r"yellow_tripdata_2023-01.parquet.*put it in"):
        taxi.run(data_dir=tmp_path, **TINY)


def test_a_month_with_no_trips_left_after_filtering(tmp_path, capsys):
    _write_month(tmp_path, _trips(30).assign(passenger_count=np.int16(0)))
    with pytest.raises(DataError, match=r"no rows left after filtering .*passenger_count >= 1"):
        taxi.run(data_dir=tmp_path, **TINY)
    assert main(["run", "taxi", "--data-dir", str(tmp_path), "--no-cache"]) == 2
    assert "no rows left after filtering" in capsys.readouterr().err


def test_bad_frames():
    trips = _trips(50)
    with pytest.raises(DataError, match=r"missing required column\(s\) 'duration_min'"):
        taxi.run(data=trips.drop(columns="duration_min"), zones=_zones(), **TINY)
    text = trips.assign(trip_distance=trips["trip_distance"].astype(str))
    with pytest.raises(DataError, match=r"'trip_distance' must be numeric; got dtype"):
        taxi.run(data=text, zones=_zones(), **TINY)
    with pytest.raises(DataError, match=r"at least 20 trips are needed; got 10"):
        taxi.run(data=trips, zones=_zones(), rows=10, **TINY)
    with pytest.raises(DataError, match=r"zones: missing required column\(s\) 'service_zone'"):
        taxi.run(data=trips, zones=_zones().drop(columns="service_zone"), **TINY)


# ------------------------------------------------------------------------ real data


@pytest.mark.realdata
def test_real_yellow_month(data_dir):
    result = taxi.run(rows=1000, epochs=1, data_dir=data_dir, cache=False)
    assert result.extras["n_trips"] == 1000
    assert "yellow_tripdata_2023-01" in result.extras["source"]
    maes = result.table[taxi.MAE_COLUMN]
    assert np.isfinite(maes).all() and (maes > 0).all()


@pytest.mark.realdata
def test_real_green_month_is_found_filtered_and_sampled(data_dir):
    settings = taxi.TaxiSettings(color="green", rows=2000)
    trips, source = taxi.load_data(settings, None, data_dir, download=False)
    assert source.endswith("green_tripdata_2023-01.parquet") and len(trips) == 2000
    # The rate code is carried for the subgroups, after the notes' columns.
    assert list(trips.columns) == [*taxi_data.TAXI_COLUMNS, taxi.RATE_CODE]
    assert trips["duration_min"].between(1, 120, inclusive="neither").all()
    assert trips["fare_amount"].between(2.5, 200, inclusive="neither").all()
    assert (trips["passenger_count"] >= 1).all()
    assert (trips[["PULocationID", "DOLocationID"]] <= 263).all().all()
    assert set(trips["day_of_week"]) <= set(range(1, 8))
