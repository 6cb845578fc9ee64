"""The taxi network fitted at the notes' settings: the notes' way against nnlabs' defaults.

The 2x target: at batch 512 the nnlabs fit must train at least twice as fast as the
notes-style Keras fit (default Keras on TensorFlow, ``model.fit`` on NumPy arrays,
``steps_per_execution = 1``), with the same architecture, optimizer, loss and an
equivalent test MAE.

Fairness (issue 15): every fit runs in its own fresh process, so each pays the start-up
of its backend; the variants alternate (A B C, then C B A, ...) so that drift in the
machine's load falls on all of them; every variant is seeded the same way
(``nnlabs.set_seed`` and the same layer seeds, so the same initial weights). The parent
times each process whole; the child reports its start-up (imports and data) and its fit
apart, and the median steady epoch (every epoch after the first).

Data, named wherever a figure is shown: ``rows`` trips sampled from the *synthetic*
month (``bench.synthetic_month``, built from the real January sample in
``NNLABS_DATA_DIR``), split 80/20 and standardized as the taxi lab does. Every fit is
the notes' (30 epochs, batch 512, 10% validation split, early stopping on val_loss with
patience 10 and best weights restored).

"Same MAE" is an equivalence statement: over at least ``MIN_SEEDS`` seeds the 90%
t-interval of the paired difference (nnlabs minus notes-style test MAE) lies inside
plus or minus ``MARGIN`` of the notes-style mean MAE; otherwise the section says that
equivalence could not be shown.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import statistics
import time
from typing import Any

from bench import _common

FULL = {"seeds": 5, "rows": 300_000, "epochs": 30}
QUICK = {"seeds": 2, "rows": 30_000, "epochs": 3}
BASE_SEED = 42
MIN_SEEDS = 5
MARGIN = 0.02  # of the notes-style mean test MAE
LEVEL = 0.90
DATA = "synthetic month (bench.synthetic_month), {rows:,} trips sampled"


def _data(rows: int):
    import numpy as np

    from bench.dataprep import month_path
    from nnlabs.data.taxi import read_trips
    from nnlabs.design.features import fit_scaler
    from nnlabs.labs import taxi
    from nnlabs.splits import random_split

    settings = taxi.TaxiSettings()
    trips = read_trips(month_path(), n=rows, seed=settings.sample_seed)
    x = trips[list(taxi.PREDICTORS)].to_numpy(dtype=np.float64)
    y = trips[taxi.RESPONSE].to_numpy(dtype=np.float32)
    split = random_split(len(y), settings.test_fraction, settings.seed)
    xs = fit_scaler(x, split.train, settings.scaling).transform(x).astype(np.float32)
    return xs[split.train], y[split.train], xs[split.test], y[split.test]


def _notes_fit(data, settings, seed: int, timer):
    """The notes' way: a compiled model and ``model.fit`` with Keras' defaults."""
    from nnlabs import set_seed
    from nnlabs.labs import taxi

    x_tr, y_tr, x_te, _ = data
    callbacks = taxi.make_network(settings, seed).callbacks()  # the lab's early stopping
    set_seed(seed)
    model = taxi.build_network(settings, x_tr.shape[1], seed)
    model.fit(
        x_tr,
        y_tr,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        validation_split=settings.validation_fraction,
        callbacks=[*callbacks, timer],
        verbose=0,
    )
    return lambda: model.predict(x_te, batch_size=8192, verbose=0).reshape(-1)


def _nnlabs_fit(data, settings, seed: int, timer):
    """The lab's estimator (its steps per execution and validation batch size)."""
    from nnlabs.labs import taxi

    x_tr, y_tr, x_te, _ = data
    est = taxi.make_network(settings, seed)
    lab_callbacks = est.callbacks
    est.set_params(callbacks=lambda: [*lab_callbacks(), timer])
    est.fit(x_tr, y_tr)
    return lambda: est.predict(x_te)


def child(variant: str, seed: int, rows: int, epochs: int) -> dict[str, Any]:
    """One fit in this (fresh) process; returns its figures."""
    start = time.perf_counter()
    import keras
    import numpy as np

    import nnlabs  # noqa: F401  (sets the Keras backend)
    from nnlabs.labs import taxi

    imported = time.perf_counter()
    data = _data(rows)
    loaded = time.perf_counter()
    settings = taxi.TaxiSettings(epochs=epochs)
    timer = _common.epoch_timer()
    predict = (_notes_fit if variant == "notes" else _nnlabs_fit)(data, settings, seed, timer)
    fit_s = time.perf_counter() - loaded
    mae = float(np.mean(np.abs(predict() - data[3])))
    n_fit = len(data[0]) - int(len(data[0]) * settings.validation_fraction)
    epochs_run = len(timer.seconds)
    steady = _common.median(timer.seconds[1:]) if epochs_run > 1 else timer.seconds[0]
    return {
        "variant": variant,
        "backend": keras.backend.backend(),
        "seed": seed,
        "import_s": round(imported - start, 3),
        "data_s": round(loaded - imported, 3),
        "fit_s": round(fit_s, 3),
        "epochs_run": epochs_run,
        "samples_per_s": round(epochs_run * n_fit / fit_s, 1),
        "steady_samples_per_s": round(n_fit / steady, 1),
        "test_mae": mae,
        "load": _common.load_average(),
    }


