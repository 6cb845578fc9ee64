"""Training from parquet streamed in batches against the same training from memory.

For ``docs/scaling.md``: ``K`` synthetic months (``bench.synthetic_month``, different
seeds) stand for a year of trips. Months 1..K-1 are the training rows, a 200,000-trip
sample of month K the test rows. Two children train the taxi network (notes'
architecture, Adam 1e-3, MAE loss, no validation) for the same epochs and batch size:

* ``memory``: every filtered training trip read with ``read_trips`` into one array,
  ``model.fit`` on it;
* ``stream``: the package's ``nnlabs.data.stream.TripStream``, never more than one
  parquet batch plus a shuffle buffer in memory. A first pass computes the row count
  and per-column sums (for the standardization) with the same projection and filter
  pushed into the scan; each epoch then visits the files in a random order, fills a
  buffer of ``SHUFFLE_ROWS`` rows, shuffles it and yields minibatches to ``model.fit``.

The in-memory limit is ``--limit-mib`` for the training data: the months' training arrays
exceed it, the most the stream holds at once (rows buffered times their bytes) stays
under it. Reported: test MAE of both, time per epoch, each child's peak RSS (the
framework's own memory is in both; the difference is the data).
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import time
from pathlib import Path
from typing import Any

from bench import _common

FULL = {"months": 3, "epochs": 2, "batch": 4096, "limit_mib": 128, "repeats": 3}
QUICK = {"months": 2, "epochs": 1, "batch": 4096, "limit_mib": 32, "rows": 1_500_000, "repeats": 1}
SHUFFLE_ROWS = 262_144
SCAN_BATCH_ROWS = 65_536
TEST_ROWS = 200_000
SEED = 42


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _test_set(path: Path, mean, sd):
    import numpy as np

    from nnlabs.data.taxi import read_trips
    from nnlabs.labs.taxi import PREDICTORS, RESPONSE

    trips = read_trips(path, n=TEST_ROWS, seed=SEED)
    x = trips[list(PREDICTORS)].to_numpy(dtype=np.float64)
    return ((x - mean) / sd).astype(np.float32), trips[RESPONSE].to_numpy(dtype=np.float32)


def child(mode: str, paths: list[Path], epochs: int, batch: int, seed: int) -> dict[str, Any]:
    """One child process's measurement (run in a fresh interpreter); returns its figures."""
    import keras
    import numpy as np

    import nnlabs  # first: it sets the Keras backend
    from nnlabs.data.stream import BUFFER_ROW_BYTES, TripStream
    from nnlabs.data.taxi import read_trips
    from nnlabs.labs import taxi

    nnlabs.set_seed(seed)
    train, test = paths[:-1], paths[-1]
    model = taxi.build_network(taxi.TaxiSettings(), len(taxi.PREDICTORS))
    rss_setup = _rss_mib()
    timer = _common.epoch_timer()
    start = time.perf_counter()
    if mode == "memory":
        frames = [read_trips(p) for p in train]
        x = np.concatenate([f[list(taxi.PREDICTORS)].to_numpy(np.float64) for f in frames])
        y = np.concatenate([f[taxi.RESPONSE].to_numpy(np.float32) for f in frames])
        del frames
        mean, sd = x.mean(axis=0), x.std(axis=0)
        x = ((x - mean) / sd).astype(np.float32)
        n = len(y)
        data_bytes = x.nbytes + y.nbytes
        read_s = time.perf_counter() - start
        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
        held = None
    else:
        stream = TripStream(
            train,
            batch_size=batch,
            shuffle_rows=SHUFFLE_ROWS,
            scan_rows=SCAN_BATCH_ROWS,
            seed=seed,
        ).fit()
        n, mean, sd = stream.n_rows_, stream.mean_, stream.scale_
        data_bytes = None
        read_s = time.perf_counter() - start
        model.fit(
            stream.batches(),
            steps_per_epoch=stream.steps_per_epoch,
            epochs=epochs,
            verbose=0,
            callbacks=[timer],
        )
        held = stream.max_rows_held_
    wall = time.perf_counter() - start
    x_te, y_te = _test_set(test, mean, sd)
    pred = model.predict(x_te, batch_size=8192, verbose=0).reshape(-1)
    peak = _rss_mib()
    return {
        "mode": mode,
        "seed": seed,
        "backend": keras.backend.backend(),
        "train_rows": int(n),
        "train_array_mib": round(n * 8 * 4 / 1024**2, 1),
        "data_bytes_in_memory": data_bytes,
        "stream_max_rows_held": held if mode == "stream" else None,
        # float32 features and target, their shuffled copy and the scan batch they came in
        "stream_max_buffer_mib": (
            round(held * BUFFER_ROW_BYTES / 1024**2, 1) if mode == "stream" else None
        ),
        "prepare_s": round(read_s, 2),
        "epoch_s": [round(s, 2) for s in timer.seconds],
        "wall_s": round(wall, 2),
        "test_mae": float(np.mean(np.abs(pred - y_te))),
        "rss_after_setup_mib": round(rss_setup, 1),
        "peak_rss_mib": round(peak, 1),
        "peak_minus_setup_mib": round(peak - rss_setup, 1),
    }


