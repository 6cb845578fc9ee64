"""Levers tried on TensorFlow for the taxi network at batch 512, in one process each round.

``bench.throughput`` measures the package's choices; this records the ones that were
tried and not taken, so BENCHMARKS.md can say why with figures from the same run:

* ``notes``: ``model.fit`` on NumPy arrays, ``steps_per_execution=1`` (the baseline);
* ``spe32``: the package default, 32 steps per compiled call;
* ``xla``: the same with ``jit_compile=True`` (XLA on the CPU);
* ``one_inter_op_thread``: ``spe32`` with TensorFlow's inter-op pool cut to one thread
  (two cores: the intra-op pool already uses both);
* ``tf_data``: ``spe32`` fed by a ``tf.data`` pipeline (shuffle, batch, prefetch)
  instead of NumPy arrays.

Samples/s is rows over the median epoch after the first; rounds alternate the levers.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench import _common
from bench.networks import nets, synthetic_data

LEVERS = ("notes", "spe32", "xla", "one_inter_op_thread", "tf_data")
FULL = {"rounds": 3, "epochs": 3, "rows": 240_000}
QUICK = {"rounds": 1, "epochs": 2, "rows": 24_000}
BATCH = 512


def _epoch_seconds(lever: str, x, y, epochs: int) -> list[float]:
    import keras
    import tensorflow as tf

    from bench.networks import keras_model

    keras.utils.set_random_seed(0)
    model = keras_model(nets()["taxi"])
    if lever != "notes":
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss=model.loss,
            steps_per_execution=32,
            jit_compile=lever == "xla",
        )
    timer = _common.epoch_timer()
    if lever == "tf_data":
        data = (
            tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(len(y), seed=0, reshuffle_each_iteration=True)
            .batch(BATCH)
            .prefetch(tf.data.AUTOTUNE)
        )
        model.fit(data, epochs=epochs, verbose=0, callbacks=[timer])
    else:
        model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0, callbacks=[timer])
    return timer.seconds


def child(lever: str, rows: int, epochs: int) -> dict[str, Any]:
    """One child process's measurement (run in a fresh interpreter); returns its figures."""
    import os

    os.environ["NNLABS_BACKEND"] = "tensorflow"
    import nnlabs  # noqa: F401  (sets the backend before Keras is imported)

    if lever == "one_inter_op_thread":
        import tensorflow as tf

        tf.config.threading.set_inter_op_parallelism_threads(1)
    x, y = synthetic_data(nets()["taxi"], rows)
    seconds = _epoch_seconds(lever, x, y, epochs)
    steady = _common.median(seconds[1:]) if len(seconds) > 1 else seconds[0]
    return {
        "lever": lever,
        "epoch_s": [round(s, 3) for s in seconds],
        "samples_per_s": rows / steady,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    mode = QUICK if quick else FULL
    rounds: list[dict[str, Any]] = []
    for r in range(mode["rounds"]):
        for lever in LEVERS:
            print(f"  lever {lever} ({r + 1}/{mode['rounds']})", flush=True)
            argv = _common.python_module(
                "bench.levers", lever, "--rows", str(mode["rows"]), "--epochs", str(mode["epochs"])
            )
            out = _common.run_child(argv, log=_common.logs_dir() / f"lever_{lever}.log")
            out["round"] = r
            rounds.append(out)
    summary = {}
    for lever in LEVERS:
        ratios = [
            mine["samples_per_s"] / base["samples_per_s"]
            for mine in rounds
            for base in rounds
            if mine["lever"] == lever
            and base["lever"] == "notes"
            and mine["round"] == base["round"]
        ]
        rates = [m["samples_per_s"] for m in rounds if m["lever"] == lever]
        summary[lever] = {
            "samples_per_s": round(_common.median(rates)),
            "vs_notes": round(_common.median(ratios), 3),
            "vs_notes_rounds": [round(v, 3) for v in ratios],
        }
    return {"batch": BATCH, "settings": mode, "rounds": rounds, "summary": summary}


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lever", choices=LEVERS)
    parser.add_argument("--rows", type=int, default=FULL["rows"])
    parser.add_argument("--epochs", type=int, default=FULL["epochs"])
    args = parser.parse_args(argv)
    _common.emit(child(args.lever, args.rows, args.epochs))


if __name__ == "__main__":
    main()
