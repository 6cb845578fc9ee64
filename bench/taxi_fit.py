"""The taxi network fitted at the notes' settings: the notes' way against nnlabs' defaults.

The 2x target: at batch 512 the nnlabs fit must train at least twice as fast as the
notes-style Keras fit (default Keras on TensorFlow, ``model.fit`` on NumPy arrays,
``steps_per_execution = 1``) in the same run, with the same architecture, optimizer,
loss and an equivalent test MAE.

Data: 300,000 trips sampled from the synthetic month (``bench.synthetic_month``), split
80/20 and standardized as the taxi lab does. Every fit is the notes' (30 epochs, batch
512, 10% validation split, early stopping on val_loss with patience 10 and best weights
restored). Repeat r uses seed 42 + r for every variant; one TensorFlow child fits the
notes-style model and the nnlabs estimator back to back, then one JAX child fits the
nnlabs estimator, so each repeat's figures share the same load.

Speed is training rows x epochs run over the whole ``fit`` wall time (compilation and
validation included), and also per steady epoch (median epoch after the first).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import time
from typing import Any

from bench import _common

FULL = {"repeats": 3, "rows": 300_000, "epochs": 30}
QUICK = {"repeats": 1, "rows": 30_000, "epochs": 3}
BASE_SEED = 42
T_975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306}


def _data(rows: int):
    import numpy as np

    from bench.dataprep import month_path
    from nnlabs.data.taxi import read_trips
    from nnlabs.labs import taxi
    from nnlabs.splits import random_split

    path = month_path()
    settings = taxi.TaxiSettings()
    trips = read_trips(path, n=rows, seed=settings.sample_seed)
    x = trips[list(taxi.PREDICTORS)].to_numpy(dtype=np.float64)
    y = trips[taxi.RESPONSE].to_numpy(dtype=np.float32)
    split = random_split(len(y), settings.test_fraction, settings.seed)
    from nnlabs.features import fit_scaler

    xs = fit_scaler(x, split.train, settings.scaling).transform(x).astype(np.float32)
    return xs[split.train], y[split.train], xs[split.test], y[split.test]


def _fit(variant: str, data, seed: int, epochs: int) -> dict[str, Any]:
    import keras
    import numpy as np

    from nnlabs.estimators import NetworkRegressor
    from nnlabs.labs import taxi

    x_tr, y_tr, x_te, y_te = data
    settings = taxi.TaxiSettings(epochs=epochs)
    timer = _common.epoch_timer()
    start = time.perf_counter()
    if variant == "notes":
        keras.utils.set_random_seed(seed)
        model = taxi.build_network(settings, x_tr.shape[1])
        model.fit(
            x_tr,
            y_tr,
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            validation_split=settings.validation_fraction,
            callbacks=[*taxi._callbacks(settings), timer],
            verbose=0,
        )
        wall = time.perf_counter() - start
        pred = model.predict(x_te, batch_size=8192, verbose=0).reshape(-1)
    else:
        est = NetworkRegressor(
            lambda n: taxi.build_network(settings, n),
            epochs=settings.epochs,
            batch_size=settings.batch_size,
            validation_fraction=settings.validation_fraction,
            callbacks=lambda: [*taxi._callbacks(settings), timer],
            seed=seed,
        )
        est.fit(x_tr, y_tr)
        wall = time.perf_counter() - start
        pred = est.predict(x_te)
    n_fit = len(x_tr) - int(len(x_tr) * settings.validation_fraction)
    epochs_run = len(timer.seconds)
    steady = _common.median(timer.seconds[1:]) if epochs_run > 1 else timer.seconds[0]
    return {
        "variant": variant,
        "backend": keras.backend.backend(),
        "seed": seed,
        "wall_s": round(wall, 3),
        "epochs_run": epochs_run,
        "samples_per_s": round(epochs_run * n_fit / wall, 1),
        "steady_samples_per_s": round(n_fit / steady, 1),
        "test_mae": float(np.mean(np.abs(pred - y_te))),
    }


def child(variants: list[str], seed: int, rows: int, epochs: int) -> dict[str, Any]:
    """One child process's measurement (run in a fresh interpreter); returns its figures."""
    import nnlabs  # noqa: F401  (sets the Keras backend)

    data = _data(rows)
    fits = [_fit(v, data, seed, epochs) for v in variants]
    return {"fits": fits, "load": _common.load_average()}


