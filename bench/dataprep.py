"""Data preparation at full size: a 3,066,766-row month to training arrays.

Each variant runs in a fresh child process, so its peak resident memory (``VmHWM``)
is its own; the clock starts after the imports and stops when the float32 training and
test arrays exist:

* ``nnlabs_sample``: the taxi lab's path at the notes' settings:
  ``nnlabs.data.taxi.read_trips`` (projection and filter pushed into the parquet scan),
  a 300,000-trip sample, the 80/20 split and standardization with the training rows;
* ``nnlabs_all``: the same with every filtered trip (the GPU run's input);
* ``pandas_full_read``: the notes' way in pandas for comparison: read every column of the
  file, derive duration/hour/weekday, filter with boolean masks, sample, split, scale.

The month is ``bench.synthetic_month``'s (only a 100k-row sample of the real file is
available here); it is written once to ``bench/_work`` from the real sample.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from bench import _common

VARIANTS = ("nnlabs_sample", "nnlabs_all", "pandas_full_read")
SAMPLE_ROWS = 300_000
TEST_FRACTION = 0.2
SEED = 42
FULL = {"repeats": 3, "rows": None}
QUICK = {"repeats": 1, "rows": 300_000}
MONTH_NAME = "yellow_tripdata_2023-01_synthetic.parquet"


def _peak_rss_mib() -> float:
    return _common.proc_status_mib("VmHWM")


def _arrays(frame, n_sample: int | None):
    """Sample (optional), split 80/20 and standardize; float32 arrays as the lab feeds them."""
    import numpy as np

    from nnlabs.design.features import fit_scaler
    from nnlabs.labs.taxi import PREDICTORS, RESPONSE
    from nnlabs.splits import random_split

    x = frame[list(PREDICTORS)].to_numpy(dtype=np.float64)
    y = frame[RESPONSE].to_numpy(dtype=np.float32)
    split = random_split(len(y), TEST_FRACTION, SEED)
    xs = fit_scaler(x, split.train, "train").transform(x).astype(np.float32)
    return xs[split.train], y[split.train], xs[split.test], y[split.test]


def _pandas_full_read(path: Path):
    """Everything in memory first, then filter: how the notes' R code reads the month."""
    import numpy as np
    import pandas as pd

    raw = pd.read_parquet(path)
    pick, drop = raw["tpep_pickup_datetime"], raw["tpep_dropoff_datetime"]
    frame = pd.DataFrame(
        {
            "fare_amount": raw["fare_amount"],
            "trip_distance": raw["trip_distance"],
            "passenger_count": raw["passenger_count"],
            "PULocationID": raw["PULocationID"],
            "DOLocationID": raw["DOLocationID"],
            "hour_of_day": pick.dt.hour,
            "day_of_week": (pick.dt.dayofweek + 1) % 7 + 1,  # lubridate wday: Sunday = 1
            "duration_min": (drop - pick).dt.total_seconds() / 60.0,
        }
    )
    keep = (
        frame["duration_min"].between(1, 120, inclusive="neither")
        & frame["trip_distance"].between(0.1, 50, inclusive="neither")
        & (frame["passenger_count"] >= 1)
        & frame["fare_amount"].between(2.5, 200, inclusive="neither")
        & (frame["PULocationID"] <= 263)
        & (frame["DOLocationID"] <= 263)
    )
    frame = frame[keep].dropna()
    n = min(SAMPLE_ROWS, len(frame))  # a quick-mode file may hold fewer
    rows = np.random.default_rng(SEED).choice(len(frame), size=n, replace=False)
    return frame.iloc[rows].reset_index(drop=True)


def child(variant: str, path: Path) -> dict[str, Any]:
    """One child process's measurement (run in a fresh interpreter); returns its figures."""
    import numpy as np  # noqa: F401  (imports stay outside the timed region)
    import pandas as pd  # noqa: F401
    import pyarrow.dataset  # noqa: F401

    from nnlabs.data.taxi import read_trips
    from nnlabs.labs import taxi  # noqa: F401

    rss_before = _peak_rss_mib()
    start = time.perf_counter()
    if variant == "nnlabs_sample":
        frame = read_trips(path, n=SAMPLE_ROWS, seed=SEED)
    elif variant == "nnlabs_all":
        frame = read_trips(path)
    else:
        frame = _pandas_full_read(path)
    read_s = time.perf_counter() - start
    x_tr, y_tr, x_te, y_te = _arrays(frame, None)
    total_s = time.perf_counter() - start
    return {
        "variant": variant,
        "seconds": round(total_s, 3),
        "read_filter_sample_s": round(read_s, 3),
        "peak_rss_mib": round(_peak_rss_mib(), 1),
        "rss_after_imports_mib": round(rss_before, 1),
        "train_rows": len(y_tr),
        "test_rows": len(y_te),
        "array_bytes": int(x_tr.nbytes + y_tr.nbytes + x_te.nbytes + y_te.nbytes),
    }


def month_path(rows: int | None = None) -> Path | None:
    """The synthetic month in ``bench/_work`` (written on first use); None without a sample."""
    from bench.synthetic_month import MONTH_ROWS, ensure_month

    sample = _common.real_sample()
    if sample is None:
        return None
    rows = rows or MONTH_ROWS
    name = MONTH_NAME if rows == MONTH_ROWS else f"synthetic_{rows}.parquet"
    return ensure_month(sample, _common.WORK / name, rows=rows)


def run(quick: bool = False) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    mode = QUICK if quick else FULL
    start = time.perf_counter()
    path = month_path(mode["rows"])
    if path is None:
        return {"skipped": "NNLABS_DATA_DIR has no yellow_tripdata_2023-01_head100k.parquet"}
    generate_s = time.perf_counter() - start
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    runs = []
    for r in range(mode["repeats"]):
        for variant in VARIANTS:
            print(f"  dataprep {variant} ({r + 1}/{mode['repeats']})", flush=True)
            argv = _common.python_module("bench.dataprep", "child", variant, str(path))
            out = _common.run_child(argv, log=_common.logs_dir() / f"dataprep_{variant}.log")
            out["repeat"] = r
            out["load"] = _common.load_average()
            runs.append(out)
    summary = {}
    for variant in VARIANTS:
        mine = [run for run in runs if run["variant"] == variant]
        summary[variant] = {
            "median_s": round(_common.median([m["seconds"] for m in mine]), 3),
            "max_peak_rss_mib": max(m["peak_rss_mib"] for m in mine),
            "train_rows": mine[0]["train_rows"],
            "test_rows": mine[0]["test_rows"],
        }
    base = summary["pandas_full_read"]["median_s"]
    summary["nnlabs_sample"]["speedup_vs_pandas"] = round(
        base / summary["nnlabs_sample"]["median_s"], 2
    )
    return {
        "file": path.name,
        "file_rows": meta.num_rows,
        "file_mib": round(path.stat().st_size / 1024**2, 1),
        "row_groups": meta.num_row_groups,
        "generate_s": round(generate_s, 2),
        "runs": runs,
        "summary": summary,
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("child")
    c.add_argument("variant", choices=VARIANTS)
    c.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    _common.emit(child(args.variant, args.path))


if __name__ == "__main__":
    main()
