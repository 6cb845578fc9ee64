"""nnlabs.data.nyc311: the simulator's structure, SoQL download, loading with schema checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from _fixtures_data import closed_port_url, files_under, no_proxy, nyc311_rows, serve
from nnlabs.data import nyc311
from nnlabs.data.nyc311 import NYC311_COLUMNS, load_311, simulate
from nnlabs.errors import DataError, DownloadError, ParameterError

API_PATH = "/resource/erm2-nwe9.json"


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    no_proxy(monkeypatch)
    monkeypatch.delenv("NNLABS_311_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return simulate(20_000, seed=3)


def _assert_311_dtypes(frame: pd.DataFrame) -> None:
    assert tuple(frame.columns) == NYC311_COLUMNS
    for col in ("created_date", "closed_date"):
        assert str(frame[col].dtype) == "datetime64[ns]"
    for col in ("complaint_type", "agency", "open_data_channel_type", "borough"):
        assert pd.api.types.is_string_dtype(frame[col]), col
        assert not isinstance(frame[col].dtype, pd.CategoricalDtype)
    assert str(frame["response_hours"].dtype) == "float64"


# --------------------------------------------------------------------- simulate


def test_simulate_schema_and_consistency(sim: pd.DataFrame) -> None:
    _assert_311_dtypes(sim)
    assert len(sim) == 20_000
    assert not sim.isna().any().any()
    hours = (sim["closed_date"] - sim["created_date"]).dt.total_seconds() / 3600
    np.testing.assert_allclose(sim["response_hours"], hours)
    assert sim["created_date"].is_monotonic_increasing
    assert set(sim["created_date"].dt.month) == {1, 7}
    assert set(sim["borough"]) == {"MANHATTAN", "BRONX"}
    assert set(sim["open_data_channel_type"]) <= {"PHONE", "ONLINE", "MOBILE", "UNKNOWN", "OTHER"}
    assert {"NYPD", "HPD", "DSNY", "DOT", "DEP", "DOB", "DPR", "DOHMH"} <= set(sim["agency"])


def test_simulate_is_seeded() -> None:
    pd.testing.assert_frame_equal(simulate(500, seed=7), simulate(500, seed=7))
    assert not simulate(500, seed=7).equals(simulate(500, seed=8))


@pytest.mark.parametrize("n", [0, -1, 2.5, True])
def test_simulate_rejects_bad_n(n: object) -> None:
    with pytest.raises(ParameterError, match=r"n must be an integer >= 1; got"):
        simulate(n)  # type: ignore[arg-type]


def test_simulate_rejects_bad_seed_borough_month() -> None:
    with pytest.raises(ParameterError, match=r"seed must be an integer >= 0; got -1"):
        simulate(10, seed=-1)
    with pytest.raises(ParameterError, match=r"borough must be one of .*; got 'MARS'"):
        simulate(10, boroughs=["mars"])
    with pytest.raises(ParameterError, match=r"month must be a 'YYYY-MM' string .*got '2023-7'"):
        simulate(10, months=["2023-7"])
    with pytest.raises(ParameterError, match=r"months must be a non-empty sequence"):
        simulate(10, months="2023-01")


def test_simulate_seasonal_mix(sim: pd.DataFrame) -> None:
    month = sim["created_date"].dt.month
    jan = sim.loc[month == 1, "complaint_type"].value_counts(normalize=True)
    jul = sim.loc[month == 7, "complaint_type"].value_counts(normalize=True)
    assert jan.index[0] == "HEAT/HOT WATER" and jan.iloc[0] > 0.25
    assert jul.index[0].startswith("Noise")
    assert {"Noise - Residential", "Noise - Street/Sidewalk", "Illegal Fireworks"} <= set(
        jul.index[:3]
    )
    assert jul.get("HEAT/HOT WATER", 0) < 0.05


def _r2(frame: pd.DataFrame, cols: list[str]) -> float:
    parts = [np.ones((len(frame), 1))]
    parts += [pd.get_dummies(frame[c], drop_first=True, dtype=float).to_numpy() for c in cols]
    x = np.hstack(parts)
    y = frame["log_hrs"].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    return 1 - np.var(y - x @ beta) / np.var(y)


def _lump(s: pd.Series, k: int) -> pd.Series:
    return s.where(s.isin(s.value_counts().index[:k]), "Other")


def test_simulate_variance_structure_matches_the_notes(sim: pd.DataFrame) -> None:
    # The notes' pipeline: lump to 20 types / 15 agencies, keep 0 < hours < 720,
    # then nested regressions of log1p(hours): type 0.642, + agency 0.745, + month 0.747.
    d = sim.assign(
        log_hrs=np.log1p(sim["response_hours"].clip(lower=0)),
        complaint_type=_lump(sim["complaint_type"], 20),
        agency=_lump(sim["agency"], 15),
        month=sim["created_date"].dt.month,
    )
    keep = (sim["response_hours"] > 0) & (sim["response_hours"] < 24 * 30)
    assert 0.87 < keep.mean() < 0.94  # notes: 86,180 of 95,006 = 0.907
    d = d[keep]
    r_type = _r2(d, ["complaint_type"])
    r_agency = _r2(d, ["complaint_type", "agency"])
    r_month = _r2(d, ["complaint_type", "agency", "month"])
    assert 0.60 < r_type < 0.69
    assert 0.06 < r_agency - r_type < 0.14
    assert r_month - r_agency < 0.01


def test_simulated_frame_round_trips_through_read_311(tmp_path: Path) -> None:
    frame = simulate(300, seed=1)
    path = tmp_path / "nyc311_MANHATTAN_BRONX_2023-01.parquet"
    frame.to_parquet(path, index=False)
    pd.testing.assert_frame_equal(nyc311.read_311(path), frame)


# --------------------------------------------------------------------- names, lookup


def test_filename_and_borough_names() -> None:
    assert nyc311.nyc311_filename() == "nyc311_MANHATTAN_BRONX_2023-01.parquet"
    assert (
        nyc311.nyc311_filename(["staten island", "Queens"], "2023-07")
        == "nyc311_STATEN_ISLAND_QUEENS_2023-07.parquet"
    )
    with pytest.raises(ParameterError, match=r"boroughs must be a non-empty sequence"):
        nyc311.nyc311_filename("BRONX")


def test_load_311_finds_both_months(tmp_path: Path) -> None:
    (tmp_path / "nyc311").mkdir()
    simulate(50, seed=1, months=["2023-01"]).to_parquet(
        tmp_path / "nyc311" / "nyc311_MANHATTAN_BRONX_2023-01.parquet"
    )
    simulate(70, seed=2, months=["2023-07"]).to_parquet(
        tmp_path / "nyc311_MANHATTAN_BRONX_2023-07.parquet"
    )
    frame = load_311(data_dir=tmp_path, download=False)
    assert len(frame) == 120
    assert frame["created_date"].dt.month.tolist() == [1] * 50 + [7] * 70
    _assert_311_dtypes(frame)


def test_load_311_offline_says_where_to_put_the_file(tmp_path: Path) -> None:
    with pytest.raises(
        DataError,
        match=r"data file 'nyc311_MANHATTAN_BRONX_2023-01\.parquet' not found .*downloads are "
        r"off.*erm2-nwe9\.json and put it in .*nyc311",
    ):
        load_311(data_dir=tmp_path, cache_dir=tmp_path / "cache", download=False)


# --------------------------------------------------------------------- read_311 errors


def test_read_311_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "nyc311_MANHATTAN_BRONX_2023-01.parquet"
    simulate(20).drop(columns="agency").to_parquet(path)
    with pytest.raises(
        DataError,
        match=r"nyc311_MANHATTAN_BRONX_2023-01\.parquet: missing required column 'agency'",
    ):
        load_311(path)


def test_read_311_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    simulate(20).assign(agency=1).to_parquet(path)
    with pytest.raises(DataError, match=r"f\.parquet: column 'agency' must be text; got int64"):
        load_311(path)


def test_read_311_bad_date_text(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    frame = simulate(3).astype({"created_date": str})
    frame.loc[1, "created_date"] = "yesterday"
    frame.to_parquet(path)
    with pytest.raises(DataError, match=r"f\.parquet: column 'created_date' holds a value"):
        load_311(path)


def test_read_311_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "f.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(DataError, match=r"f\.parquet: not a readable parquet file"):
        load_311(path)


def test_read_311_computes_missing_response_hours_from_text_dates(tmp_path: Path) -> None:
    frame = simulate(30, seed=4)
    table = pa.Table.from_pandas(
        frame.drop(columns="response_hours").astype({"created_date": str, "closed_date": str}),
        preserve_index=False,
    )
    path = tmp_path / "export.parquet"
    pq.write_table(table, path)
    pd.testing.assert_frame_equal(load_311([path]), frame)


def test_load_311_empty_list() -> None:
    with pytest.raises(ParameterError, match=r"source must name at least one file"):
        load_311([])


# --------------------------------------------------------------------- SoQL download


def test_download_311_pages_and_computes_hours(tmp_path: Path) -> None:
    rows = nyc311_rows(7)
    with serve({API_PATH: ("soql", rows)}) as server:
        path = nyc311.download_311(cache_dir=tmp_path, base_url=server.url, page_size=3)
    assert path == tmp_path / "nyc311" / "nyc311_MANHATTAN_BRONX_2023-01.parquet"
    assert files_under(tmp_path) == [path]
    # One count query, then pages of 3, 3 and 1 rows.
    assert [q.get("$offset") for q in server.queries] == [None, "0", "3", "6"]
    where = server.queries[0]["$where"]
    assert "status = 'Closed'" in where and "borough IN ('MANHATTAN', 'BRONX')" in where
    assert "created_date >= '2023-01-01T00:00:00' AND created_date < '2023-02-01T00:00:00'" in where
    assert server.queries[1]["$order"] == "unique_key"
    frame = load_311(path)
    _assert_311_dtypes(frame)
    assert len(frame) == 7
    # Sorted by unique_key, which the fixture gives in reverse creation order.
    np.testing.assert_allclose(frame["response_hours"], [10.5, 9, 7.5, 6, 4.5, 3, 1.5])


def test_download_311_december_rolls_into_next_year(tmp_path: Path) -> None:
    with serve({API_PATH: ("soql", nyc311_rows(2))}) as server:
        nyc311.download_311(["QUEENS"], "2022-12", cache_dir=tmp_path, base_url=server.url)
    assert "created_date < '2023-01-01T00:00:00'" in server.queries[0]["$where"]


def test_download_311_via_env_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serve({API_PATH: ("soql", nyc311_rows(4))}) as server:
        monkeypatch.setenv("NNLABS_311_BASE_URL", server.url)
        frame = load_311(months=["2023-01"], data_dir=tmp_path, cache_dir=tmp_path)
    assert len(frame) == 4


def test_download_311_count_mismatch_saves_nothing(tmp_path: Path) -> None:
    with serve({API_PATH: ("soql", nyc311_rows(5))}) as server:
        server.count_override = 50
        with pytest.raises(
            DownloadError,
            match=r"got 5 rows; the count query announced 50; nothing was saved",
        ):
            nyc311.download_311(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_download_311_no_rows(tmp_path: Path) -> None:
    with serve({API_PATH: ("soql", [])}) as server:
        with pytest.raises(
            DownloadError, match=r"no closed 311 requests for MANHATTAN, BRONX in 2023-01"
        ):
            nyc311.download_311(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_download_311_interrupted_page(tmp_path: Path) -> None:
    body = b'[{"n": "7"}]'
    with serve({API_PATH: ("truncate", body, 5)}) as server:
        with pytest.raises(DownloadError, match=r"erm2-nwe9\.json.* was interrupted"):
            nyc311.download_311(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_download_311_unreachable(tmp_path: Path) -> None:
    with pytest.raises(
        DownloadError,
        match=r"could not download http://127\.0\.0\.1:\d+/resource/erm2-nwe9\.json\?.*"
        r"Without network access, export the requests by hand",
    ):
        nyc311.download_311(cache_dir=tmp_path, base_url=closed_port_url())
    assert files_under(tmp_path) == []


def test_download_311_bad_page_size(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"page_size must be an integer >= 1; got 0"):
        nyc311.download_311(cache_dir=tmp_path, page_size=0)


# --------------------------------------------------------------------- real files


@pytest.mark.realdata
def test_real_311_files(data_dir: Path) -> None:
    try:
        path = nyc311.find_311(data_dir=data_dir, download=False)
    except DataError:
        pytest.skip(f"no real 311 file (nyc311_MANHATTAN_BRONX_2023-01.parquet) in {data_dir}")
    frame = load_311(path)
    _assert_311_dtypes(frame)
    assert len(frame) > 1000
    assert frame["complaint_type"].value_counts().index[0] == "HEAT/HOT WATER"
