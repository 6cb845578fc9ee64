"""Training from parquet streamed in batches, past a memory budget, against one month in memory.

For issue 16 and ``docs/scaling.md``: ``K`` synthetic months (``bench.synthetic_month``,
TLC's schema, different seeds; about 3.07M trips each) stand for a quarter of trips.
Months 1..K are the training months, a 200,000-trip sample of month K+1 the test rows
(the split by time of ``taxi.run(months=...)``). Two kinds of child process train the
taxi network (``nnlabs.labs.taxi.build_network``: the notes' architecture, Adam 1e-3,
MAE loss, no validation) for the same epochs and batch size, in alternating order:

* ``stream``: all K training months through the package's
  ``nnlabs.data.stream.TripStream`` and ``NetworkRegressor.fit_stream``, never more than
  one scan batch plus a shuffle buffer of rows in memory. With ``--budget-mib`` 512 the
  lab itself would stream these months (``taxi.MEMORY_ROW_BYTES`` a trip in a frame);
* ``memory``: the first training month only, read with ``read_trips`` into arrays and
  trained by ``NetworkRegressor.fit``: the in-memory run the stream's epoch time is
  compared with, scaled by rows;
* ``stream_one``: the first training month only, streamed: the same trips as
  ``memory``, so their test MAEs and epoch times compare directly.

Peak memory is the process's ``VmHWM`` (Linux), reset once the backend is warm (a first
seeded tiny fit of a throw-away network of the same shape has imported what seeding
imports, compiled the training step and started pyarrow); reported as the peak above
the resident set at that moment (``peak_above_warm_mib``: what the data and the fit
added) and as the whole process's peak (``_common.proc_status_mib``).
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path
from typing import Any

from bench import _common

FULL = {"train_months": 3, "epochs": 2, "batch": 4096, "budget_mib": 512, "repeats": 5}
QUICK = {
    "train_months": 2,
    "epochs": 1,
    "batch": 4096,
    "budget_mib": 256,
    "rows": 300_000,
    "repeats": 1,
}
SHUFFLE_ROWS = 262_144
SCAN_BATCH_ROWS = 65_536
TEST_ROWS = 200_000
SEED = 42


def _warm_up(batch: int, warm_path: Path) -> None:
    """Compile a training step of the taxi network's shape and open pyarrow's scanner.

    Seeded like the measured fit: ``keras.utils.set_random_seed`` imports TensorFlow
    (about 500 MiB) whatever the backend, which is the framework's, not the data's.
    """
    import numpy as np

    from nnlabs.data.stream import TripStream
    from nnlabs.labs import taxi
    from nnlabs.models.estimators import NetworkRegressor

    def build(n):
        return taxi.build_network(taxi.TaxiSettings(), n, seed=0)

    net = NetworkRegressor(build, epochs=1, batch_size=batch, seed=0)
    net.fit(np.zeros((2 * batch, len(taxi.PREDICTORS))), np.zeros(2 * batch))
    net.fit_stream(TripStream([warm_path], batch_size=batch, scan_rows=8192).fit())


def _test_set(path: Path, mean, sd):
    import numpy as np

    from nnlabs.data.taxi import read_trips
    from nnlabs.labs.taxi import PREDICTORS, RESPONSE

    trips = read_trips(path, n=TEST_ROWS, seed=SEED)
    x = trips[list(PREDICTORS)].to_numpy(dtype=np.float64)
    return (x - mean) / sd, trips[RESPONSE].to_numpy(dtype=np.float64)


def _memory_arrays(paths: list[Path]):
    """The training months' trips as standardized (n, 7) predictors and fares."""
    import numpy as np

    from nnlabs.data.taxi import read_trips
    from nnlabs.labs.taxi import PREDICTORS, RESPONSE

    frames = [read_trips(p) for p in paths]
    x = np.concatenate([f[list(PREDICTORS)].to_numpy(np.float64) for f in frames])
    y = np.concatenate([f[RESPONSE].to_numpy(np.float64) for f in frames])
    del frames
    mean, sd = x.mean(axis=0), x.std(axis=0)
    return (x - mean) / sd, y, mean, sd


