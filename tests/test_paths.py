"""Bad paths: an output folder that cannot be written, a data folder that does not exist,
a data file that is not parquet or is damaged. Each is one line naming the path, exit
status 2 from the command line, no traceback, no download, and nothing left behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from _fixtures_data import files_under, trip_table, write_trips, zone_csv
from nnlabs.cli import main
from nnlabs.data import nyc311 as nyc311_data
from nnlabs.data import taxi as taxi_data
from nnlabs.errors import DataError, ParameterError
from nnlabs.io import check_writable_dir, make_writable_dir


def _cli_error(argv: list[str], capsys) -> str:
    """Run the command line; it must fail with status 2 and one line on stderr."""
    assert main(argv) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert err.startswith("nnlabs: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err + captured.out
    return err


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if a lab gets as far as running (the paths are checked first)."""
    from nnlabs import labs

    monkeypatch.setattr(labs, "run", lambda *a, **k: pytest.fail("the lab ran"))


@pytest.fixture
def no_download(monkeypatch):
    """Fail the test if anything is downloaded."""
    from nnlabs.data import download as _download

    def refuse(*args, **kwargs):
        pytest.fail("a download was attempted")

    for module in (_download, taxi_data, nyc311_data):
        for name in ("download_file", "get_bytes"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse)


# ------------------------------------------------------------------------ output folder


def test_out_under_a_file_fails_before_training_and_creates_nothing(tmp_path, capsys, no_training):
    (tmp_path / "results.csv").write_text("x")
    out = tmp_path / "results.csv" / "run1"
    err = _cli_error(["run", "hitters", "--epochs", "1", "--out", str(out)], capsys)
    assert f"--out must be a folder that can be created and written; got '{out}'" in err
    assert f"({tmp_path / 'results.csv'} is a file)" in err
    assert files_under(tmp_path) == [tmp_path / "results.csv"]


def test_out_in_a_read_only_folder_fails_before_training(read_only_dir, capsys, no_training):
    for out in (read_only_dir, read_only_dir / "new" / "deeper"):
        err = _cli_error(["run", "movies", "--out", str(out)], capsys)
        assert f"got '{out}'" in err and "not writable" in err
    assert list(read_only_dir.iterdir()) == []


def test_run_all_checks_the_out_folder_first(tmp_path, capsys, no_training):
    (tmp_path / "f").write_text("x")
    err = _cli_error(["run", "all", "--out", str(tmp_path / "f" / "o")], capsys)
    assert "--out must be a folder" in err


def test_a_lab_saving_into_a_bad_out_dir_raises_a_parameter_error(tmp_path):
    from nnlabs.labs import hitters

    (tmp_path / "f").write_text("x")
    with pytest.raises(ParameterError, match=r"out_dir must be a folder .*got '.*f/o'"):
        hitters.run(epochs=1, cache=False, out_dir=tmp_path / "f" / "o")
    assert files_under(tmp_path) == [tmp_path / "f"]


