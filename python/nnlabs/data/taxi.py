"""NYC TLC taxi trip records: find or download a month, read it filtered, the zone lookup.

The taxi lab (lecture notes §11.11.5) predicts ``fare_amount`` from trip distance,
passenger count, pickup and dropoff zone, pickup hour and weekday, and trip duration, on
trips that pass the notes' plausibility filters (:class:`TripFilter`).

Reading is columnar: only the seven source columns the lab needs are read, the filters
(including the duration, computed from the two datetimes) run as arrow expressions inside
the scan, and the result is cast to float32/int16 before it becomes a pandas frame. Yellow
(``tpep_*``) and green (``lpep_*``) files go through the same code; their datetimes are
adapted to the common names ``pickup_datetime``/``dropoff_datetime`` internally.

Sources (public records of the NYC Taxi & Limousine Commission):
``https://d37ci6vzurychx.cloudfront.net/trip-data/{yellow|green}_tripdata_YYYY-MM.parquet``
and ``https://d37ci6vzurychx.cloudfront.net/misc/taxi_zone_lookup.csv``. Set
``NNLABS_TLC_BASE_URL`` (or pass ``base_url``) to fetch from a mirror.
"""

from __future__ import annotations

import csv
import math
import os
import warnings
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from nnlabs.data import _paths
from nnlabs.data._schema import (
    TAXI_COLORS,
    detect_color,
    find_column,
    read_schema,
    taxi_columns,
    type_matches,
)
from nnlabs.data.download import base_url as _base_url
from nnlabs.data.download import download_file
from nnlabs.errors import DataError, ParameterError
from nnlabs.validation import check_choice, check_int

__all__ = [
    "TAXI_COLORS",
    "TAXI_COLUMNS",
    "TLC_BASE_URL",
    "TripFilter",
    "count_trips",
    "download_trips",
    "download_zone_lookup",
    "find_trips",
    "find_zone_lookup",
    "load_trips",
    "load_zone_lookup",
    "read_trips",
    "trip_filename",
    "trip_scanner",
    "trip_url",
    "zone_lookup_url",
]

TLC_BASE_URL = "https://d37ci6vzurychx.cloudfront.net"
TLC_BASE_URL_ENV = "NNLABS_TLC_BASE_URL"
SUBDIRS = ("nyc_taxi",)
ZONE_FILENAME = "taxi_zone_lookup.csv"

# Columns of read_trips' frame, in the order of the notes' select(): outcome first.
TAXI_COLUMNS = (
    "fare_amount",
    "trip_distance",
    "passenger_count",
    "PULocationID",
    "DOLocationID",
    "hour_of_day",
    "day_of_week",
    "duration_min",
)
_DTYPES = {
    "fare_amount": pa.float32(),
    "trip_distance": pa.float32(),
    "passenger_count": pa.int16(),
    "PULocationID": pa.int16(),
    "DOLocationID": pa.int16(),
    "hour_of_day": pa.int16(),
    "day_of_week": pa.int16(),
    "duration_min": pa.float32(),
}
# Timestamp ticks per minute, by arrow time unit.
_TICKS_PER_MINUTE = {"s": 60, "ms": 60_000, "us": 60_000_000, "ns": 60_000_000_000}


