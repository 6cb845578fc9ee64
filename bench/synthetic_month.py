"""A synthetic month of yellow-taxi trips with TLC's schema, for full-size benchmarks.

Only the first 100,000 rows of ``yellow_tripdata_2023-01.parquet`` are available here,
but the notes read the whole month (3,066,766 rows). This module writes a file of that
size and schema whose distributions come from the real sample:

* each synthetic trip starts from a real trip drawn at random (its zone pair, rate code,
  payment type, vendor, passenger count, tolls, surcharges and tip rate come with it);
* distance and duration are the drawn trip's, each times a small log-normal jitter, so
  the zone-pair / distance / duration structure is the sample's but no row is a copy;
* pickups are spread over the 31 days of January at the drawn trip's time of day (the
  sample covers only January 1-2);
* ``fare_amount`` follows TLC's rate card from 2022-12-19: $3.00 plus $0.70 per fifth
  of a mile, or per minute in slow traffic (time beyond the distance at 17 mph, the
  speed that fits the sample's metered fares best); JFK trips (RatecodeID 2) are a flat
  $70; Newark (3) is the meter plus $20. Negotiated and other codes keep the real fare.
  Refunds (negative real fares) stay negative, so the filters see the same oddities;
* as in the real month, the last ~71.7k rows have no passenger_count, RatecodeID,
  store_and_fwd_flag, congestion_surcharge or airport_fee.

Run ``python -m bench.synthetic_month --out FILE`` (``--rows`` for a smaller file).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

MONTH_ROWS = 3_066_766  # rows of the real yellow_tripdata_2023-01.parquet
NULL_TAIL_ROWS = 71_700  # rows at the end of the real month with null passenger_count etc.
ROW_GROUP_ROWS = 1_048_576
MONTH_START = np.datetime64("2023-01-01T00:00:00", "us")
DAYS = 31
# Rate card (TLC yellow, from 2022-12-19), dollars; speeds in mph.
INITIAL_CHARGE = 3.00
UNIT_CHARGE = 0.70  # per 1/5 mile, or per minute in slow traffic
UNITS_PER_MILE = 5
FREE_FLOW_MPH = 17.0
JFK_FLAT = 70.00
NEWARK_SURCHARGE = 20.00
STANDARD, JFK, NEWARK = 1, 2, 3
# Spread of the multiplicative jitter on distance and duration (log scale).
DISTANCE_JITTER = 0.05
DURATION_JITTER = 0.10

SCHEMA = pa.schema(
    [
        ("VendorID", pa.int64()),
        ("tpep_pickup_datetime", pa.timestamp("us")),
        ("tpep_dropoff_datetime", pa.timestamp("us")),
        ("passenger_count", pa.float64()),
        ("trip_distance", pa.float64()),
        ("RatecodeID", pa.float64()),
        ("store_and_fwd_flag", pa.string()),
        ("PULocationID", pa.int64()),
        ("DOLocationID", pa.int64()),
        ("payment_type", pa.int64()),
        ("fare_amount", pa.float64()),
        ("extra", pa.float64()),
        ("mta_tax", pa.float64()),
        ("tip_amount", pa.float64()),
        ("tolls_amount", pa.float64()),
        ("improvement_surcharge", pa.float64()),
        ("total_amount", pa.float64()),
        ("congestion_surcharge", pa.float64()),
        ("airport_fee", pa.float64()),
    ]
)
NULL_TAIL_COLUMNS = (
    "passenger_count",
    "RatecodeID",
    "store_and_fwd_flag",
    "congestion_surcharge",
    "airport_fee",
)
# Added to fare and tip in total_amount; copied from the drawn real trip.
SURCHARGES = (
    "extra",
    "mta_tax",
    "tolls_amount",
    "improvement_surcharge",
    "congestion_surcharge",
    "airport_fee",
)
_COPIED = (
    "VendorID",
    "passenger_count",
    "RatecodeID",
    "store_and_fwd_flag",
    "PULocationID",
    "DOLocationID",
    "payment_type",
    *SURCHARGES,
)


def metered_fare(distance: np.ndarray, minutes: np.ndarray) -> np.ndarray:
    """Standard-rate meter in dollars for trips of ``distance`` miles and ``minutes``."""
    slow_minutes = np.maximum(0.0, minutes - 60.0 * distance / FREE_FLOW_MPH)
    units = np.round(UNITS_PER_MILE * distance + slow_minutes)
    return INITIAL_CHARGE + UNIT_CHARGE * units


def synthesize(sample: pa.Table, rows: int, seed: int) -> pa.Table:
    """Draw ``rows`` synthetic trips from ``sample`` (a real TLC yellow table)."""
    rng = np.random.default_rng(seed)
    src = {name: sample.column(name).to_numpy(zero_copy_only=False) for name in SCHEMA.names}
    pick = rng.integers(0, sample.num_rows, size=rows)
    out: dict[str, np.ndarray] = {name: src[name][pick] for name in _COPIED}

    pickup = src["tpep_pickup_datetime"][pick].astype("datetime64[us]")
    dropoff = src["tpep_dropoff_datetime"][pick].astype("datetime64[us]")
    minutes = (dropoff - pickup).astype(np.int64) / 60e6
    minutes = minutes * np.exp(rng.normal(0.0, DURATION_JITTER, rows))
    distance = src["trip_distance"][pick] * np.exp(rng.normal(0.0, DISTANCE_JITTER, rows))
    distance = np.round(distance, 2)

    # Same time of day as the drawn trip, on a random day of the month; the sample's few
    # trips with out-of-month dates (real meter errors) keep their dates.
    day_start = pickup.astype("datetime64[D]").astype("datetime64[us]")
    in_month = (day_start >= MONTH_START) & (day_start < MONTH_START + np.timedelta64(DAYS, "D"))
    day = rng.integers(0, DAYS, size=rows).astype("timedelta64[D]").astype("timedelta64[us]")
    new_pickup = np.where(in_month, MONTH_START + day + (pickup - day_start), pickup)
    new_dropoff = new_pickup + (minutes * 60e6).astype(np.int64).astype("timedelta64[us]")

    real_fare = src["fare_amount"][pick]
    code = np.nan_to_num(out["RatecodeID"], nan=0.0).astype(np.int64)
    meter = metered_fare(distance, minutes)
    fare = np.select(
        [code == STANDARD, code == JFK, code == NEWARK],
        [meter, np.full(rows, JFK_FLAT), meter + NEWARK_SURCHARGE],
        # Negotiated, Nassau/Westchester and unknown codes: the real fare, scaled with
        # the distance so that it moves with the jitter.
        default=real_fare
        * np.divide(
            distance,
            src["trip_distance"][pick],
            out=np.ones(rows),
            where=src["trip_distance"][pick] > 0,
        ),
    )
    fare = np.round(np.sign(real_fare) * fare, 2)
    tip_rate = np.divide(
        src["tip_amount"][pick], np.abs(real_fare), out=np.zeros(rows), where=real_fare != 0
    )
    tip = np.round(tip_rate * np.abs(fare), 2)
    out.update(
        tpep_pickup_datetime=new_pickup,
        tpep_dropoff_datetime=new_dropoff,
        trip_distance=distance,
        fare_amount=fare,
        tip_amount=tip,
    )
    total = fare + tip + sum(np.nan_to_num(out[c].astype(np.float64)) for c in SURCHARGES)
    out["total_amount"] = np.round(total, 2)

    arrays = []
    tail = np.zeros(rows, dtype=bool)
    tail[max(0, rows - round(NULL_TAIL_ROWS * rows / MONTH_ROWS)) :] = True
    for field in SCHEMA:
        values = out[field.name]
        mask = tail if field.name in NULL_TAIL_COLUMNS else None
        arrays.append(pa.array(values, type=field.type, mask=mask, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def write_month(sample_path: Path, out: Path, *, rows: int = MONTH_ROWS, seed: int = 2023) -> Path:
    """Write a synthetic month of ``rows`` trips to ``out`` (parquet, snappy); return ``out``.

    Written to a temporary name first, then renamed, so a half-written file never exists
    under ``out``.
    """
    sample = pq.read_table(sample_path)
    missing = [name for name in SCHEMA.names if name not in sample.column_names]
    if missing:
        raise ValueError(f"{sample_path}: not a yellow TLC file; missing {', '.join(missing)}")
    table = synthesize(sample, rows, seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    pq.write_table(table, tmp, row_group_size=ROW_GROUP_ROWS, compression="snappy")
    tmp.replace(out)
    return out


def ensure_month(sample_path: Path, out: Path, *, rows: int = MONTH_ROWS, seed: int = 2023) -> Path:
    """``out`` if it already holds ``rows`` rows, else a freshly written month."""
    if out.exists():
        try:
            if pq.ParquetFile(out).metadata.num_rows == rows:
                return out
        except (OSError, pa.ArrowException):
            pass
    return write_month(sample_path, out, rows=rows, seed=seed)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, required=True, help="the real 100k-row sample")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=MONTH_ROWS)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    write_month(args.sample, args.out, rows=args.rows, seed=args.seed)
    size = args.out.stat().st_size / 1024**2
    took = time.perf_counter() - start
    print(f"wrote {args.rows:,} rows to {args.out} ({size:.1f} MiB) in {took:.1f} s")


if __name__ == "__main__":
    main()
