"""The taxi lab on several months: settings, the split by time, streaming past a budget."""

from __future__ import annotations

import numpy as np
import pytest

from _fixtures_labs import ANALYSES
from _fixtures_labs import synthetic_trips as _trips
from _fixtures_labs import synthetic_zones as _zones
from _fixtures_months import write_month
from nnlabs import DataError, ParameterError
from nnlabs.cli import main
from nnlabs.labs import taxi
from nnlabs.labs.runner import fit_design

TINY = {"epochs": 1, "cache": False, "explain": False, "disaggregate": False, **ANALYSES}
PASSENGERS = taxi.PREDICTORS.index("passenger_count")


@pytest.fixture(scope="module")
def months_dir(tmp_path_factory):
    """Three months of 600 trips, whose passenger counts are 1, 2, 3 by month."""
    folder = tmp_path_factory.mktemp("months")
    for k, month in enumerate(("2023-01", "2023-02", "2023-03")):
        write_month(folder, month, 600, seed=k, tag=k + 1)
    _zones().to_csv(folder / "taxi_zone_lookup.csv", index=False)
    return folder


# ------------------------------------------------------------------------ settings


@pytest.mark.parametrize(
    ("months", "message"),
    [
        (
            ["2023-01", "2023-1"],
            r"months must be a 'YYYY-MM' string such as '2023-01'; got '2023-1'",
        ),
        (["2023-13"], r"months must be a 'YYYY-MM' string .*; got '2023-13'"),
        ([202301], r"months must be a 'YYYY-MM' string .*; got 202301"),
        (
            ["2023-01", "2023-02", "2023-01"],
            r"months must hold each value once; got \('2023-01', '2023-02', '2023-01'\) "
            r"\('2023-01' more than once\)",
        ),
        ([], r"months must hold at least 1 value\(s\); got 0"),
    ],
)
def test_bad_months_are_rejected(months, message):
    with pytest.raises(ParameterError, match=message):
        taxi.TaxiSettings(months=months)


def test_months_are_a_setting_of_every_front_end():
    settings = taxi.TaxiSettings(months=["2023-03", "2023-01"])
    assert settings.months == ("2023-03", "2023-01")
    assert settings.month_list() == ("2023-01", "2023-03")
    assert taxi.TaxiSettings().month_list() == ("2023-01",)
    from nnlabs import labs

    field = next(f for f in labs.describe("taxi")["settings"] if f["name"] == "months")
    assert field["kind"] == "str[]?" and field["default"] is None
    assert "'YYYY-MM' month" in field["rule"] and "none twice" in field["rule"]


def test_months_need_the_files_not_a_frame():
    with pytest.raises(ParameterError, match=r"months reads the TLC files .* needs data=None"):
        taxi.run(data=_trips(100), zones=_zones(), months=["2023-01", "2023-02"], **TINY)


def test_a_missing_month_names_its_file(months_dir):
    with pytest.raises(DataError, match=r"'yellow_tripdata_2023-04.parquet' not found"):
        taxi.run(data_dir=months_dir, download=False, months=["2023-03", "2023-04"], **TINY)


# ---------------------------------------------------------------------- time split


def test_the_time_split_never_trains_on_a_later_trip(months_dir):
    # Given out of order: the split is by time, not by the order of the list.
    settings = taxi.TaxiSettings(months=["2023-03", "2023-01", "2023-02"], rows=500)
    data = taxi.load(settings, data_dir=months_dir, download=False)
    split = taxi.time_split(data, settings)
    month_of = data.rows["passenger_count"].to_numpy()  # the files' tags: 1, 2, 3 by month
    assert set(month_of[split.train]) == {1, 2} and set(month_of[split.test]) == {3}
    assert month_of[split.train].max() < month_of[split.test].min()
    assert len(split.train) == 1000 and len(split.test) == 500
    assert np.intersect1d(split.train, split.test).size == 0
    # The training rows are shuffled: the validation rows are not only February's.
    assert set(month_of[split.train][-100:]) == {1, 2}
    assert data.extras["months"] == ["2023-01", "2023-02", "2023-03"]


