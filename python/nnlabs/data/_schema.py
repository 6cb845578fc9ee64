"""Required columns and types of each source, and the adapter that maps file names to ours.

Checks read only the parquet footer (``pyarrow.parquet.read_schema``), so a file with a
wrong schema is rejected before any data is read. Errors name the file and the column:
``".../yellow_tripdata_2023-01.parquet: missing required column 'fare_amount'"``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from nnlabs.errors import DataError

TAXI_COLORS = ("yellow", "green")
# TLC prefixes its datetime columns by vendor system: tpep (yellow), lpep (green).
DATETIME_PREFIX = {"yellow": "tpep", "green": "lpep"}

# Columns the taxi lab reads, by their common name, with the kind each must have.
# pickup/dropoff are adapted from tpep_*/lpep_* (see taxi_columns).
TAXI_KINDS: dict[str, str] = {
    "pickup_datetime": "timestamp",
    "dropoff_datetime": "timestamp",
    "passenger_count": "number",
    "trip_distance": "number",
    "PULocationID": "number",
    "DOLocationID": "number",
    "fare_amount": "number",
}

# Columns of the NYC 311 frames (the real export's names), in output order.
NYC311_KINDS: dict[str, str] = {
    "created_date": "datetime",
    "closed_date": "datetime",
    "complaint_type": "string",
    "agency": "string",
    "open_data_channel_type": "string",
    "borough": "string",
    "response_hours": "number",
}

ZONE_COLUMNS = ("LocationID", "Borough", "Zone", "service_zone")

_KIND_TEXT = {
    "timestamp": "a timestamp",
    "datetime": "a timestamp or an ISO 8601 date string",
    "number": "numeric (integer or floating point)",
    "string": "text",
}


def _is_string(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return pa.types.is_string(t) or pa.types.is_large_string(t)


def type_matches(t: pa.DataType, kind: str) -> bool:
    """True if arrow type ``t`` is of ``kind`` (timestamp, datetime, number, string)."""
    if kind == "timestamp":
        return pa.types.is_timestamp(t)
    if kind == "datetime":
        return pa.types.is_timestamp(t) or _is_string(t)
    if kind == "number":
        return pa.types.is_integer(t) or pa.types.is_floating(t)
    if kind == "string":
        return _is_string(t)
    raise ValueError(f"unknown column kind {kind!r}")


def read_schema(path: str | os.PathLike[str]) -> pa.Schema:
    """Return the arrow schema of the parquet file ``path`` (footer only), or raise DataError."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        return pq.read_schema(path)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(f"{path}: not a readable parquet file ({exc})") from exc


def find_column(schema: pa.Schema, name: str) -> str | None:
    """Return the file's spelling of column ``name``: exact match first, then ignoring case."""
    if name in schema.names:
        return name
    lowered = [n for n in schema.names if n.lower() == name.lower()]
    return lowered[0] if lowered else None


def check_columns(schema: pa.Schema, kinds: Mapping[str, str], path: Path | str) -> None:
    """Raise DataError naming ``path`` and the column if one of ``kinds`` is missing or mistyped.

    ``kinds`` maps the file's column names to the kinds they must have.
    """
    for name, kind in kinds.items():
        if name not in schema.names:
            raise DataError(f"{path}: missing required column {name!r}")
        t = schema.field(name).type
        if not type_matches(t, kind):
            raise DataError(f"{path}: column {name!r} must be {_KIND_TEXT[kind]}; got {t}")


def detect_color(schema: pa.Schema, path: Path | str) -> str:
    """Return ``"yellow"`` or ``"green"`` from the datetime prefix (tpep_/lpep_) or file name."""
    names = [n.lower() for n in schema.names]
    for color, prefix in DATETIME_PREFIX.items():
        if f"{prefix}_pickup_datetime" in names:
            return color
    stem = Path(path).name.lower()
    for color in TAXI_COLORS:
        if stem.startswith(color):
            return color
    raise DataError(
        f"{path}: missing required column 'tpep_pickup_datetime' (yellow) or "
        f"'lpep_pickup_datetime' (green); cannot tell the taxi colour"
    )


def taxi_columns(schema: pa.Schema, color: str, path: Path | str) -> dict[str, str]:
    """Map each common taxi column name to the file's column name, checking presence and type.

    The adapter: ``pickup_datetime``/``dropoff_datetime`` come from ``tpep_*`` (yellow) or
    ``lpep_*`` (green); other names match exactly or, failing that, ignoring case (some
    re-saved copies lower-case them). Raises DataError naming the official column.
    """
    prefix = DATETIME_PREFIX[color]
    official = {
        name: (name.replace("pickup", f"{prefix}_pickup").replace("dropoff", f"{prefix}_dropoff"))
        if name.endswith("_datetime")
        else name
        for name in TAXI_KINDS
    }
    mapping: dict[str, str] = {}
    for common, wanted in official.items():
        actual = find_column(schema, wanted)
        if actual is None:
            raise DataError(f"{path}: missing required column {wanted!r}")
        mapping[common] = actual
    check_columns(schema, {mapping[c]: TAXI_KINDS[c] for c in TAXI_KINDS}, path)
    return mapping