def _interval(values: list[float]) -> dict[str, float]:
    mean = statistics.fmean(values)
    if len(values) < 2:
        return {"mean": mean, "low": math.nan, "high": math.nan}
    half = T_975.get(len(values) - 1, 1.96) * statistics.stdev(values) / math.sqrt(len(values))
    return {"mean": mean, "low": mean - half, "high": mean + half}


def run(quick: bool = False) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    from bench.dataprep import month_path

    mode = QUICK if quick else FULL
    if month_path() is None:
        return {"skipped": "no real taxi sample in NNLABS_DATA_DIR to build the month from"}
    plan = [("tensorflow", ["notes", "nnlabs"])]
    if importlib.util.find_spec("jax") is not None:
        plan.append(("jax", ["nnlabs"]))
    fits: list[dict[str, Any]] = []
    for r in range(mode["repeats"]):
        seed = BASE_SEED + r
        for backend, variants in plan:
            print(f"  taxi fit repeat {r + 1}/{mode['repeats']} on {backend}", flush=True)
            argv = _common.python_module(
                "bench.taxi_fit",
                "--seed",
                str(seed),
                "--rows",
                str(mode["rows"]),
                "--epochs",
                str(mode["epochs"]),
                *variants,
            )
            out = _common.run_child(
                argv,
                env={"NNLABS_BACKEND": backend},
                log=_common.logs_dir() / f"taxi_fit_{backend}_{r}.log",
            )
            for fit in out["fits"]:
                fit["repeat"] = r
                fit["load"] = out["load"]
            fits.extend(out["fits"])
    return {"fits": fits, "summary": summarize(fits), "settings": mode}


def summarize(fits: list[dict[str, Any]]) -> dict[str, Any]:
    """Speed ratios against the same repeat's notes-style fit, and test MAE intervals."""
    notes = {f["repeat"]: f for f in fits if f["variant"] == "notes"}
    out: dict[str, Any] = {}
    for key in sorted({(f["variant"], f["backend"]) for f in fits}):
        mine = [f for f in fits if (f["variant"], f["backend"]) == key]
        name = f"{key[0]} ({key[1]})"
        row: dict[str, Any] = {
            "wall_s": [f["wall_s"] for f in mine],
            "epochs_run": [f["epochs_run"] for f in mine],
            "test_mae": _interval([f["test_mae"] for f in mine]),
        }
        paired = [(f, notes[f["repeat"]]) for f in mine if f["repeat"] in notes]
        if paired and key[0] != "notes":
            row["speedup_whole_fit"] = [
                round(f["samples_per_s"] / n["samples_per_s"], 3) for f, n in paired
            ]
            row["speedup_steady_epoch"] = [
                round(f["steady_samples_per_s"] / n["steady_samples_per_s"], 3) for f, n in paired
            ]
            row["speedup_median"] = _common.median(row["speedup_whole_fit"])
            row["mae_difference_vs_notes"] = _interval(
                [f["test_mae"] - n["test_mae"] for f, n in paired]
            )
        out[name] = row
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", choices=["notes", "nnlabs"])
    parser.add_argument("--seed", type=int, default=BASE_SEED)
    parser.add_argument("--rows", type=int, default=FULL["rows"])
    parser.add_argument("--epochs", type=int, default=FULL["epochs"])
    args = parser.parse_args(argv)
    _common.emit(child(args.variants, args.seed, args.rows, args.epochs))


if __name__ == "__main__":
    main()
