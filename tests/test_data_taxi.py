"""nnlabs.data.taxi: filters, derived columns, schema errors, file lookup, real files."""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _fixtures_data import trip_table, write_trips, zone_csv
from nnlabs.data import taxi
from nnlabs.data.taxi import TAXI_COLUMNS, TripFilter, read_trips
from nnlabs.errors import DataError, ParameterError

EXPECTED_DTYPES = {
    "fare_amount": "float32",
    "trip_distance": "float32",
    "passenger_count": "int16",
    "PULocationID": "int16",
    "DOLocationID": "int16",
    "hour_of_day": "int16",
    "day_of_week": "int16",
    "duration_min": "float32",
}

# Each row sits just inside (kept) or on/over (dropped) one of the notes' bounds.
BOUNDARY_ROWS = [
    ({}, True),
    ({"minutes": 1.0}, False),
    ({"minutes": 1.5}, True),
    ({"minutes": 120.0}, False),
    ({"minutes": 119.5}, True),
    ({"trip_distance": 0.1}, False),
    ({"trip_distance": 50.0}, False),
    ({"trip_distance": 49.9}, True),
    ({"passenger_count": 0.0}, False),
    ({"passenger_count": None}, False),
    ({"passenger_count": 6.0}, True),
    ({"fare_amount": 2.5}, False),
    ({"fare_amount": 200.0}, False),
    ({"fare_amount": 199.0}, True),
    ({"PULocationID": 264}, False),
    ({"DOLocationID": 265}, False),
    ({"PULocationID": 263, "DOLocationID": 1}, True),
    ({"minutes": -5.0}, False),
]


@pytest.fixture
def yellow(tmp_path: Path) -> Path:
    return write_trips(tmp_path / "yellow_tripdata_2023-01.parquet", [r for r, _ in BOUNDARY_ROWS])


@pytest.fixture
def green(tmp_path: Path) -> Path:
    rows = [r for r, _ in BOUNDARY_ROWS]
    return write_trips(tmp_path / "green_tripdata_2023-01.parquet", rows, "green", "us")


# --------------------------------------------------------------------- TripFilter


def test_trip_filter_defaults_are_the_notes_filters() -> None:
    assert TripFilter().describe() == (
        "1 < duration_min < 120, 0.1 < trip_distance < 50, passenger_count >= 1, "
        "2.5 < fare_amount < 200, PULocationID <= 263, DOLocationID <= 263"
    )


def test_trip_filter_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        TripFilter().max_fare_amount = 500.0  # type: ignore[misc]


def test_trip_filter_rejects_crossed_bounds() -> None:
    with pytest.raises(
        ParameterError,
        match=r"TripFilter.min_fare_amount must be smaller than TripFilter.max_fare_amount; "
        r"got 10 >= 5",
    ):
        TripFilter(min_fare_amount=10, max_fare_amount=5)


@pytest.mark.parametrize("bad", ["1", float("nan"), True])
def test_trip_filter_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(ParameterError, match=r"TripFilter.max_duration_min must be a finite"):
        TripFilter(max_duration_min=bad)  # type: ignore[arg-type]


def test_trip_filter_describe_without_bounds() -> None:
    off = {f.name: None for f in dataclasses.fields(TripFilter)}
    assert TripFilter(**off).describe() == "no filter"
    assert TripFilter(**{**off, "min_trip_distance": 1}).describe() == "trip_distance > 1"


# --------------------------------------------------------------------- read_trips


@pytest.mark.parametrize("which", ["yellow", "green"])
def test_read_trips_applies_each_bound(which: str, request: pytest.FixtureRequest) -> None:
    path = request.getfixturevalue(which)
    frame = read_trips(path)
    kept = [r for r, keep in BOUNDARY_ROWS if keep]
    assert len(frame) == len(kept)
    assert tuple(frame.columns) == TAXI_COLUMNS
    assert {c: str(t) for c, t in frame.dtypes.items()} == EXPECTED_DTYPES
    assert not frame.isna().any().any()
    assert frame["duration_min"].min() > 1 and frame["duration_min"].max() < 120