def test_one_month_keeps_the_random_split(months_dir):
    settings = taxi.TaxiSettings(months=["2023-02"], rows=500)
    data = taxi.load(settings, data_dir=months_dir, download=False)
    assert "month" not in data.context and taxi.time_split(data, settings) is None


def test_the_lab_trains_on_earlier_months_and_tests_on_the_last(months_dir):
    result = taxi.run(
        data_dir=months_dir, download=False, months=["2023-01", "2023-02", "2023-03"], **TINY
    )
    e = result.extras
    assert (e["n_train"], e["n_test"]) == (1200, 600)
    assert "Split by time: trained on 2023-01, 2023-02, tested on 2023-03" in result.footer
    with pytest.raises(ParameterError, match=r"repeats must be 1 when the lab splits"):
        taxi.run(
            data_dir=months_dir, download=False, months=["2023-01", "2023-02"], repeats=2, **TINY
        )


def test_cli_takes_months(months_dir, capsys):
    argv = ["run", "taxi", "--months", "2023-02,2023-03", "--epochs", "1", "--no-cache"]
    flags = ["--explain", "false", "--disaggregate", "false", "--data-dir", str(months_dir)]
    assert main([*argv, *flags]) == 0
    out = capsys.readouterr().out
    assert "1,200 trips (600 train / 600 test)" in out
    assert "tested on 2023-03" in out
    assert main(["run", "taxi", "--months", "2023-02,2023-02"]) == 2
    assert "months must hold each value once" in capsys.readouterr().err


# ----------------------------------------------------------------- past the budget


def test_past_the_memory_budget_the_networks_train_from_a_stream(months_dir):
    months = ["2023-01", "2023-02", "2023-03"]
    settings = taxi.TaxiSettings(months=months, memory_budget_mb=0.2, batch_size=64)
    data = taxi.load(settings, data_dir=months_dir, download=False)
    stream = data.context["stream"]
    # Half of 0.2 MiB at 1 KiB a trip: 102 training trips in memory; the last 10 of
    # them (ceil(0.9 * 102) = 92 train, as Keras' validation_split) are left out of the stream.
    split = taxi.time_split(data, settings)
    assert len(split.train) == 102 and len(split.test) == 600
    assert stream.n_rows_ == 1200 - 10 == data.extras["streamed_trips"]
    assert [p.name for p in stream.paths] == [f"yellow_tripdata_{m}.parquet" for m in months[:2]]
    raw = np.concatenate([x for x, _ in stream.epoch(np.random.default_rng(0))])
    passengers = raw[:, PASSENGERS] * stream.scale_[PASSENGERS] + stream.mean_[PASSENGERS]
    assert set(np.round(passengers)) == {1.0, 2.0}  # never a trip of the test month
    assert set(data.rows["passenger_count"].iloc[split.test]) == {3}
    design = fit_design(taxi.SPEC, data, split, settings)[2]
    assert set(design.streams) == {"x", "xe"}
    assert design.streams["xe"].n_features_ == design.train["xe"].shape[1]


@pytest.mark.slow
def test_the_lab_streams_past_its_memory_budget(months_dir):
    result = taxi.run(
        data_dir=months_dir,
        download=False,
        months=["2023-01", "2023-02", "2023-03"],
        memory_budget_mb=0.2,
        batch_size=64,
        **TINY,
    )
    assert (result.extras["n_train"], result.extras["n_test"]) == (102, 600)
    assert result.extras["streamed_trips"] == 1190
    assert any("stream of 1,190 trips" in line for line in result.footer)
    assert len(result.history) == 1 and "val_loss" in result.history.columns


def test_streaming_needs_training_rows_scaling(months_dir):
    with pytest.raises(ParameterError, match=r"scaling must be 'train' when the training trips"):
        taxi.load(
            taxi.TaxiSettings(months=["2023-01", "2023-02"], memory_budget_mb=0.2, scaling="all"),
            data_dir=months_dir,
            download=False,
        )
    with pytest.raises(ParameterError, match=r"memory_budget_mb must be a number in \(0, inf"):
        taxi.TaxiSettings(memory_budget_mb=0)