@dataclass(frozen=True)
class TripFilter:
    """The notes' plausibility filters for taxi trips; ``None`` switches a bound off.

    Defaults (§11.11.5.1): ``1 < duration_min < 120``, ``0.1 < trip_distance < 50``,
    ``passenger_count >= 1``, ``2.5 < fare_amount < 200``, ``PULocationID <= 263`` and
    ``DOLocationID <= 263`` (264 and 265 are TLC's "Unknown" and "Outside of NYC").
    ``min_*``/``max_*`` bounds are strict except ``min_passenger_count`` and
    ``max_location_id``, which include the bound, as in the notes. Rows with a missing
    value in any column the lab uses are always dropped (the notes' ``drop_na()``).
    Units: minutes, miles, dollars.
    """

    min_duration_min: float | None = 1.0
    max_duration_min: float | None = 120.0
    min_trip_distance: float | None = 0.1
    max_trip_distance: float | None = 50.0
    min_passenger_count: int | None = 1
    min_fare_amount: float | None = 2.5
    max_fare_amount: float | None = 200.0
    max_location_id: int | None = 263

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not math.isfinite(value)
            ):
                raise ParameterError(
                    f"TripFilter.{f.name} must be a finite number or None; got {value!r}"
                )
        for low, high in [
            ("min_duration_min", "max_duration_min"),
            ("min_trip_distance", "max_trip_distance"),
            ("min_fare_amount", "max_fare_amount"),
        ]:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo >= hi:
                raise ParameterError(
                    f"TripFilter.{low} must be smaller than TripFilter.{high}; got {lo!r} >= {hi!r}"
                )

    def describe(self) -> str:
        """The filter as text, e.g. ``"1 < duration_min < 120, 0.1 < trip_distance < 50, ..."``."""
        parts = []
        for name in ("duration_min", "trip_distance", "fare_amount"):
            lo, hi = getattr(self, f"min_{name}"), getattr(self, f"max_{name}")
            if lo is not None and hi is not None:
                parts.append(f"{lo:g} < {name} < {hi:g}")
            elif lo is not None:
                parts.append(f"{name} > {lo:g}")
            elif hi is not None:
                parts.append(f"{name} < {hi:g}")
        if self.min_passenger_count is not None:
            parts.insert(2, f"passenger_count >= {self.min_passenger_count:g}")
        if self.max_location_id is not None:
            parts += [f"{c} <= {self.max_location_id:g}" for c in ("PULocationID", "DOLocationID")]
        return ", ".join(parts) if parts else "no filter"

    def _expression(self, cols: dict[str, pc.Expression]) -> pc.Expression:
        """The filter as one arrow expression over the scan's columns (``cols``)."""
        conds = [col.is_valid() for col in cols.values()]
        bounds = [
            ("duration_min", self.min_duration_min, self.max_duration_min),
            ("trip_distance", self.min_trip_distance, self.max_trip_distance),
            ("fare_amount", self.min_fare_amount, self.max_fare_amount),
        ]
        for name, lo, hi in bounds:
            if lo is not None:
                conds.append(cols[name] > lo)
            if hi is not None:
                conds.append(cols[name] < hi)
        if self.min_passenger_count is not None:
            conds.append(cols["passenger_count"] >= self.min_passenger_count)
        if self.max_location_id is not None:
            conds.append(cols["PULocationID"] <= self.max_location_id)
            conds.append(cols["DOLocationID"] <= self.max_location_id)
        expr = conds[0]
        for cond in conds[1:]:
            expr = expr & cond
        return expr


def trip_filename(color: str = "yellow", month: str = "2023-01") -> str:
    """The official file name, e.g. ``yellow_tripdata_2023-01.parquet``."""
    color = check_choice("color", color, TAXI_COLORS)
    month = _paths.check_month("month", month)
    return f"{color}_tripdata_{month}.parquet"


def trip_url(color: str = "yellow", month: str = "2023-01", *, base_url: str | None = None) -> str:
    """The official URL of a month's trip file.

    ``base_url`` (else ``$NNLABS_TLC_BASE_URL``) replaces the host, for mirrors and tests.
    """
    base = _base_url(base_url, TLC_BASE_URL_ENV, TLC_BASE_URL)
    return f"{base}/trip-data/{trip_filename(color, month)}"


def zone_lookup_url(*, base_url: str | None = None) -> str:
    """The official URL of the taxi zone lookup CSV."""
    return f"{_base_url(base_url, TLC_BASE_URL_ENV, TLC_BASE_URL)}/misc/{ZONE_FILENAME}"


def _hint(target: Path) -> str:
    return (
        f"Without network access, download the file by hand and put it in {target.parent} "
        f"or in the folder named by {_paths.DATA_DIR_ENV}"
    )


def _check_trip_file(path: Path) -> None:
    """Sanity check of a downloaded file: schema, then a full read of the needed columns."""
    schema = read_schema(path)
    mapping = taxi_columns(schema, detect_color(schema, path), path)
    try:
        table = pq.read_table(path, columns=sorted(set(mapping.values())))
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable parquet file ({exc})") from exc
    if table.num_rows == 0:
        raise DataError(f"{path}: the file holds no rows")


def download_trips(
    color: str = "yellow",
    month: str = "2023-01",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    quiet: bool = False,
    timeout: float = 60.0,
) -> Path:
    """Download a month's trip file into the cache and return its path.

    The file goes to ``<cache>/nyc_taxi/<official name>`` only after the transfer is
    complete and the file passed the schema check. Raises DownloadError.
    """
    name = trip_filename(color, month)
    target = _paths.cache_dir(cache_dir) / SUBDIRS[0] / name
    url = trip_url(color, month, base_url=base_url)
    return download_file(
        url, target, check=_check_trip_file, quiet=quiet, timeout=timeout, hint=_hint(target)
    )