def test_yellow_and_green_give_the_same_frame(yellow: Path, green: Path) -> None:
    pd.testing.assert_frame_equal(read_trips(yellow), read_trips(green))


def test_derived_columns_follow_lubridate_wday(tmp_path: Path) -> None:
    rows = [
        {"pickup": datetime(2023, 1, 1, 0, 5)},  # Sunday
        {"pickup": datetime(2023, 1, 2, 13, 59)},  # Monday
        {"pickup": datetime(2023, 1, 7, 23, 30), "minutes": 45.5},  # Saturday
    ]
    frame = read_trips(write_trips(tmp_path / "yellow_tripdata_2023-01.parquet", rows))
    assert frame["day_of_week"].tolist() == [1, 2, 7]
    assert frame["hour_of_day"].tolist() == [0, 13, 23]
    np.testing.assert_allclose(frame["duration_min"], [10.0, 10.0, 45.5])


def test_read_trips_custom_filter_keeps_more_but_never_nulls(yellow: Path) -> None:
    loose = TripFilter(min_passenger_count=None, max_location_id=None)
    frame = read_trips(yellow, trip_filter=loose)
    assert len(frame) == len(read_trips(yellow)) + 3  # passenger 0, PU 264, DO 265
    assert not frame.isna().any().any()  # the null passenger_count row stays out


