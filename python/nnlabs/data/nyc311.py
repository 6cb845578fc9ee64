"""NYC 311 service requests: download a month through SoQL, load it, or simulate it.

The 311 lab (lecture notes §11.11.4) combines the closed requests of Manhattan and the
Bronx from January and July 2023 (files ``nyc311_MANHATTAN_BRONX_2023-01.parquet`` and
``..._2023-07.parquet``) and predicts ``log1p(response_hours)`` from complaint type,
agency, channel, borough and the time of creation. This module delivers raw-shaped frames
with the columns of :data:`NYC311_COLUMNS`; feature engineering belongs to the lab.

Source: NYC Open Data, "311 Service Requests from 2010 to Present" (Socrata dataset id
``erm2-nwe9``), ``https://data.cityofnewyork.us/resource/erm2-nwe9.json``, queried with
SoQL ``$select``/``$where``/``$order``/``$limit``/``$offset``. Set
``NNLABS_311_BASE_URL`` (or pass ``base_url``) to use another host.
"""

from __future__ import annotations

import calendar
import json
import os
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from nnlabs.data import _paths
from nnlabs.data._schema import NYC311_KINDS, check_columns, read_schema
from nnlabs.data.download import Progress, get_bytes
from nnlabs.data.download import base_url as _base_url
from nnlabs.errors import DataError, DownloadError, ParameterError
from nnlabs.io import atomic_path
from nnlabs.validation import check_choice, check_int

__all__ = [
    "BOROUGHS",
    "NYC311_BASE_URL",
    "NYC311_COLUMNS",
    "download_311",
    "find_311",
    "load_311",
    "nyc311_filename",
    "read_311",
    "simulate",
]

NYC311_BASE_URL = "https://data.cityofnewyork.us"
NYC311_BASE_URL_ENV = "NNLABS_311_BASE_URL"
DATASET_ID = "erm2-nwe9"
SUBDIRS = ("nyc311", "nyc311_data")
BOROUGHS = ("MANHATTAN", "BRONX", "BROOKLYN", "QUEENS", "STATEN ISLAND")
DEFAULT_BOROUGHS = ("MANHATTAN", "BRONX")
DEFAULT_MONTHS = ("2023-01", "2023-07")

# Columns of every frame this module returns, in order (the export's names).
NYC311_COLUMNS = tuple(NYC311_KINDS)
# Fields requested from the API: the lab's columns plus the key that orders the pages.
_API_FIELDS = ("unique_key", *NYC311_COLUMNS[:-1])


def _check_boroughs(boroughs: Sequence[str]) -> tuple[str, ...]:
    if isinstance(boroughs, str) or not boroughs:
        raise ParameterError(f"boroughs must be a non-empty sequence of names; got {boroughs!r}")
    return tuple(check_choice("borough", str(b).upper(), BOROUGHS) for b in boroughs)


def nyc311_filename(boroughs: Sequence[str] = DEFAULT_BOROUGHS, month: str = "2023-01") -> str:
    """The file name the notes use, e.g. ``nyc311_MANHATTAN_BRONX_2023-01.parquet``."""
    names = "_".join(b.replace(" ", "_") for b in _check_boroughs(boroughs))
    return f"nyc311_{names}_{_paths.check_month('month', month)}.parquet"


# ---------------------------------------------------------------------------- download


