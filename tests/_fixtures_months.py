"""Synthetic months of yellow-taxi trips in TLC's schema, for the several-months tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from _fixtures_labs import synthetic_trips


def write_month(folder, month: str, n: int, *, seed: int, tag: int | None = None) -> None:
    """``n`` synthetic yellow trips picked up during ``month`` ("YYYY-MM"), in TLC's schema.

    Pickup times are spread over the month in time order, as in TLC's files; ``tag``
    sets every trip's passenger count, so a test can tell the months apart.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    trips = synthetic_trips(n, seed=seed)
    start = pd.Timestamp(f"{month}-01")
    span = (start + pd.offsets.MonthBegin(1) - start) / n
    pickup = start + span * np.arange(n)
    passengers = trips["passenger_count"] if tag is None else np.full(n, tag)
    frame = pd.DataFrame(
        {
            "VendorID": np.ones(n, dtype=np.int64),
            "tpep_pickup_datetime": pickup.astype("datetime64[us]"),
            "tpep_dropoff_datetime": (
                pickup + pd.to_timedelta(trips["duration_min"].astype(float), unit="m")
            ).astype("datetime64[us]"),
            "passenger_count": np.asarray(passengers, dtype=float),
            "trip_distance": trips["trip_distance"].astype(float),
            "RatecodeID": np.ones(n),
            "PULocationID": trips["PULocationID"].astype(np.int64),
            "DOLocationID": trips["DOLocationID"].astype(np.int64),
            "fare_amount": trips["fare_amount"].astype(float),
        }
    )
    frame.to_parquet(folder / f"yellow_tripdata_{month}.parquet", index=False)