def test_read_trips_sample(yellow: Path) -> None:
    a = read_trips(yellow, n=3, seed=1)
    b = read_trips(yellow, n=3, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert len(a) == 3
    with pytest.warns(UserWarning, match=r"n=100 is more than the 7 trips left after filtering"):
        assert len(read_trips(yellow, n=100)) == 7


@pytest.mark.parametrize("n", [0, -3, 2.5])
def test_read_trips_rejects_bad_sample_size(yellow: Path, n: object) -> None:
    with pytest.raises(ParameterError, match=r"n must be an integer >= 1; got"):
        read_trips(yellow, n=n)  # type: ignore[arg-type]


def test_read_trips_no_rows_left_names_file_and_filter(tmp_path: Path) -> None:
    path = write_trips(
        tmp_path / "yellow_tripdata_2023-02.parquet",
        [{"fare_amount": 0.0}, {"minutes": 0.5}, {"trip_distance": 0.0}],
    )
    with pytest.raises(
        DataError,
        match=r"yellow_tripdata_2023-02\.parquet: no rows left after filtering "
        r"\(1 < duration_min < 120, .*DOLocationID <= 263\); the file has 3 rows",
    ):
        read_trips(path)


def test_missing_column_names_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "yellow_tripdata_2023-01.parquet"
    pq.write_table(trip_table([{}]).drop_columns(["fare_amount"]), path)
    with pytest.raises(
        DataError,
        match=r"yellow_tripdata_2023-01\.parquet: missing required column 'fare_amount'",
    ):
        read_trips(path)


def test_green_missing_datetime_names_lpep_column(tmp_path: Path) -> None:
    path = tmp_path / "green_tripdata_2023-01.parquet"
    pq.write_table(trip_table([{}], "green").drop_columns(["lpep_dropoff_datetime"]), path)
    with pytest.raises(DataError, match=r"missing required column 'lpep_dropoff_datetime'"):
        read_trips(path)


def test_wrong_colour_is_a_missing_column(yellow: Path) -> None:
    with pytest.raises(DataError, match=r"missing required column 'lpep_pickup_datetime'"):
        read_trips(yellow, color="green")


def test_unknown_colour_is_rejected(yellow: Path) -> None:
    with pytest.raises(ParameterError, match=r"color must be one of 'yellow', 'green'; got 'fhv'"):
        read_trips(yellow, color="fhv")


def test_undetectable_colour(tmp_path: Path) -> None:
    table = trip_table([{}]).rename_columns(
        [c.replace("tpep_", "") for c in trip_table([{}]).column_names]
    )
    path = tmp_path / "trips.parquet"
    pq.write_table(table, path)
    with pytest.raises(DataError, match=r"trips\.parquet: .*cannot tell the taxi colour"):
        read_trips(path)


def test_wrong_column_type(tmp_path: Path) -> None:
    table = trip_table([{}])
    idx = table.column_names.index("fare_amount")
    table = table.set_column(idx, "fare_amount", pa.array(["12.5"]))
    path = tmp_path / "yellow_tripdata_2023-01.parquet"
    pq.write_table(table, path)
    with pytest.raises(
        DataError, match=r"column 'fare_amount' must be numeric \(integer or floating point\)"
    ):
        read_trips(path)


def test_lower_cased_copy_is_adapted(tmp_path: Path) -> None:
    table = trip_table([{}])
    table = table.rename_columns([c.lower() for c in table.column_names])
    path = tmp_path / "yellow_tripdata_2023-01.parquet"
    pq.write_table(table, path)
    assert len(read_trips(path)) == 1


def test_corrupt_parquet(tmp_path: Path, yellow: Path) -> None:
    path = tmp_path / "bad" / "yellow_tripdata_2023-01.parquet"
    path.parent.mkdir()
    path.write_bytes(yellow.read_bytes()[: yellow.stat().st_size // 2])
    with pytest.raises(
        DataError, match=r"yellow_tripdata_2023-01\.parquet: not a readable parquet"
    ):
        read_trips(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.parquet: no such file"):
        read_trips(tmp_path / "nope.parquet")


# --------------------------------------------------------------------- lookup


def test_names_and_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NNLABS_TLC_BASE_URL", raising=False)
    assert taxi.trip_url("green", "2023-07") == (
        "https://d37ci6vzurychx.cloudfront.net/trip-data/green_tripdata_2023-07.parquet"
    )
    assert taxi.zone_lookup_url() == (
        "https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv"
    )
    monkeypatch.setenv("NNLABS_TLC_BASE_URL", "http://mirror.example/")
    assert taxi.trip_url() == "http://mirror.example/trip-data/yellow_tripdata_2023-01.parquet"
    assert (
        taxi.trip_url(base_url="http://x") == "http://x/trip-data/yellow_tripdata_2023-01.parquet"
    )


@pytest.mark.parametrize("month", ["2023-1", "2023-13", "23-01", 202301])
def test_bad_month(month: object) -> None:
    with pytest.raises(ParameterError, match=r"month must be a 'YYYY-MM' string"):
        taxi.trip_filename("yellow", month)  # type: ignore[arg-type]


@pytest.mark.parametrize("sub", ["", "nyc_taxi"])
def test_find_trips_in_data_dir_and_subfolder(tmp_path: Path, sub: str) -> None:
    path = write_trips(tmp_path / sub / "yellow_tripdata_2023-01.parquet", [{}])
    assert taxi.find_trips(data_dir=tmp_path, download=False) == path


def test_find_trips_from_env_then_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cached = write_trips(tmp_path / "cache" / "nyc_taxi" / "green_tripdata_2023-01.parquet", [{}])
    monkeypatch.setenv("NNLABS_DATA_DIR", str(tmp_path / "empty"))
    assert taxi.find_trips("green", cache_dir=tmp_path / "cache", download=False) == cached
    mine = write_trips(tmp_path / "empty" / "nyc_taxi" / "green_tripdata_2023-01.parquet", [{}])
    assert taxi.find_trips("green", cache_dir=tmp_path / "cache", download=False) == mine


def test_find_trips_falls_back_to_a_sample_with_warning(tmp_path: Path) -> None:
    sample = write_trips(tmp_path / "nyc_taxi" / "yellow_tripdata_2023-01_head100k.parquet", [{}])
    with pytest.warns(UserWarning, match=r"not the official full-month file"):
        assert taxi.find_trips(data_dir=tmp_path, download=False) == sample


def test_find_trips_offline_says_where_to_put_the_file(tmp_path: Path) -> None:
    with pytest.raises(
        DataError,
        match=r"data file 'yellow_tripdata_2023-03\.parquet' not found \(looked in: .*\); "
        r"downloads are off \(download=False\)\. Download it from https://.*"
        r"yellow_tripdata_2023-03\.parquet and put it in .*nyc_taxi",
    ):
        taxi.find_trips(
            "yellow", "2023-03", data_dir=tmp_path, cache_dir=tmp_path / "c", download=False
        )


def test_load_trips_reads_what_find_trips_finds(tmp_path: Path) -> None:
    write_trips(tmp_path / "green_tripdata_2023-01.parquet", [{}, {"fare_amount": 1.0}], "green")
    frame = taxi.load_trips("green", data_dir=tmp_path, download=False)
    assert len(frame) == 1


# --------------------------------------------------------------------- zone lookup


def test_zone_lookup_keeps_na_text(tmp_path: Path) -> None:
    path = tmp_path / "taxi_zone_lookup.csv"
    path.write_text(zone_csv(), newline="")
    zones = taxi.load_zone_lookup(path)
    assert list(zones.columns) == ["LocationID", "Borough", "Zone", "service_zone"]
    assert str(zones["LocationID"].dtype) == "int16"
    assert len(zones) == 265 and not zones.isna().any().any()
    last = zones.iloc[-1]
    assert (last["LocationID"], last["Borough"], last["Zone"]) == (265, "N/A", "Outside of NYC")
    assert zones.iloc[-2]["Zone"] == "N/A"


def test_zone_lookup_found_in_data_dir(tmp_path: Path) -> None:
    (tmp_path / "nyc_taxi").mkdir()
    (tmp_path / "nyc_taxi" / "taxi_zone_lookup.csv").write_text(zone_csv(), newline="")
    assert len(taxi.load_zone_lookup(data_dir=tmp_path, download=False)) == 265


def test_zone_lookup_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "taxi_zone_lookup.csv"
    path.write_text("LocationID,Borough,Zone\n1,EWR,Newark Airport\n")
    with pytest.raises(
        DataError, match=r"taxi_zone_lookup\.csv: missing required column 'service_zone'"
    ):
        taxi.load_zone_lookup(path)


def test_zone_lookup_non_integer_id(tmp_path: Path) -> None:
    path = tmp_path / "taxi_zone_lookup.csv"
    path.write_text("LocationID,Borough,Zone,service_zone\nx,EWR,Newark Airport,EWR\n")
    with pytest.raises(DataError, match=r"column 'LocationID' must hold integers; got 'x'"):
        taxi.load_zone_lookup(path)


# --------------------------------------------------------------------- real files


@pytest.mark.realdata
def test_real_yellow_sample_and_green_month_load_alike(data_dir: Path) -> None:
    folder = data_dir / "nyc_taxi"
    yellow = folder / "yellow_tripdata_2023-01_head100k.parquet"
    green = folder / "green_tripdata_2023-01.parquet"
    if not (yellow.is_file() and green.is_file()):
        pytest.skip(f"the TLC sample files are not in {folder}")
    frames = {}
    for path, raw in [(yellow, 100_000), (green, 68_211)]:
        start = time.perf_counter()
        frames[path.name] = frame = read_trips(path)
        seconds = time.perf_counter() - start
        assert seconds < 10, f"{path.name} took {seconds:.1f} s"
        # Roughly 9 in 10 trips pass the notes' filters.
        assert 0.8 * raw < len(frame) < 0.97 * raw
        assert {c: str(t) for c, t in frame.dtypes.items()} == EXPECTED_DTYPES
        assert frame["PULocationID"].between(1, 263).all()
        assert frame["day_of_week"].between(1, 7).all()
        assert 8 < frame["fare_amount"].median() < 20
    # The yellow sample covers Sun 1 and Mon 2 January (plus a few stray dates).
    yellow_days = frames[yellow.name]["day_of_week"].value_counts(normalize=True)
    assert yellow_days[1] + yellow_days[2] > 0.99


@pytest.mark.realdata
def test_real_zone_lookup(data_dir: Path) -> None:
    path = data_dir / "nyc_taxi" / "taxi_zone_lookup.csv"
    if not path.is_file():
        pytest.skip(f"{path} is not there")
    zones = taxi.load_zone_lookup(path)
    assert len(zones) == 265
    assert zones["Borough"].value_counts()["N/A"] == 1
    assert zones["LocationID"].tolist() == list(range(1, 266))
