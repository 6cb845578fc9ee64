"""The NYC 311 lab (§11.11.4): feature engineering, LM artefact, network, result, errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from _fixtures_labs import ANALYSES
from nnlabs import DataError, ParameterError
from nnlabs.cli import main
from nnlabs.data import nyc311 as nyc311_data
from nnlabs.design.features import lump_n, r_wday
from nnlabs.labs import nyc311
from nnlabs.models.networks import parameter_counts
from nnlabs.splits import random_split

# The §11.16 analyses at tiny sizes (tests/test_responsible.py checks them in depth).
TINY = {"simulated_rows": 3000, "epochs": 2, "cache": False, **ANALYSES}


def _raw(rows: list[tuple]) -> pd.DataFrame:
    """A raw 311 frame from (created, complaint, agency, channel, borough, hours) tuples."""
    frame = pd.DataFrame(rows, columns=[*nyc311.RAW_COLUMNS])
    frame["created_date"] = pd.to_datetime(frame["created_date"])
    return frame


# ------------------------------------------------------------------ feature helpers


def test_lump_n_keeps_boundary_ties_and_puts_other_last():
    # Counts a 5, b 3, c 3, d 1. With n = 2, b and c tie for rank 2 (ties.method "min"),
    # so both stay and only d is lumped; forcats 1.0.0 gives levels a, b, c, Other.
    values = pd.Series([*"aaaaabbbcccd", None], name="x")
    two = lump_n(values, 2)
    assert list(two.cat.categories) == ["a", "b", "c", "Other"]
    assert two.iloc[11] == "Other" and pd.isna(two.iloc[12])
    one = lump_n(values, 1)
    assert list(one.cat.categories) == ["a", "Other"]
    assert (one == "Other").sum() == 7
    assert list(lump_n(values, 4).cat.categories) == ["a", "b", "c", "d"]
    assert two.name == "x"


def test_lump_n_merges_an_existing_other_level_and_keeps_categorical_order():
    values = pd.Series(pd.Categorical(list("zzzyyO"), categories=["z", "y", "O"]))
    lumped = lump_n(values, 1, other_level="O")
    assert list(lumped.cat.categories) == ["z", "O"]
    assert list(lumped) == ["z", "z", "z", "O", "O", "O"]
    with pytest.raises(ParameterError, match=r"n must be an integer >= 1; got 0"):
        lump_n(values, 0)


def test_r_wday_numbers_sunday_one():
    days = pd.Series(pd.to_datetime(["2023-01-01", "2023-01-02", "2023-01-07", "2023-07-04"]))
    assert list(r_wday(days)) == [1, 2, 7, 3]  # Sun, Mon, Sat, Tue


@pytest.fixture
def settings() -> nyc311.NYC311Settings:
    return nyc311.NYC311Settings(top_complaints=2, top_agencies=1, top_channels=5)


@pytest.fixture
def tiny_raw() -> pd.DataFrame:
    return _raw(
        [
            ("2023-01-01 08:15:00", "HEAT", "HPD", "PHONE", "BRONX", 10.0),
            ("2023-01-02 23:59:00", "HEAT", "HPD", "ONLINE", "MANHATTAN", 0.0),  # 0 h: out
            ("2023-01-03 00:05:00", "HEAT", "HPD", "PHONE", "BRONX", 719.0),
            ("2023-01-04 12:00:00", "Noise", "NYPD", "MOBILE", "BRONX", 1.0),
            ("2023-07-01 13:30:00", "Noise", "NYPD", "PHONE", "MANHATTAN", 720.0),  # out
            ("2023-07-02 14:00:00", "Rodent", "DOHMH", "PHONE", "BRONX", 2.5),
            ("2023-07-03 15:00:00", "Lead", "DOHMH", "PHONE", "MANHATTAN", 3.0),
            ("2023-07-04 16:00:00", "Noise", "NYPD", "PHONE", "BRONX", np.nan),  # out
            ("2023-07-05 17:00:00", "Noise", "NYPD", None, "BRONX", 4.0),  # NA channel: out
        ]
    )


def test_engineer_matches_hand_computation(tiny_raw, settings):
    df = nyc311.engineer(tiny_raw, settings)
    assert list(df.columns) == list(nyc311.FEATURES)
    np.testing.assert_allclose(df["log_hrs"], np.log1p([10.0, 719.0, 1.0, 2.5, 3.0]))
    assert list(df["hour_of_day"]) == [8, 0, 12, 14, 15]
    assert list(df["day_of_week"]) == [1, 3, 4, 1, 2]  # 2023-01-01 and 2023-07-02: Sundays
    assert list(df["month"]) == [1, 1, 1, 7, 7]
    # Lumping counts the raw rows, before the filter: Noise 4, HEAT 3, Rodent 1, Lead 1.
    assert list(df["complaint_type"].cat.categories) == ["HEAT", "Noise", "Other"]
    assert list(df["complaint_type"]) == ["HEAT", "HEAT", "Noise", "Other", "Other"]
    # Agencies: NYPD 4 is the single top level; HPD 3 and DOHMH 2 become Other.
    assert list(df["agency"].cat.categories) == ["NYPD", "Other"]


def test_design_drops_the_first_level_as_reference(tiny_raw, settings):
    df = nyc311.engineer(tiny_raw, settings)
    x, y = nyc311.design(df)
    # References: HEAT, BRONX, NYPD and MOBILE (first levels) get no column.
    assert list(x.columns) == [
        "complaint_typeNoise", "complaint_typeOther", "boroughMANHATTAN", "agencyOther",
        "channelONLINE", "channelPHONE", "hour_of_day", "day_of_week", "month",
    ]  # fmt: skip
    # ONLINE's only request was filtered out; the level stays (R's filter keeps levels),
    # so model.matrix gives it a column of zeros.
    assert x["channelONLINE"].sum() == 0
    assert list(x["boroughMANHATTAN"]) == [0, 0, 0, 0, 1]
    assert list(x["complaint_typeNoise"]) == [0, 0, 1, 0, 0]
    np.testing.assert_allclose(y, df["log_hrs"])


def test_range_scale_uses_training_maxima_or_all_rows(tiny_raw, settings):
    x, _ = nyc311.design(nyc311.engineer(tiny_raw, settings))
    train = np.array([0, 1, 2])  # January rows only: month max 1, hour max 12, weekday max 4
    scaled = pd.DataFrame(nyc311.range_scale(x, train, "train"), columns=x.columns)
    np.testing.assert_allclose(scaled["month"], [1, 1, 1, 7, 7])
    np.testing.assert_allclose(scaled["hour_of_day"], np.array([8, 0, 12, 14, 15]) / 12)
    np.testing.assert_allclose(scaled["day_of_week"], np.array([1, 3, 4, 1, 2]) / 4)
    every = pd.DataFrame(nyc311.range_scale(x, train, "all"), columns=x.columns)
    np.testing.assert_allclose(every["month"], np.array([1, 1, 1, 7, 7]) / 7)
    np.testing.assert_array_equal(every["boroughMANHATTAN"], x["boroughMANHATTAN"])


def test_simulated_data_give_the_notes_40_columns():
    settings = nyc311.NYC311Settings()
    df = nyc311.engineer(nyc311_data.simulate(20_000, 42), settings)
    x, _ = nyc311.design(df)
    assert x.shape[1] == 40
    assert df["complaint_type"].cat.categories[-1] == "Other"
    assert df["complaint_type"].cat.categories.size == 21


def test_parameter_counts_match_notes():
    model = nyc311.build_network(nyc311.NYC311Settings(), 40)
    assert parameter_counts(model) == {"total": 16385, "trainable": 16001, "non_trainable": 384}
    names = [layer.name for layer in model.layers[1:]]
    assert names == [
        "hidden_1", "bn_1", "dropout_1", "hidden_2", "bn_2", "dropout_2",
        "hidden_3", "dropout_3", "output",
    ]  # fmt: skip


def test_notes_lm_artefact_recycles_test_responses():
    # R compares training fit i with test row i mod n_test: |1-0|, |2-1|, |3-0|, |4-1|.
    assert nyc311.notes_lm_artefact(np.array([1.0, 2, 3, 4]), np.array([0.0, 1])) == 2.0
    # Lengths that do not divide: R still recycles (with a warning).
    assert nyc311.notes_lm_artefact(np.array([1.0, 2, 3]), np.array([0.0, 0])) == 2.0


# ----------------------------------------------------------------------- whole lab


@pytest.fixture(scope="module")
def tiny_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return nyc311.run(out_dir=out, **TINY), out


def test_table_shape_and_linear_regression_on_test_rows(tiny_result):
    assert list(tiny_result[0].table.columns) == ["Model", "MAE (log-hrs)"]
    assert list(tiny_result[0].table["Model"]) == [
        nyc311.LM, nyc311.LASSO, nyc311.NN, nyc311.GBT
    ]  # fmt: skip
    settings = nyc311.NYC311Settings(**{k: v for k, v in TINY.items() if k != "cache"})
    # The notes' lumping (all raw rows, errata N10), so that engineer() is the reference.
    result = nyc311.run(**TINY, lump_levels=nyc311.notes_lump_levels(settings))
    df = nyc311.engineer(nyc311_data.simulate(3000, 42), settings)
    x_df, y = nyc311.design(df)
    split = random_split(len(y), 0.2, seed=42)
    x = nyc311.range_scale(x_df, split.train, "train")
    design = np.column_stack([np.ones(len(y)), x])
    coef, *_ = np.linalg.lstsq(design[split.train], y[split.train], rcond=None)
    reference = np.mean(np.abs(design[split.test] @ coef - y[split.test]))
    got = result.table.set_index("Model").loc[nyc311.LM, "MAE (log-hrs)"]
    assert got == pytest.approx(reference, rel=1e-8)
    artefact = nyc311.notes_lm_artefact(design[split.train] @ coef, y[split.test])
    assert result.extras["lm_notes_artefact"] == pytest.approx(artefact, rel=1e-8)
    assert result.extras["lm_notes_artefact"] > 2 * got  # unrelated rows compared
    assert result.extras["n_test"] == len(split.test) == int(0.2 * len(y))


def test_the_default_lumps_on_the_training_rows(tiny_result):
    from nnlabs.design.features import lump_n

    result, _ = tiny_result
    settings = result.settings
    usable = nyc311.usable_requests(nyc311_data.simulate(3000, 42), settings)
    train = usable.iloc[random_split(len(usable), 0.2, seed=42).train].reset_index(drop=True)
    kept = result.models[nyc311.LM]["design"]["features"].lump_.categories_
    for column, top in [
        ("complaint_type", settings.top_complaints),
        ("agency", settings.top_agencies),
    ]:
        assert kept[column] == list(lump_n(train[column], top).cat.categories)


def test_nested_r2_is_reported_and_printed(tiny_result):
    result, _ = tiny_result
    nested = result.extras["nested_r2"]
    assert list(nested["Predictors"]) == [label for label, _ in nyc311.NESTED]
    train_r2 = nested["R2 (training rows)"].to_numpy()
    assert np.all(np.diff(train_r2) >= 0)  # nested models: in-sample R² cannot fall
    assert 0.3 < train_r2[0] < 0.9 and np.all(nested["R2 (test rows)"] < 1)
    text = str(result)
    assert "Table 11.33" in text and "Nested linear models" in text and "+ agency + month" in text


def test_files_and_keras_round_trip(tiny_result):
    import keras

    result, out = tiny_result
    assert sorted(p.name for p in out.iterdir()) == [
        "nyc311_model", "nyc311_model_card.md", "nyc311_results.json",
    ]  # fmt: skip
    saved = json.loads((out / "nyc311_results.json").read_text())
    assert saved["extras"]["nested_r2"][0]["Predictors"] == "complaint_type only"
    assert saved["settings"]["epochs"] == 2
    reloaded = keras.models.load_model(out / "nyc311_model" / "neural-network-3-layer.keras")
    x = np.random.default_rng(0).random((7, 40)).astype(np.float32)
    original = result.models[nyc311.NN]["model"].model_
    np.testing.assert_array_equal(original.predict(x, verbose=0), reloaded.predict(x, verbose=0))
    assert list(result.history["epoch"]) == [1, 2]
    assert result.models[nyc311.NN]["model"].validation_fraction == pytest.approx(0.15)


def test_a_real_file_runs_through_the_same_code(tmp_path):
    path = tmp_path / "nyc311_MANHATTAN_BRONX_2023-01.parquet"
    nyc311_data.simulate(1500, 7).to_parquet(path, index=False)
    result = nyc311.run(data=path, epochs=1, rows=600, cache=False)
    assert result.extras["n_raw"] == 1500 and result.extras["n_usable"] == 600
    assert result.extras["n_test"] == 120
    assert str(path) in result.extras["source"]


def test_repeats_and_cache(tmp_path):
    first = nyc311.run(simulated_rows=1500, epochs=1, repeats=2, cache=tmp_path)
    assert sorted(first.repeat_scores["repeat"].unique()) == [1, 2]
    row = first.uncertainty.set_index("Model").loc[f"{nyc311.NN} - {nyc311.LASSO}"]
    assert row["low"] < row["mean"] < row["high"]
    again = nyc311.run(simulated_rows=1500, epochs=1, repeats=2, cache=tmp_path)
    assert again.models[nyc311.NN]["model"].cache_hit_ is True
    pd.testing.assert_frame_equal(first.table, again.table)


# --------------------------------------------------------------------------- errors


def test_a_month_emptied_by_the_filter_is_an_error(tiny_raw, settings):
    july = tiny_raw["created_date"].dt.month == 7
    bad = tiny_raw.assign(response_hours=tiny_raw["response_hours"].where(~july, 0.0))
    with pytest.raises(DataError, match=r"month 2023-07 has no rows left after filtering"):
        nyc311.engineer(bad, settings)
    with pytest.raises(DataError, match=r"no rows left after filtering .*9 raw rows"):
        nyc311.engineer(tiny_raw.assign(response_hours=-1.0), settings)


@pytest.mark.parametrize(
    ("overrides", "error", "message"),
    [
        ({"rows": 0}, ParameterError, r"rows must be an integer >= 1; got 0"),
        ({"rows": -5}, ParameterError, r"rows must be an integer >= 1; got -5"),
        ({"simulated_rows": 0}, ParameterError, r"simulated_rows must be an integer >= 1"),
        ({"scaling": "x"}, ParameterError, r"scaling must be one of 'train', 'all'; got 'x'"),
        (
            {"dropout": (0.3, 0.2)},
            ParameterError,
            r"dropout must have one value per hidden layer \(units has 3\); got 2",
        ),
        ({"top_agencies": 0}, ParameterError, r"top_agencies must be an integer >= 1; got 0"),
    ],
)
def test_bad_settings(overrides, error, message):
    with pytest.raises(error, match=message):
        nyc311.run(cache=False, **overrides)


def test_bad_data(tiny_raw):
    with pytest.raises(DataError, match=r"missing required column\(s\) 'response_hours'"):
        nyc311.run(data=tiny_raw.drop(columns="response_hours"), cache=False)
    text = tiny_raw.assign(response_hours=tiny_raw["response_hours"].astype(str))
    with pytest.raises(DataError, match=r"'response_hours' must be numeric; got dtype"):
        nyc311.run(data=text, cache=False)
    dates = tiny_raw.assign(created_date=["2023-01-01"] * 8 + ["yesterday"])
    with pytest.raises(DataError, match=r"could not parse 'yesterday'"):
        nyc311.run(data=dates, cache=False)
    with pytest.raises(DataError, match=r"at least 20 usable rows are needed; got 5"):
        nyc311.run(data=tiny_raw, cache=False)
    with pytest.raises(DataError, match=r"data must be a DataFrame, a file path"):
        nyc311.run(data=42, cache=False)


def test_registered_for_the_cli(capsys):
    from nnlabs import labs

    assert labs.get("nyc311") is nyc311.SPEC
    assert main(["run", "nyc311", "--rows", "0", "--no-cache"]) == 2
    assert "rows must be an integer >= 1; got 0" in capsys.readouterr().err
    assert main(["run", "nyc311", "--color", "green"]) == 2
    assert "unrecognized arguments: --color green" in capsys.readouterr().err