def _soql_where(boroughs: tuple[str, ...], month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    nxt = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"
    listed = ", ".join(f"'{b}'" for b in boroughs)
    return (
        f"status = 'Closed' AND closed_date IS NOT NULL AND borough IN ({listed}) "
        f"AND created_date >= '{month}-01T00:00:00' AND created_date < '{nxt}-01T00:00:00'"
    )


def _query_url(base: str, params: dict[str, str]) -> str:
    return f"{base}/resource/{DATASET_ID}.json?{urllib.parse.urlencode(params)}"


def _get_json(url: str, timeout: float, hint: str) -> list[dict]:
    body = get_bytes(url, timeout=timeout, hint=hint)
    try:
        rows = json.loads(body)
    except ValueError as exc:
        raise DownloadError(f"{url} did not return valid JSON ({exc})") from exc
    if not isinstance(rows, list):
        raise DownloadError(f"{url} returned {type(rows).__name__}, not a list of rows: {rows}")
    return rows


def _frame_from_rows(rows: list[dict], source: str) -> pd.DataFrame:
    """Build the typed frame (dates parsed, response_hours computed) from API rows."""
    data = {f: [row.get(f) for row in rows] for f in _API_FIELDS}
    frame = pd.DataFrame(data)
    for col in ("created_date", "closed_date"):
        frame[col] = _parse_dates(frame[col], col, source)
    frame = frame.drop_duplicates("unique_key").sort_values("unique_key", kind="stable")
    frame = frame.drop(columns="unique_key").reset_index(drop=True)
    return _with_response_hours(frame)


def _parse_dates(values: pd.Series, col: str, source: str) -> pd.Series:
    """Dates as datetime64[ns] in New York local time (the export's floating timestamps)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("America/New_York").dt.tz_localize(None)
    try:
        return pd.to_datetime(values, format="ISO8601").astype("datetime64[ns]")
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"{source}: column {col!r} holds a value that is not a date ({exc})"
        ) from exc


def _with_response_hours(frame: pd.DataFrame) -> pd.DataFrame:
    delta = frame["closed_date"] - frame["created_date"]
    return frame.assign(response_hours=delta.dt.total_seconds() / 3600.0)


def download_311(
    boroughs: Sequence[str] = DEFAULT_BOROUGHS,
    month: str = "2023-01",
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    base_url: str | None = None,
    page_size: int = 50_000,
    quiet: bool = False,
    timeout: float = 120.0,
) -> Path:
    """Download the closed 311 requests of ``boroughs`` created in ``month``; return the path.

    Queries the Socrata API in pages of ``page_size`` rows ordered by ``unique_key``,
    after a ``count(*)`` query that sizes the progress line and checks the total. The
    parquet file (columns of ``NYC311_COLUMNS``, ``response_hours`` = closed - created in
    hours) is written to ``<cache>/nyc311/<nyc311_filename(...)>`` atomically, only once
    every page arrived. Raises DownloadError (network, bad reply, row count off) and
    ParameterError (bad borough, month or page size).
    """
    boroughs = _check_boroughs(boroughs)
    name = nyc311_filename(boroughs, month)
    page_size = check_int("page_size", page_size, minimum=1)
    target = _paths.cache_dir(cache_dir) / SUBDIRS[0] / name
    base = _base_url(base_url, NYC311_BASE_URL_ENV, NYC311_BASE_URL)
    where = _soql_where(boroughs, month)
    hint = (
        f"Without network access, export the requests by hand from "
        f"{NYC311_BASE_URL}/resource/{DATASET_ID}.json and save them as {target} or put "
        f"{name} in the folder named by {_paths.DATA_DIR_ENV}"
    )
    count_rows = _get_json(
        _query_url(base, {"$select": "count(*) AS n", "$where": where}), timeout, hint
    )
    try:
        expected = int(count_rows[0]["n"])
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise DownloadError(f"unexpected reply to the count query: {count_rows!r}") from exc
    if expected == 0:
        raise DownloadError(f"no closed 311 requests for {', '.join(boroughs)} in {month}")
    progress = Progress(name, expected, unit="rows", quiet=quiet)
    rows: list[dict] = []
    try:
        while True:
            params = {
                "$select": ",".join(_API_FIELDS),
                "$where": where,
                "$order": "unique_key",
                "$limit": str(page_size),
                "$offset": str(len(rows)),
            }
            page = _get_json(_query_url(base, params), timeout, hint)
            rows.extend(page)
            progress.update(len(page))
            if len(page) < page_size:
                break
    finally:
        progress.close()
    frame = _frame_from_rows(rows, base)
    # The live dataset can change between the count and the last page; allow 1 %.
    if abs(len(frame) - expected) > 0.01 * expected:
        raise DownloadError(
            f"311 download for {', '.join(boroughs)} in {month} got {len(frame):,} rows; "
            f"the count query announced {expected:,}; nothing was saved"
        )
    check_columns(pa.Schema.from_pandas(frame, preserve_index=False), NYC311_KINDS, name)
    with atomic_path(target) as tmp:
        frame.to_parquet(tmp, index=False)
    return target


# -------------------------------------------------------------------------------- load


def find_311(
    boroughs: Sequence[str] = DEFAULT_BOROUGHS,
    month: str = "2023-01",
    *,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    base_url: str | None = None,
    quiet: bool = False,
) -> Path:
    """Return the path of a month's 311 file: on disk or downloaded.

    Looks for ``nyc311_filename(boroughs, month)`` in ``data_dir`` (default
    ``$NNLABS_DATA_DIR``), its ``nyc311/`` and ``nyc311_data/`` subfolders and the cache;
    downloads it otherwise, unless ``download=False`` (DataError saying where to put it).
    """
    name = nyc311_filename(boroughs, month)
    dirs = _paths.candidate_dirs(SUBDIRS, folder=data_dir, cache=cache_dir)
    found = _paths.find_file(name, dirs)
    if found is not None:
        return found
    if not download:
        url = f"{NYC311_BASE_URL}/resource/{DATASET_ID}.json"
        raise _paths.missing_file_error(name, dirs, url, "downloads are off (download=False)")
    return download_311(boroughs, month, cache_dir=cache_dir, base_url=base_url, quiet=quiet)


def read_311(source: str | os.PathLike[str]) -> pd.DataFrame:
    """Read one 311 parquet file, checking its schema; return the columns of ``NYC311_COLUMNS``.

    ``created_date``/``closed_date`` may be stored as timestamps or ISO 8601 text;
    ``response_hours`` is computed from them when the file lacks it. Raises DataError
    naming the file and the column.
    """
    path = Path(source)
    schema = read_schema(path)
    required = {k: v for k, v in NYC311_KINDS.items() if k != "response_hours"}
    if "response_hours" in schema.names:
        required["response_hours"] = NYC311_KINDS["response_hours"]
    check_columns(schema, required, path)
    try:
        table = pq.read_table(path, columns=list(required))
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable parquet file ({exc})") from exc
    frame = table.replace_schema_metadata(None).to_pandas()
    for col in ("created_date", "closed_date"):
        frame[col] = _parse_dates(frame[col], col, str(path))
    for col in ("complaint_type", "agency", "open_data_channel_type", "borough"):
        if isinstance(frame[col].dtype, pd.CategoricalDtype):
            frame[col] = frame[col].astype(frame[col].cat.categories.dtype)
    if "response_hours" not in frame.columns:
        frame = _with_response_hours(frame)
    frame["response_hours"] = frame["response_hours"].astype("float64")
    return frame[list(NYC311_COLUMNS)]


def load_311(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
    *,
    months: Sequence[str] = DEFAULT_MONTHS,
    boroughs: Sequence[str] = DEFAULT_BOROUGHS,
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    download: bool = True,
    base_url: str | None = None,
    quiet: bool = False,
) -> pd.DataFrame:
    """Load real 311 requests, one file per month, stacked (the notes' ``bind_rows``).

    ``source`` is a file or a list of files; None finds (or downloads) one file per
    entry of ``months`` for ``boroughs`` (default: Manhattan and Bronx, 2023-01 and
    2023-07, as in the notes).

    Returns a DataFrame with the columns of ``NYC311_COLUMNS``: ``created_date``,
    ``closed_date`` (datetime64[ns], New York local time), ``complaint_type``,
    ``agency``, ``open_data_channel_type``, ``borough`` (text, the pandas default string
    dtype; borough in capitals) and ``response_hours`` (float64, closed - created in
    hours; can be 0 or negative in the real data).
    """
    if source is None:
        if isinstance(months, str) or not months:
            raise ParameterError(
                f"months must be a non-empty sequence of 'YYYY-MM'; got {months!r}"
            )
        paths = [
            find_311(
                boroughs,
                m,
                data_dir=data_dir,
                cache_dir=cache_dir,
                download=download,
                base_url=base_url,
                quiet=quiet,
            )
            for m in months
        ]
    elif isinstance(source, (str, os.PathLike)):
        paths = [Path(source)]
    else:
        paths = [Path(s) for s in source]
        if not paths:
            raise ParameterError("source must name at least one file; got an empty list")
    frames = [read_311(p) for p in paths]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------- simulate

# (complaint type, [(agency, share, log-hours offset)], mean log1p(hours),
#  share of a January month, share of a July month, mostly at night)
# Means follow how long each agency typically takes: NYPD closes noise calls within
# hours, HPD housing-code complaints take days to weeks, DOB/DOHMH/DCWP/TLC weeks.
_TYPES: tuple[tuple[str, tuple[tuple[str, float, float], ...], float, float, float, bool], ...] = (
    ("HEAT/HOT WATER", (("HPD", 1.0, 0.0),), 3.6, 30.0, 2.5, False),
    ("Noise - Residential", (("NYPD", 1.0, 0.0),), 1.0, 9.0, 16.0, True),
    ("Illegal Parking", (("NYPD", 1.0, 0.0),), 1.2, 6.0, 6.0, False),
    ("UNSANITARY CONDITION", (("HPD", 1.0, 0.0),), 5.4, 4.0, 3.0, False),
    ("PLUMBING", (("HPD", 1.0, 0.0),), 5.2, 3.5, 2.5, False),
    ("Noise - Street/Sidewalk", (("NYPD", 1.0, 0.0),), 0.9, 2.0, 10.0, True),
    ("Blocked Driveway", (("NYPD", 1.0, 0.0),), 1.3, 3.0, 3.0, False),
    ("WATER LEAK", (("HPD", 1.0, 0.0),), 4.9, 3.0, 2.0, False),
    ("PAINT/PLASTER", (("HPD", 1.0, 0.0),), 5.5, 3.0, 2.0, False),
    ("DOOR/WINDOW", (("HPD", 1.0, 0.0),), 5.3, 2.5, 1.5, False),
    ("Noise - Commercial", (("NYPD", 1.0, 0.0),), 0.8, 2.0, 4.0, True),
    ("Illegal Fireworks", (("NYPD", 1.0, 0.0),), 0.7, 0.1, 6.0, True),
    ("Noise - Vehicle", (("NYPD", 1.0, 0.0),), 0.9, 1.5, 4.0, True),
    ("Abandoned Vehicle", (("NYPD", 0.7, 0.0), ("DSNY", 0.3, 2.8)), 2.3, 1.5, 1.5, False),
    ("Non-Emergency Police Matter", (("NYPD", 1.0, 0.0),), 1.1, 1.5, 2.5, False),
    ("Street Condition", (("DOT", 0.85, 0.0), ("DDC", 0.15, 2.0)), 3.3, 2.0, 1.5, False),
    ("Homeless Person Assistance", (("DHS", 0.7, 0.0), ("NYPD", 0.3, -1.2)), 1.6, 2.5, 2.0, False),
    ("Dirty Condition", (("DSNY", 1.0, 0.0),), 3.6, 1.5, 2.0, False),
    ("Noise", (("DEP", 1.0, 0.0),), 4.2, 1.5, 2.5, False),
    ("Encampment", (("NYPD", 1.0, 0.0),), 1.6, 1.0, 1.5, False),
    ("Water System", (("DEP", 1.0, 0.0),), 2.6, 1.5, 2.0, False),
    ("Street Light Condition", (("DOT", 1.0, 0.0),), 4.4, 1.5, 1.0, False),
    ("ELECTRIC", (("HPD", 1.0, 0.0),), 4.9, 1.5, 1.0, False),
    ("GENERAL", (("HPD", 1.0, 0.0),), 5.3, 1.5, 1.0, False),
    ("Rodent", (("DOHMH", 1.0, 0.0),), 5.6, 1.0, 2.0, False),
    ("Traffic Signal Condition", (("DOT", 1.0, 0.0),), 1.8, 1.0, 1.0, False),
    ("Sidewalk Condition", (("DOT", 0.8, 0.0), ("DPR", 0.2, -1.0)), 5.8, 0.8, 0.8, False),
    ("Missed Collection", (("DSNY", 1.0, 0.0),), 3.2, 1.0, 1.0, False),
    ("Illegal Dumping", (("DSNY", 1.0, 0.0),), 4.0, 0.5, 0.7, False),
    ("Damaged Tree", (("DPR", 1.0, 0.0),), 4.3, 0.6, 1.5, False),
    ("Lead", (("HPD", 0.6, 0.0), ("DOHMH", 0.4, 1.2)), 5.0, 0.8, 0.6, False),
    ("Sewer", (("DEP", 1.0, 0.0),), 2.4, 0.6, 0.8, False),
    ("Building/Use", (("DOB", 1.0, 0.0),), 5.0, 0.8, 0.8, False),
    ("General Construction/Plumbing", (("DOB", 1.0, 0.0),), 5.2, 0.6, 0.6, False),
    ("Elevator", (("DOB", 1.0, 0.0),), 4.8, 0.5, 0.5, False),
    ("Food Establishment", (("DOHMH", 1.0, 0.0),), 5.4, 0.5, 0.5, False),
    ("Consumer Complaint", (("DCWP", 1.0, 0.0),), 5.5, 0.5, 0.5, False),
    ("Taxi Complaint", (("TLC", 1.0, 0.0),), 5.9, 0.4, 0.4, False),
    ("Drug Activity", (("NYPD", 1.0, 0.0),), 1.2, 0.5, 0.6, True),
    ("Derelict Vehicles", (("DSNY", 1.0, 0.0),), 5.0, 0.3, 0.3, False),
    ("Snow or Ice", (("DSNY", 1.0, 0.0),), 3.0, 0.4, 0.0, False),
    ("Mosquitoes", (("DOHMH", 1.0, 0.0),), 5.2, 0.0, 0.4, False),
    ("Overgrown Tree/Branches", (("DPR", 1.0, 0.0),), 5.6, 0.2, 0.8, False),
    ("Maintenance or Facility", (("DPR", 1.0, 0.0),), 3.7, 0.3, 0.6, False),
    ("Panhandling", (("NYPD", 1.0, 0.0),), 1.1, 0.3, 0.3, False),
    ("Noise - Park", (("NYPD", 1.0, 0.0),), 0.9, 0.1, 0.8, True),
    ("Noise - Helicopter", (("EDC", 1.0, 0.0),), 2.0, 0.3, 0.4, False),
    ("Air Quality", (("DEP", 1.0, 0.0),), 4.6, 0.3, 0.4, False),
    ("Indoor Air Quality", (("DOHMH", 1.0, 0.0),), 5.5, 0.2, 0.2, False),
)
_CHANNELS = ("PHONE", "ONLINE", "MOBILE", "UNKNOWN", "OTHER")
_CHANNEL_P = np.array([0.38, 0.22, 0.31, 0.08, 0.01])
# Requests an agency logs itself (channel UNKNOWN) tend to be closed a little faster.
_CHANNEL_EFFECT = np.array([0.0, 0.05, 0.0, -0.3, 0.1])
# Hour-of-creation profiles (relative weights, 0-23): daytime and nighttime complaints.
_DAY_HOURS = np.array([1, 1, 1, 1, 1, 2, 3, 5, 8, 9, 9, 9, 8, 8, 8, 7, 7, 6, 5, 4, 3, 3, 2, 1.0])
_NIGHT_HOURS = np.array([9, 7, 5, 3, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 4, 5, 6, 8, 9, 9.0])
# Summer requests take slightly longer (vacations); month adds almost nothing in the notes.
_SUMMER_EFFECT = 0.2
_NOISE_SD = 0.98  # within type x agency cell, log1p(hours)
_P_ZERO = 0.06  # closed the second it was created (duplicates, auto-closed)
_P_NEGATIVE = 0.006  # closed before created: data-entry errors in the real export


def simulate(
    n: int,
    seed: int = 42,
    *,
    months: Sequence[str] = DEFAULT_MONTHS,
    boroughs: Sequence[str] = DEFAULT_BOROUGHS,
) -> pd.DataFrame:
    """Simulate ``n`` closed 311 requests with the real export's columns and structure.

    Rows are spread evenly over ``months`` and ``boroughs``. The complaint mix moves with
    the season (January: HEAT/HOT WATER about 30 %; July: residential and street noise
    and illegal fireworks, the fireworks around the 4th). ``log1p(response_hours)`` is a
    complaint-type mean plus an agency offset for types two agencies share (e.g.
    Homeless Person Assistance: DHS or NYPD; Lead: HPD or DOHMH), a small channel effect,
    a slight summer delay and Gaussian noise. About 6 % of requests close the second they
    open, 0.6 % before, and slow types exceed 30 days, so the notes' filter
    ``0 < response_hours < 720`` drops about 9 %. After that filter and the notes'
    lumping (20 complaint types, 15 agencies), complaint type explains about 0.64 of the
    variance of ``log1p(response_hours)``, agency adds about 0.10, month almost nothing.

    Returns a DataFrame with the columns and dtypes of :func:`load_311`, sorted by
    ``created_date``. Same ``seed``, same frame (NumPy ``default_rng``).
    """
    n = check_int("n", n, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    boroughs = _check_boroughs(boroughs)
    if isinstance(months, str) or not months:
        raise ParameterError(f"months must be a non-empty sequence of 'YYYY-MM'; got {months!r}")
    months = tuple(_paths.check_month("month", m) for m in months)
    rng = np.random.default_rng(seed)

    month_idx = rng.integers(len(months), size=n)
    mon = np.array([int(m[5:]) for m in months])[month_idx]
    # Season weight: 0 in January, 1 in July, a cosine in between.
    summer = (1 - np.cos(2 * np.pi * (mon - 1) / 12)) / 2
    winter_w = np.array([t[3] for t in _TYPES])
    summer_w = np.array([t[4] for t in _TYPES])
    winter_p, summer_p = winter_w / winter_w.sum(), summer_w / summer_w.sum()
    type_idx = np.empty(n, dtype=np.int64)
    u = rng.random(n)
    # One inverse-CDF draw per distinct season value, i.e. per month.
    for s in np.unique(summer):
        rows = summer == s
        cdf = np.cumsum((1 - s) * winter_p + s * summer_p)
        type_idx[rows] = np.minimum(np.searchsorted(cdf, u[rows], side="right"), len(_TYPES) - 1)

    # Agency: the type's first agency unless a shared type draws its second.
    names = np.array(sorted({a for t in _TYPES for a, _, _ in t[1]}))
    first = np.array([np.searchsorted(names, t[1][0][0]) for t in _TYPES])
    second = np.array([np.searchsorted(names, t[1][-1][0]) for t in _TYPES])
    p_second = np.array([t[1][-1][1] if len(t[1]) > 1 else 0.0 for t in _TYPES])
    off_first = np.array([t[1][0][2] for t in _TYPES])
    off_second = np.array([t[1][-1][2] for t in _TYPES])
    use_second = rng.random(n) < p_second[type_idx]
    agency_idx = np.where(use_second, second[type_idx], first[type_idx])
    offset = np.where(use_second, off_second[type_idx], off_first[type_idx])

    channel_idx = np.searchsorted(np.cumsum(_CHANNEL_P), rng.random(n), side="right")
    channel_idx = np.minimum(channel_idx, len(_CHANNELS) - 1)
    borough_idx = rng.integers(len(boroughs), size=n)

    # Creation time: uniform day of month (fireworks cluster on the 1st-5th), hour from
    # a day or night profile, uniform second within the hour.
    years = np.array([int(m[:4]) for m in months])[month_idx]
    days_in = np.array([calendar.monthrange(int(m[:4]), int(m[5:]))[1] for m in months])
    day = np.floor(rng.random(n) * days_in[month_idx]).astype(np.int64)
    fireworks = type_idx == [t[0] for t in _TYPES].index("Illegal Fireworks")
    early = fireworks & (rng.random(n) < 0.65)
    day[early] = rng.integers(0, 5, size=int(early.sum()))
    night = np.array([t[5] for t in _TYPES])[type_idx]
    u = rng.random(n)
    hour = np.where(
        night,
        np.searchsorted(np.cumsum(_NIGHT_HOURS) / _NIGHT_HOURS.sum(), u, side="right"),
        np.searchsorted(np.cumsum(_DAY_HOURS) / _DAY_HOURS.sum(), u, side="right"),
    )
    hour = np.minimum(hour, 23)
    second_of_hour = rng.integers(0, 3600, size=n)
    month_start = ((years - 1970) * 12 + mon - 1).astype("datetime64[M]").astype("datetime64[s]")
    created = month_start + (day * 86400 + hour * 3600 + second_of_hour).astype("timedelta64[s]")

    # Response time in whole seconds, from log1p(hours).
    mu = np.array([t[2] for t in _TYPES])[type_idx] + offset + _CHANNEL_EFFECT[channel_idx]
    mu += _SUMMER_EFFECT * summer
    log_hours = mu + rng.normal(0.0, _NOISE_SD, size=n)
    # Reflect at 0 (log1p of hours cannot be negative) rather than pile mass on 0 hours.
    seconds = np.rint(np.expm1(np.abs(log_hours)) * 3600.0).astype(np.int64)
    kind = rng.random(n)
    seconds[kind < _P_ZERO] = 0
    negative = (kind >= _P_ZERO) & (kind < _P_ZERO + _P_NEGATIVE)
    seconds[negative] = -rng.integers(60, 48 * 3600, size=int(negative.sum()))
    closed = created + seconds.astype("timedelta64[s]")

    frame = pd.DataFrame(
        {
            "created_date": created.astype("datetime64[ns]"),
            "closed_date": closed.astype("datetime64[ns]"),
            "complaint_type": np.array([t[0] for t in _TYPES])[type_idx],
            "agency": names[agency_idx],
            "open_data_channel_type": np.array(_CHANNELS)[channel_idx],
            "borough": np.array(boroughs)[borough_idx],
            "response_hours": seconds / 3600.0,
        }
    )
    return frame.sort_values("created_date", kind="stable").reset_index(drop=True)
