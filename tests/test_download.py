"""Downloads against a local HTTP server: success, progress, interrupted and corrupt files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from _fixtures_data import (
    closed_port_url,
    files_under,
    no_proxy,
    parquet_bytes,
    serve,
    trip_table,
    zone_csv,
)
from nnlabs.data import taxi
from nnlabs.data.download import Progress, download_file
from nnlabs.errors import DataError, DownloadError

TRIP_PATH = "/trip-data/yellow_tripdata_2023-01.parquet"
ZONE_PATH = "/misc/taxi_zone_lookup.csv"


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    no_proxy(monkeypatch)
    monkeypatch.delenv("NNLABS_TLC_BASE_URL", raising=False)


@pytest.fixture
def trips_bytes() -> bytes:
    return parquet_bytes(trip_table([{}, {"fare_amount": 30.0}, {"fare_amount": 0.0}]))


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


# --------------------------------------------------------------------- progress line


def test_progress_line_on_a_terminal() -> None:
    stream = _Tty()
    progress = Progress("file.parquet", 2_000_000, stream=stream)
    progress.update(1_000_000)
    progress.update(1_000_000)
    progress.close()
    text = stream.getvalue()
    assert text.startswith("\rfile.parquet: ") and text.endswith("\n")
    assert "2.0 MB / 2.0 MB (100%)" in text


def test_progress_counts_rows() -> None:
    stream = _Tty()
    progress = Progress("x", None, unit="rows", stream=stream)
    progress.update(1234)
    progress.close()
    assert "1,234 rows" in stream.getvalue()


@pytest.mark.parametrize(("stream", "quiet"), [(io.StringIO(), False), (_Tty(), True)])
def test_progress_silent_when_not_a_tty_or_quiet(stream: io.StringIO, quiet: bool) -> None:
    progress = Progress("x", 10, quiet=quiet, stream=stream)
    progress.update(10)
    progress.close()
    assert stream.getvalue() == ""


# --------------------------------------------------------------------- TLC downloads


def test_download_trips_to_cache(tmp_path: Path, trips_bytes: bytes, capsys) -> None:
    with serve({TRIP_PATH: ("bytes", trips_bytes)}) as server:
        path = taxi.download_trips(cache_dir=tmp_path, base_url=server.url)
    assert path == tmp_path / "nyc_taxi" / "yellow_tripdata_2023-01.parquet"
    assert path.read_bytes() == trips_bytes
    assert files_under(tmp_path) == [path]  # no temporary file left beside it
    assert capsys.readouterr().err == ""  # stderr is not a terminal under pytest
    assert len(taxi.read_trips(path)) == 2


def test_find_trips_downloads_once_via_env_base_url(
    tmp_path: Path, trips_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve({TRIP_PATH: ("bytes", trips_bytes)}) as server:
        monkeypatch.setenv("NNLABS_TLC_BASE_URL", server.url)
        monkeypatch.setenv("NNLABS_CACHE_DIR", str(tmp_path))
        (tmp_path / "mine").mkdir()  # a data folder given by argument must exist
        frame = taxi.load_trips("yellow", "2023-01", data_dir=tmp_path / "mine")
        cached = tmp_path / "data" / "nyc_taxi" / "yellow_tripdata_2023-01.parquet"
        assert cached.is_file() and len(frame) == 2
    # The server is gone: the second call must use the cached file.
    assert taxi.find_trips("yellow", "2023-01", data_dir=tmp_path / "mine") == cached


def test_interrupted_transfer_leaves_nothing(tmp_path: Path, trips_bytes: bytes) -> None:
    route = ("truncate", trips_bytes, len(trips_bytes) // 3)
    with serve({TRIP_PATH: route}) as server:
        with pytest.raises(
            DownloadError,
            match=rf"download of {server.url}{TRIP_PATH} was interrupted: received "
            rf"{len(trips_bytes) // 3:,} of {len(trips_bytes):,} bytes\. Without network "
            r"access, download the file by hand and put it in .*nyc_taxi",
        ):
            taxi.download_trips(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_truncated_parquet_is_discarded(tmp_path: Path, trips_bytes: bytes) -> None:
    # Served completely (Content-Length matches) but the file itself is cut short.
    with serve({TRIP_PATH: ("bytes", trips_bytes[: len(trips_bytes) // 2])}) as server:
        with pytest.raises(
            DownloadError,
            match=r"failed its sanity check and was discarded: .*not a readable parquet file",
        ):
            taxi.download_trips(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_parquet_with_wrong_schema_is_discarded(tmp_path: Path) -> None:
    body = parquet_bytes(trip_table([{}]).drop_columns(["trip_distance"]))
    with serve({TRIP_PATH: ("bytes", body)}) as server:
        with pytest.raises(
            DownloadError,
            match=r"sanity check .*yellow_tripdata_2023-01\.parquet: missing required column "
            r"'trip_distance'",
        ):
            taxi.download_trips(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_http_error_says_which_file_and_where(tmp_path: Path) -> None:
    with serve({}) as server:
        with pytest.raises(
            DownloadError,
            match=r"could not download .*/trip-data/green_tripdata_2023-05\.parquet: HTTP 404 "
            r"Not Found\. Without network access, download the file by hand and put it in "
            r".*nyc_taxi or in the folder named by NNLABS_DATA_DIR",
        ):
            taxi.download_trips("green", "2023-05", cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []


def test_unreachable_server(tmp_path: Path) -> None:
    with pytest.raises(
        DownloadError,
        match=r"could not download http://127\.0\.0\.1:\d+/trip-data/yellow_tripdata_2023-01"
        r"\.parquet: .*Connection refused",
    ):
        taxi.find_trips(cache_dir=tmp_path, data_dir=tmp_path, base_url=closed_port_url())
    assert files_under(tmp_path) == []


def test_download_error_is_an_oserror() -> None:
    assert issubclass(DownloadError, OSError)


def test_download_file_converts_check_errors(tmp_path: Path) -> None:
    def reject(path: Path) -> None:
        raise DataError(f"{path.name}: nope")

    with serve({"/f.bin": ("bytes", b"abc")}) as server:
        with pytest.raises(DownloadError, match=r"failed its sanity check .*: nope\. Try again"):
            download_file(f"{server.url}/f.bin", tmp_path / "f.bin", check=reject, hint="Try again")
        assert download_file(f"{server.url}/f.bin", tmp_path / "f.bin").read_bytes() == b"abc"


# --------------------------------------------------------------------- zone lookup


def test_download_zone_lookup(tmp_path: Path) -> None:
    with serve({ZONE_PATH: ("bytes", zone_csv().encode())}) as server:
        zones = taxi.load_zone_lookup(cache_dir=tmp_path, data_dir=tmp_path, base_url=server.url)
    assert len(zones) == 265 and zones.iloc[-1]["Borough"] == "N/A"
    assert files_under(tmp_path) == [tmp_path / "nyc_taxi" / "taxi_zone_lookup.csv"]


def test_short_zone_lookup_is_discarded(tmp_path: Path) -> None:
    with serve({ZONE_PATH: ("bytes", zone_csv(10).encode())}) as server:
        with pytest.raises(DownloadError, match=r"expected at least 263 zones; got 10"):
            taxi.download_zone_lookup(cache_dir=tmp_path, base_url=server.url)
    assert files_under(tmp_path) == []