def months(k: int, rows: int | None = None) -> list[Path] | None:
    """``k`` synthetic months in ``bench/_work/stream`` (seeds 2023, 2024, ...)."""
    from bench.synthetic_month import MONTH_ROWS, ensure_month

    sample = _common.real_sample()
    if sample is None:
        return None
    rows = rows or MONTH_ROWS
    folder = _common.WORK / "stream"
    return [
        ensure_month(sample, folder / f"month_{i + 1:02d}_{rows}.parquet", rows=rows, seed=2023 + i)
        for i in range(k)
    ]


def run(quick: bool = False, **overrides: Any) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    mode = {**(QUICK if quick else FULL), **overrides}
    paths = months(mode["months"], mode.get("rows"))
    if paths is None:
        return {"skipped": "no real taxi sample in NNLABS_DATA_DIR to build months from"}
    backend = "jax" if importlib.util.find_spec("jax") is not None else "tensorflow"
    out: dict[str, Any] = {"settings": mode, "backend": backend, "runs": []}
    for r in range(mode["repeats"]):
        for kind in ("memory", "stream"):
            print(f"  streaming: {kind} ({r + 1}/{mode['repeats']})", flush=True)
            argv = _common.python_module(
                "bench.streaming",
                kind,
                "--epochs",
                str(mode["epochs"]),
                "--batch",
                str(mode["batch"]),
                "--seed",
                str(SEED + r),
                "--paths",
                *map(str, paths),
            )
            log = _common.logs_dir() / f"stream_{kind}_{r}.log"
            res = _common.run_child(argv, env={"NNLABS_BACKEND": backend}, log=log)
            out["runs"].append(res)
    mem = [run for run in out["runs"] if run["mode"] == "memory"]
    stream = [run for run in out["runs"] if run["mode"] == "stream"]
    diffs = [s["test_mae"] - m["test_mae"] for s, m in zip(stream, mem, strict=True)]
    out["summary"] = {
        "limit_mib": mode["limit_mib"],
        "train_array_mib": mem[0]["train_array_mib"],
        "dataset_exceeds_limit": mem[0]["train_array_mib"] > mode["limit_mib"],
        "stream_buffer_mib": max(run["stream_max_buffer_mib"] for run in stream),
        "stream_within_limit": max(run["stream_max_buffer_mib"] for run in stream)
        < mode["limit_mib"],
        "peak_rss_memory_mib": max(run["peak_rss_mib"] for run in mem),
        "peak_rss_stream_mib": max(run["peak_rss_mib"] for run in stream),
        "mae_memory": [run["test_mae"] for run in mem],
        "mae_stream": [run["test_mae"] for run in stream],
        "mae_difference": _interval(diffs),
    }
    return out


def _interval(values: list[float]) -> dict[str, float]:
    """Mean and 95% t interval of paired differences (nan bounds with one repeat)."""
    from bench.taxi_fit import _interval as t_interval

    return t_interval(values)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["memory", "stream", "all"])
    parser.add_argument("--paths", nargs="+", type=Path, default=[])
    parser.add_argument("--epochs", type=int, default=FULL["epochs"])
    parser.add_argument("--batch", type=int, default=FULL["batch"])
    parser.add_argument("--months", type=int, default=FULL["months"])
    parser.add_argument("--limit-mib", type=int, default=FULL["limit_mib"])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, help="with 'all': write the result JSON here")
    args = parser.parse_args(argv)
    if args.mode == "all":
        import json

        result = run(
            months=args.months, epochs=args.epochs, batch=args.batch, limit_mib=args.limit_mib
        )
        text = json.dumps(result, indent=2)
        if args.out:
            args.out.write_text(text)
        print(text)
        return
    _common.emit(child(args.mode, args.paths, args.epochs, args.batch, args.seed))


if __name__ == "__main__":
    main()