def child(mode: str, paths: list[Path], epochs: int, batch: int, seed: int) -> dict[str, Any]:
    """One child process's measurement (run in a fresh interpreter); returns its figures.

    ``paths``: the training months, then the test month, then a small warm-up file.
    """
    import keras

    import nnlabs  # first: it sets the Keras backend
    from nnlabs.data.stream import BUFFER_ROW_BYTES, TripStream
    from nnlabs.labs import taxi
    from nnlabs.models.estimators import NetworkRegressor

    *train, test, warm = paths
    if mode != "stream":
        train = train[:1]
    _warm_up(batch, warm)
    warm_rss = _common.reset_peak()
    timer = _common.epoch_timer()
    net = NetworkRegressor(
        lambda n: taxi.build_network(taxi.TaxiSettings(), n, seed=seed),
        epochs=epochs,
        batch_size=batch,
        callbacks=lambda: [timer],
        seed=seed,
    )
    start = time.perf_counter()
    if mode == "memory":
        x, y, mean, sd = _memory_arrays(train)
        n, held = len(y), None
        prepare = time.perf_counter() - start
        net.fit(x, y)
        del x, y
    else:
        stream = TripStream(
            train, batch_size=batch, shuffle_rows=SHUFFLE_ROWS, scan_rows=SCAN_BATCH_ROWS, seed=seed
        ).fit()
        n, mean, sd = stream.n_rows_, stream.mean_, stream.scale_
        prepare = time.perf_counter() - start
        net.fit_stream(stream)
        held = stream.max_rows_held_
    wall = time.perf_counter() - start
    peak = _common.proc_status_mib("VmHWM")
    x_te, y_te = _test_set(test, mean, sd)
    mae = float(abs(net.predict(x_te) - y_te).mean())
    return {
        "mode": mode,
        "seed": seed,
        "backend": keras.backend.backend(),
        "nnlabs": nnlabs.__version__,
        "train_files": len(train),
        "train_rows": int(n),
        "lab_would_stream_mib": round(n * taxi.MEMORY_ROW_BYTES / 2**20, 1),
        "stream_max_rows_held": held,
        # float32 features and target, their shuffled copy and the scan batch they came in
        "stream_max_buffer_mib": round(held * BUFFER_ROW_BYTES / 2**20, 1) if held else None,
        "prepare_s": round(prepare, 2),
        "epoch_s": [round(s, 2) for s in timer.seconds],
        "wall_s": round(wall, 2),
        "test_mae": mae,
        "warm_rss_mib": round(warm_rss, 1),
        "peak_rss_mib": round(max(peak, warm_rss), 1),
        "peak_above_warm_mib": round(peak - warm_rss, 1),
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


def warm_file() -> Path:
    """A 20,000-trip synthetic file for the children's warm-up."""
    from bench.synthetic_month import ensure_month

    out = _common.WORK / "stream" / "warm_20000.parquet"
    return ensure_month(_common.real_sample(), out, rows=20_000, seed=1)


def run(quick: bool = False, **overrides: Any) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    mode = {**(QUICK if quick else FULL), **overrides}
    paths = months(mode["train_months"] + 1, mode.get("rows"))
    if paths is None:
        return {"skipped": "no real taxi sample in NNLABS_DATA_DIR to build months from"}
    backend = "jax" if importlib.util.find_spec("jax") is not None else "tensorflow"
    out: dict[str, Any] = {"settings": mode, "backend": backend, "data": "synthetic", "runs": []}
    for r in range(mode["repeats"]):
        # alternate which kind goes first, so that neither always meets the same load
        kinds = ("memory", "stream_one", "stream")
        kinds = kinds if r % 2 == 0 else kinds[::-1]
        for kind in kinds:
            print(f"  streaming: {kind} ({r + 1}/{mode['repeats']})", flush=True)
            argv = _common.python_module(
                "bench.streaming",
                kind,
                *("--epochs", str(mode["epochs"]), "--batch", str(mode["batch"])),
                *("--seed", str(SEED + r), "--paths", *map(str, [*paths, warm_file()])),
            )
            log = _common.logs_dir() / f"stream_{kind}_{r}.log"
            out["runs"].append(_common.run_child(argv, env={"NNLABS_BACKEND": backend}, log=log))
    out["summary"] = summarize(out["runs"], mode["budget_mib"])
    return out


def _steady(epoch_s: list[float]) -> float:
    """Seconds of a steady epoch: the median after the first (the first when alone)."""
    return statistics.median(epoch_s[1:] or epoch_s)


def summarize(runs: list[dict[str, Any]], budget_mib: float) -> dict[str, Any]:
    """Peak memory against the budget, the stream's epoch time against the one-month
    in-memory epoch scaled by rows (paired by seed), the test MAEs, and on the same
    month streamed and in memory: MAE equivalence and the epoch-time ratio."""
    from bench.taxi_fit import equivalence

    mem = {r["seed"]: r for r in runs if r["mode"] == "memory"}
    one = {r["seed"]: r for r in runs if r["mode"] == "stream_one"}
    stream = {r["seed"]: r for r in runs if r["mode"] == "stream"}
    same = [
        (
            one[seed]["test_mae"] - m["test_mae"],
            _steady(one[seed]["epoch_s"]) / _steady(m["epoch_s"]),
        )
        for seed, m in mem.items()
        if seed in one
    ]
    ratios = []
    for seed, s in stream.items():
        m = mem[seed]
        scaled = _steady(m["epoch_s"]) * s["train_rows"] / m["train_rows"]
        ratios.append(round(_steady(s["epoch_s"]) / scaled, 3))
    peak_stream = max(r["peak_above_warm_mib"] for r in stream.values())
    return {
        "budget_mib": budget_mib,
        "stream_train_rows": max(r["train_rows"] for r in stream.values()),
        "memory_train_rows": max(r["train_rows"] for r in mem.values()),
        "lab_frame_mib": max(r["lab_would_stream_mib"] for r in stream.values()),
        "stream_buffer_mib": max(r["stream_max_buffer_mib"] for r in stream.values()),
        "peak_above_warm_stream_mib": peak_stream,
        "peak_above_warm_memory_mib": max(r["peak_above_warm_mib"] for r in mem.values()),
        "peak_rss_stream_mib": max(r["peak_rss_mib"] for r in stream.values()),
        "peak_rss_memory_mib": max(r["peak_rss_mib"] for r in mem.values()),
        "stream_within_budget": peak_stream <= budget_mib,
        "epoch_s_stream": [_steady(r["epoch_s"]) for r in stream.values()],
        "epoch_s_memory": [_steady(r["epoch_s"]) for r in mem.values()],
        "epoch_ratio_vs_scaled_memory": ratios,
        "epoch_ratio_median": statistics.median(ratios),
        "mae_stream": [r["test_mae"] for r in stream.values()],
        "mae_memory": [r["test_mae"] for r in mem.values()],
        "mae_stream_one": [r["test_mae"] for r in one.values()],
        "same_month_mae_equivalence": equivalence(
            [d for d, _ in same], statistics.fmean(r["test_mae"] for r in mem.values())
        ),
        "same_month_epoch_ratio": [round(e, 3) for _, e in same],
    }


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["memory", "stream_one", "stream", "all"])
    parser.add_argument("--paths", nargs="+", type=Path, default=[])
    parser.add_argument("--epochs", type=int, default=FULL["epochs"])
    parser.add_argument("--batch", type=int, default=FULL["batch"])
    parser.add_argument("--train-months", type=int, default=FULL["train_months"])
    parser.add_argument("--budget-mib", type=int, default=FULL["budget_mib"])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, help="with 'all': write the result JSON here")
    args = parser.parse_args(argv)
    if args.mode == "all":
        import json

        result = run(
            train_months=args.train_months,
            epochs=args.epochs,
            batch=args.batch,
            budget_mib=args.budget_mib,
        )
        text = json.dumps(result, indent=2)
        if args.out:
            args.out.write_text(text)
        print(text)
        return
    _common.emit(child(args.mode, args.paths, args.epochs, args.batch, args.seed))


if __name__ == "__main__":
    main()