def find_trips(
    color: str = "yellow",
    month: str = "2023-01",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    base_url: str | None = None,
    quiet: bool = False,
) -> Path:
    """Return the path of a month's trip file, downloading it if it is nowhere on disk.

    Looks for the official name in ``data_dir`` (default ``$NNLABS_DATA_DIR``), its
    ``nyc_taxi/`` subfolder and the cache. Failing that, a sample saved under the official
    name plus a suffix (``yellow_tripdata_2023-01_head100k.parquet``) is used with a
    warning, since it is not the full month. Otherwise the file is downloaded, unless
    ``download=False``, which raises a DataError saying where to put the file.
    """
    name = trip_filename(color, month)
    dirs = _paths.candidate_dirs(SUBDIRS, folder=data_dir, cache=cache_dir)
    found = _paths.find_file(name, dirs)
    if found is not None:
        return found
    variant = _paths.find_variant(f"{Path(name).stem}_*.parquet", dirs)
    if variant is not None:
        warnings.warn(
            f"{name} not found; using {variant}, which is not the official full-month file",
            UserWarning,
            stacklevel=2,
        )
        return variant
    url = trip_url(color, month, base_url=base_url)
    if not download:
        raise _paths.missing_file_error(name, dirs, url, "downloads are off (download=False)")
    return download_trips(color, month, cache_dir=cache_dir, base_url=base_url, quiet=quiet)


def _scan_columns(schema: pa.Schema, mapping: dict[str, str]) -> dict[str, pc.Expression]:
    """Arrow expressions for the lab's source columns plus the derived duration in minutes."""
    cols = {common: pc.field(actual) for common, actual in mapping.items()}
    pick, drop = cols.pop("pickup_datetime"), cols.pop("dropoff_datetime")
    t_pick = schema.field(mapping["pickup_datetime"]).type
    t_drop = schema.field(mapping["dropoff_datetime"]).type
    unit = t_pick.unit
    if t_drop.unit != unit:
        # Mixed units are rare; bring both to microseconds so the difference has one unit.
        unit = "us"
        pick = pick.cast(pa.timestamp(unit, t_pick.tz), safe=False)
        drop = drop.cast(pa.timestamp(unit, t_drop.tz), safe=False)
    elapsed = pc.subtract(drop, pick).cast(pa.int64()).cast(pa.float64())
    cols["duration_min"] = pc.divide(elapsed, float(_TICKS_PER_MINUTE[unit]))
    cols["hour_of_day"] = pc.hour(pick)
    # lubridate::wday() default, as in the notes: Sunday = 1, ..., Saturday = 7.
    cols["day_of_week"] = pc.day_of_week(pick, count_from_zero=False, week_start=7)
    return cols