def test_check_writable_dir_accepts_new_and_existing_folders(tmp_path):
    assert check_writable_dir(tmp_path) == tmp_path
    assert check_writable_dir(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert list(tmp_path.iterdir()) == []  # the check creates nothing
    assert make_writable_dir(tmp_path / "a" / "b").is_dir()
    with pytest.raises(ParameterError, match="out_dir must be a folder path; got 3"):
        check_writable_dir(3)
    with pytest.raises(ParameterError, match="out_dir must be a folder path; got ''"):
        check_writable_dir("")


# -------------------------------------------------------------------------- data folder


def test_a_data_dir_that_does_not_exist_is_named_and_nothing_is_downloaded(
    tmp_path, capsys, no_download, monkeypatch
):
    monkeypatch.setenv("NNLABS_CACHE_DIR", str(tmp_path / "cache"))
    nope = tmp_path / "nope"
    out = tmp_path / "out"
    err = _cli_error(["run", "taxi", "--data-dir", str(nope), "--out", str(out)], capsys)
    assert (
        f"--data-dir must be the path of an existing folder; got '{nope}' (no such folder)" in err
    )
    assert "NNLABS_DATA_DIR" not in err and "download" not in err
    assert files_under(tmp_path) == []  # no output folder, no cache, no download
    err = _cli_error(["run", "all", "--data-dir", str(nope), "--out", str(out)], capsys)
    assert f"got '{nope}'" in err


def test_a_data_dir_that_is_a_file_is_named(tmp_path, capsys, no_download):
    (tmp_path / "data.parquet").write_bytes(b"PAR1")
    err = _cli_error(["run", "taxi", "--data-dir", str(tmp_path / "data.parquet")], capsys)
    assert f"got '{tmp_path / 'data.parquet'}' (a file, not a folder)" in err


@pytest.mark.parametrize(
    "call",
    [
        lambda d: taxi_data.find_trips(data_dir=d),
        lambda d: taxi_data.load_zone_lookup(data_dir=d),
        lambda d: nyc311_data.find_311(data_dir=d),
        lambda d: nyc311_data.load_311(data_dir=d),
    ],
    ids=["find_trips", "load_zone_lookup", "find_311", "load_311"],
)
def test_the_python_api_rejects_a_missing_data_dir_without_downloading(tmp_path, no_download, call):
    nope = tmp_path / "nope"
    with pytest.raises(
        ParameterError, match=f"data_dir must be the path of an existing folder; got '{nope}'"
    ):
        call(nope)


def test_taxi_run_rejects_a_missing_data_dir_before_reading_anything(tmp_path, no_download):
    from nnlabs.labs import taxi

    with pytest.raises(ParameterError, match="data_dir must be the path of an existing folder"):
        taxi.run(data_dir=tmp_path / "nope", epochs=1, cache=False)


# --------------------------------------------------------------------------- data files


def _valid_trips(path: Path) -> Path:
    rows = [{"trip_distance": 1.0 + i / 10, "fare_amount": 8.0 + i} for i in range(60)]
    return write_trips(path, rows, color="green")


def _not_parquet(path: Path) -> None:
    path.write_text("VendorID,fare_amount\n1,12.5\n")


def _truncated(path: Path) -> None:
    data = _valid_trips(path).read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _footer_only(path: Path) -> None:
    data = _valid_trips(path).read_bytes()
    path.write_bytes(data[:4] + b"\0" * (len(data) - 12) + data[-8:])


@pytest.mark.parametrize(
    "damage", [_not_parquet, _truncated, _empty, _footer_only], ids=lambda f: f.__name__[1:]
)
def test_a_damaged_trip_file_is_one_line_naming_it(tmp_path, capsys, no_download, damage):
    data = tmp_path / "data"
    data.mkdir()
    (data / "taxi_zone_lookup.csv").write_text(zone_csv())
    trips = data / "green_tripdata_2023-01.parquet"
    damage(trips)
    out = tmp_path / "out"
    argv = ["run", "taxi", "--color", "green", "--data-dir", str(data), "--out", str(out)]
    err = _cli_error([*argv, "--epochs", "1", "--no-cache"], capsys)
    assert f"nnlabs: error: {trips}: " in err
    assert not out.exists()
    with pytest.raises(DataError, match=str(trips)):
        taxi_data.read_trips(trips)


def test_a_garbled_real_trip_file_is_one_line_naming_it(data_dir, tmp_path, capsys, no_download):
    source = data_dir / "nyc_taxi" / "green_tripdata_2023-01.parquet"
    if not source.is_file():
        pytest.skip(f"{source} is not there")
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(data_dir / "nyc_taxi" / "taxi_zone_lookup.csv", folder)
    garbled = bytearray(source.read_bytes())
    for i in range(len(garbled) // 10, len(garbled) * 9 // 10, 1000):
        garbled[i] ^= 0xFF
    trips = folder / source.name
    trips.write_bytes(bytes(garbled))
    out = tmp_path / "out"
    argv = ["run", "taxi", "--color", "green", "--data-dir", str(folder), "--out", str(out)]
    err = _cli_error([*argv, "--epochs", "1", "--no-cache", "--rows", "500"], capsys)
    assert f"{trips}: " in err
    assert not out.exists()


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00garbage\x00" * 50, zone_csv().encode()[:3000]],
    ids=["empty", "binary", "truncated"],
)
def test_a_damaged_zone_lookup_is_one_line_naming_it(tmp_path, capsys, no_download, content):
    data = tmp_path / "data"
    data.mkdir()
    _valid_trips(data / "green_tripdata_2023-01.parquet")
    zones = data / "taxi_zone_lookup.csv"
    zones.write_bytes(content)
    with pytest.raises(DataError, match=str(zones)):
        taxi_data.load_zone_lookup(zones)


@pytest.mark.parametrize("damage", [_not_parquet, _truncated, _empty], ids=lambda f: f.__name__[1:])
def test_a_damaged_311_file_is_a_data_error_naming_it(tmp_path, damage):
    path = tmp_path / "nyc311_2023-01.parquet"
    if damage is _truncated:
        import pyarrow.parquet as pq

        pq.write_table(trip_table([{}] * 20), path)
        path.write_bytes(path.read_bytes()[:200])
    else:
        damage(path)
    with pytest.raises(DataError, match=f"{path}: not a readable parquet file"):
        nyc311_data.load_311(path)