def _plan() -> list[tuple[str, str]]:
    plan = [("notes", "tensorflow"), ("nnlabs", "tensorflow")]
    if importlib.util.find_spec("jax") is not None:
        plan.append(("nnlabs", "jax"))
    return plan


def run(quick: bool = False) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    from bench.dataprep import month_path

    mode = QUICK if quick else FULL
    if month_path() is None:
        return {"skipped": "no real taxi sample in NNLABS_DATA_DIR to build the month from"}
    fits: list[dict[str, Any]] = []
    plan = _plan()
    for r in range(mode["seeds"]):
        seed = BASE_SEED + r
        for variant, backend in plan if r % 2 == 0 else reversed(plan):
            print(f"  taxi fit seed {seed}: {variant} on {backend}", flush=True)
            argv = _common.python_module(
                "bench.taxi_fit",
                variant,
                *("--seed", str(seed), "--rows", str(mode["rows"]), "--epochs"),
                str(mode["epochs"]),
            )
            out = _common.run_child(
                argv,
                env={"NNLABS_BACKEND": backend},
                log=_common.logs_dir() / f"taxi_fit_{variant}_{backend}_{seed}.log",
            )
            out["process_s"] = out.pop("child_wall_s")
            fits.append(out)
    data = DATA.format(rows=mode["rows"])
    return {"fits": fits, "summary": summarize(fits), "settings": mode, "data": data}


def _t_interval(values: list[float], level: float) -> dict[str, float]:
    from scipy import stats

    mean = statistics.fmean(values)
    if len(values) < 2:
        return {"mean": mean, "low": math.nan, "high": math.nan}
    t = float(stats.t.ppf(0.5 + level / 2, len(values) - 1))
    half = t * statistics.stdev(values) / math.sqrt(len(values))
    return {"mean": mean, "low": mean - half, "high": mean + half}


def equivalence(differences: list[float], notes_mae: float) -> dict[str, Any]:
    """Whether the 90% interval of ``differences`` lies within +-MARGIN x ``notes_mae``."""
    interval = _t_interval(differences, LEVEL)
    margin = MARGIN * notes_mae
    if len(differences) < MIN_SEEDS:
        shown = f"not shown: {len(differences)} seeds, at least {MIN_SEEDS} needed"
    elif -margin <= interval["low"] and interval["high"] <= margin:
        shown = "equivalent"
    else:
        shown = "not shown: the interval leaves the margin"
    return {**interval, "level": LEVEL, "margin": margin, "n": len(differences), "verdict": shown}


def summarize(fits: list[dict[str, Any]]) -> dict[str, Any]:
    """Per variant: process and fit times, start-up, MAE; against the notes-style fit of
    the same seed, the whole-process and steady-epoch speed ratios and MAE equivalence."""
    notes = {f["seed"]: f for f in fits if f["variant"] == "notes"}
    out: dict[str, Any] = {}
    for key in sorted({(f["variant"], f["backend"]) for f in fits}):
        mine = [f for f in fits if (f["variant"], f["backend"]) == key]
        row: dict[str, Any] = {
            "process_s": [f["process_s"] for f in mine],
            "startup_s": [round(f["process_s"] - f["fit_s"], 3) for f in mine],
            "fit_s": [f["fit_s"] for f in mine],
            "epochs_run": [f["epochs_run"] for f in mine],
            "test_mae": _t_interval([f["test_mae"] for f in mine], 0.95),
        }
        paired = [(f, notes[f["seed"]]) for f in mine if f["seed"] in notes]
        if paired and key[0] != "notes":
            # Early stopping may end the fits at different epochs: rows trained per second.
            row["ratio_whole_process"] = [
                round((n["process_s"] / n["epochs_run"]) / (f["process_s"] / f["epochs_run"]), 3)
                for f, n in paired
            ]
            row["ratio_steady_epoch"] = [
                round(f["steady_samples_per_s"] / n["steady_samples_per_s"], 3) for f, n in paired
            ]
            row["ratio_whole_process_median"] = _common.median(row["ratio_whole_process"])
            row["ratio_steady_median"] = _common.median(row["ratio_steady_epoch"])
            notes_mae = statistics.fmean(n["test_mae"] for _, n in paired)
            row["mae_equivalence"] = equivalence(
                [f["test_mae"] - n["test_mae"] for f, n in paired], notes_mae
            )
        out[f"{key[0]} ({key[1]})"] = row
    return out


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module): one fit, one process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variant", choices=["notes", "nnlabs"])
    parser.add_argument("--seed", type=int, default=BASE_SEED)
    parser.add_argument("--rows", type=int, default=FULL["rows"])
    parser.add_argument("--epochs", type=int, default=FULL["epochs"])
    args = parser.parse_args(argv)
    _common.emit(child(args.variant, args.seed, args.rows, args.epochs))


if __name__ == "__main__":
    main()