def trip_scanner(
    paths: list[str | os.PathLike[str]],
    *,
    color: str | None = None,
    trip_filter: TripFilter | None = None,
    extra_columns: tuple[str, ...] = (),
    batch_rows: int = 65_536,
    low_memory: bool = False,
) -> ds.Scanner:
    """A pyarrow scan of TLC trip files with ``read_trips``' projection and filter.

    The files are read in the order given, each in file order; only the columns the
    lab needs are read and the filter runs inside the scan, so rows that fail it are
    never materialized. ``paths`` must share one schema (one color, the first file's
    column names; ``color`` None detects it). Batches hold at most ``batch_rows`` rows,
    with the columns of ``TAXI_COLUMNS`` (types and units as ``read_trips``) and the
    numeric ``extra_columns`` the first file has (float32). Iterate it with
    ``.to_batches()`` (pyarrow record batches) or read it whole with ``.to_table()``.
    ``low_memory`` reads one row group at a time, without pyarrow's pre-buffering of
    column chunks and read-ahead (for streaming: memory then holds about one row group).

    Raises DataError for a missing or unreadable file or a missing column.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ParameterError("paths must name at least one trip file; got none")
    batch_rows = check_int("batch_rows", batch_rows, minimum=1)
    trip_filter = TripFilter() if trip_filter is None else trip_filter
    if not isinstance(trip_filter, TripFilter):
        raise ParameterError(f"trip_filter must be a TripFilter or None; got {trip_filter!r}")
    schema = read_schema(paths[0])
    color = check_choice(
        "color", detect_color(schema, paths[0]) if color is None else color, TAXI_COLORS
    )
    cols = _scan_columns(schema, taxi_columns(schema, color, paths[0]))
    projection = {name: cols[name].cast(_DTYPES[name]) for name in TAXI_COLUMNS}
    for name in extra_columns:
        actual = find_column(schema, name)
        if actual is not None and type_matches(schema.field(actual).type, "number"):
            projection[name] = pc.field(actual).cast(pa.float32())
    for path in paths[1:]:
        read_schema(path)  # a missing or unreadable file fails here, named
    try:
        dataset = ds.dataset([str(p) for p in paths], format="parquet")
        frugal = {
            "batch_readahead": 1,
            "fragment_readahead": 1,
            "fragment_scan_options": ds.ParquetFragmentScanOptions(pre_buffer=False),
        }
        return dataset.scanner(
            columns=projection,
            filter=trip_filter._expression(cols),
            batch_size=batch_rows,
            **(frugal if low_memory else {}),
        )
    except (pa.ArrowException, OSError) as exc:
        names = ", ".join(str(p) for p in paths)
        raise DataError(f"{names}: could not read the trip records ({exc})") from exc


def count_trips(
    path: str | os.PathLike[str],
    *,
    color: str | None = None,
    trip_filter: TripFilter | None = None,
) -> int:
    """The number of trips of one file that pass ``trip_filter`` (the notes' by default).

    Counted inside the scan, without materializing the rows; the count ``read_trips``
    would return before sampling.
    """
    scanner = trip_scanner([path], color=color, trip_filter=trip_filter)
    try:
        return int(scanner.count_rows())
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: could not read the trip records ({exc})") from exc


def read_trips(
    source: str | os.PathLike[str],
    *,
    color: str | None = None,
    trip_filter: TripFilter | None = None,
    n: int | None = None,
    seed: int = 42,
    extra_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Read a TLC trip parquet file, filtered and reduced to the taxi lab's columns.

    Parameters
    ----------
    source : path of a yellow or green ``*_tripdata_YYYY-MM.parquet`` file.
    color : ``"yellow"`` or ``"green"``; None detects it from the datetime columns.
    trip_filter : the row filter; None means ``TripFilter()`` (the notes' defaults).
    n : if given, a uniform random sample of ``n`` filtered trips without replacement
        (the notes' ``slice_sample(n = 300000)``); all trips, with a warning, when fewer
        are left. Rows then come in random order.
    seed : seed of the sample (NumPy ``default_rng``).
    extra_columns : further numeric columns of the file to carry along (float32, missing
        values kept as NaN), e.g. ``("RatecodeID",)`` for the lab's subgroups; they do not
        take part in the filter or the sample. One the file lacks is left out.

    Returns
    -------
    DataFrame with one row per trip and the columns of ``TAXI_COLUMNS``:
    ``fare_amount`` (float32, dollars), ``trip_distance`` (float32, miles),
    ``passenger_count`` (int16), ``PULocationID``/``DOLocationID`` (int16, TLC zone ids),
    ``hour_of_day`` (int16, 0-23, pickup), ``day_of_week`` (int16, pickup, 1 = Sunday ...
    7 = Saturday, lubridate's ``wday()``), ``duration_min`` (float32, dropoff - pickup in
    minutes). Datetimes are TLC's local New York wall-clock times. No missing values.

    Raises
    ------
    DataError : the file is missing, unreadable, lacks a column, or no rows pass the filter.
    ParameterError : a bad ``color``, ``n`` or ``seed``.
    """
    path = Path(source)
    trip_filter = TripFilter() if trip_filter is None else trip_filter
    if n is not None:
        n = check_int("n", n, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    scanner = trip_scanner(
        [path], color=color, trip_filter=trip_filter, extra_columns=extra_columns
    )
    try:
        table = scanner.to_table()
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: could not read the trip records ({exc})") from exc
    if table.num_rows == 0:
        total = pq.ParquetFile(path).metadata.num_rows
        raise DataError(
            f"{path}: no rows left after filtering ({trip_filter.describe()}); "
            f"the file has {total:,} rows"
        )
    if n is not None:
        if n > table.num_rows:
            warnings.warn(
                f"n={n:,} is more than the {table.num_rows:,} trips left after filtering "
                f"{path.name}; returning all of them",
                UserWarning,
                stacklevel=2,
            )
            n = table.num_rows
        rng = np.random.default_rng(seed)
        table = table.take(rng.choice(table.num_rows, size=n, replace=False))
    return table.replace_schema_metadata(None).to_pandas()


def load_trips(
    color: str = "yellow",
    month: str = "2023-01",
    *,
    trip_filter: TripFilter | None = None,
    n: int | None = None,
    seed: int = 42,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    base_url: str | None = None,
    quiet: bool = False,
) -> pd.DataFrame:
    """``read_trips(find_trips(color, month, ...), ...)``: find or download, then read."""
    path = find_trips(
        color,
        month,
        data_dir=data_dir,
        cache_dir=cache_dir,
        download=download,
        base_url=base_url,
        quiet=quiet,
    )
    return read_trips(path, color=color, trip_filter=trip_filter, n=n, seed=seed)


def _read_zones(path: Path) -> pd.DataFrame:
    try:
        # keep_default_na=False: the lookup's Borough "N/A" and Zone "N/A" are text, not NaN.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from exc
    for col in ("LocationID", "Borough", "Zone", "service_zone"):
        if col not in frame.columns:
            raise DataError(f"{path}: missing required column {col!r}")
    short = _short_record(path, len(frame.columns))
    if short is not None:
        line, fields = short
        raise DataError(
            f"{path}: line {line} has {fields} field(s); the header has {len(frame.columns)} "
            f"(a truncated or damaged file)"
        )
    frame = frame[["LocationID", "Borough", "Zone", "service_zone"]]
    ids = pd.to_numeric(frame["LocationID"], errors="coerce")
    if ids.isna().any() or (ids != ids.round()).any():
        bad = frame["LocationID"][ids.isna() | (ids != ids.round())].iloc[0]
        raise DataError(f"{path}: column 'LocationID' must hold integers; got {bad!r}")
    frame = frame.assign(LocationID=ids.astype("int16"))
    if frame.empty:
        raise DataError(f"{path}: the file holds no rows")
    return frame.reset_index(drop=True)


def _short_record(path: Path, n_fields: int) -> tuple[int, int] | None:
    """The first record of the CSV ``path`` with fewer than ``n_fields`` fields, if any.

    pandas fills the missing trailing fields of a cut-off last line with empty text,
    which would pass for the lookup's legitimately empty cells.
    """
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            for number, record in enumerate(csv.reader(fh), start=1):
                if record and len(record) < n_fields:
                    return number, len(record)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: not a readable CSV file ({exc})") from exc
    return None


def _check_zone_file(path: Path) -> None:
    frame = _read_zones(path)
    if len(frame) < 263:
        raise DataError(f"{path}: expected at least 263 zones; got {len(frame)}")


def download_zone_lookup(
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    quiet: bool = False,
    timeout: float = 60.0,
) -> Path:
    """Download ``taxi_zone_lookup.csv`` into ``<cache>/nyc_taxi/`` and return its path."""
    target = _paths.cache_dir(cache_dir) / SUBDIRS[0] / ZONE_FILENAME
    return download_file(
        zone_lookup_url(base_url=base_url),
        target,
        check=_check_zone_file,
        quiet=quiet,
        timeout=timeout,
        hint=_hint(target),
    )


def find_zone_lookup(
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    base_url: str | None = None,
    quiet: bool = False,
) -> Path:
    """Return the path of ``taxi_zone_lookup.csv``: on disk (as ``find_trips``) or downloaded."""
    dirs = _paths.candidate_dirs(SUBDIRS, folder=data_dir, cache=cache_dir)
    found = _paths.find_file(ZONE_FILENAME, dirs)
    if found is not None:
        return found
    if not download:
        url = zone_lookup_url(base_url=base_url)
        raise _paths.missing_file_error(
            ZONE_FILENAME, dirs, url, "downloads are off (download=False)"
        )
    return download_zone_lookup(cache_dir=cache_dir, base_url=base_url, quiet=quiet)


def load_zone_lookup(
    path: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    base_url: str | None = None,
    quiet: bool = False,
) -> pd.DataFrame:
    """Return the TLC taxi zone lookup: one row per zone (265 in the current revision).

    Columns: ``LocationID`` (int16), ``Borough``, ``Zone``, ``service_zone`` (text, the
    pandas default string dtype). The literal text ``"N/A"`` stays text (zone 265's
    Borough is ``"N/A"``). ``path`` None finds or downloads the file as ``find_zone_lookup``.
    """
    if path is None:
        path = find_zone_lookup(
            data_dir=data_dir,
            cache_dir=cache_dir,
            download=download,
            base_url=base_url,
            quiet=quiet,
        )
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    return _read_zones(path)
