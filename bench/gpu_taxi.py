"""The taxi network on a full synthetic month, on one GPU (Keras on JAX).

Run on the device machine (an H100 with JAX and PyTorch, no TensorFlow), with Keras and
its two small dependencies carried as wheels::

    KERAS_BACKEND=jax python3 -m bench.gpu_taxi --sample SAMPLE.parquet --out result.json

It writes a synthetic January (``bench.synthetic_month``, 3,066,766 rows), reads it with
``nnlabs.data.taxi.read_trips`` (all filtered trips), splits 80/20, standardizes with the
training rows, and trains the notes' network (7-256-128-64-1, dropout .1/.1, Adam 1e-3,
MAE loss, 10% validation split, early stopping on val_loss with patience 10):

* ``notes``: ``model.fit`` on NumPy arrays, ``steps_per_execution=1`` (the notes' way),
  and ``model.fit`` with Keras' own ``steps_per_execution`` (batches still fed from the
  host one step at a time);
* ``nnlabs``: ``nnlabs.models.estimators.NetworkRegressor`` (Keras' ``fit`` with
  ``steps_per_execution`` steps per compiled call), 30 epochs;
* ``torch``: a plain PyTorch loop of the same network with the data on the GPU, for
  reference (PyTorch is installed on that machine).

Samples/s is training rows per epoch over the median epoch time after the first (which
holds compilation); wall time is the whole ``fit`` call. GFLOP/s counts 3 x 2 x the
network's 42,816 multiply-adds per sample.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import _common

FLOP_PER_SAMPLE = 3 * 2 * (7 * 256 + 256 * 128 + 128 * 64 + 64 * 1)


def _summary(
    name: str, seconds: list[float], wall: float, n_fit: int, mae: float, **extra: Any
) -> dict[str, Any]:
    steady = float(np.median(seconds[1:])) if len(seconds) > 1 else float(seconds[0])
    rate = n_fit / steady
    return {
        "variant": name,
        "epochs_run": len(seconds),
        "wall_s": round(wall, 3),
        "first_epoch_s": round(seconds[0], 3),
        "median_epoch_s": round(steady, 4),
        "samples_per_s": round(rate),
        "gflops": round(rate * FLOP_PER_SAMPLE / 1e9, 1),
        "test_mae": round(mae, 4),
        **extra,
    }


def _keras_fit(
    x_tr, y_tr, x_te, y_te, *, batch: int, epochs: int, spe: int, estimator: bool, seed: int
) -> dict[str, Any]:
    """``model.fit`` with ``spe`` steps per execution, or ``NetworkRegressor`` (``estimator``).

    Early stopping keeps the lab's monitor but a patience of ``epochs``, so every run
    trains all its epochs and times are comparable.
    """
    import keras

    from nnlabs.evaluation.metrics import mae
    from nnlabs.labs import taxi
    from nnlabs.models.estimators import NetworkRegressor

    settings = taxi.TaxiSettings(epochs=epochs, batch_size=batch, patience=epochs)
    timer = _common.epoch_timer()
    n_fit = len(x_tr) - int(len(x_tr) * settings.validation_fraction)

    def callbacks():
        return [*taxi._callbacks(settings), timer]

    if not estimator:
        keras.utils.set_random_seed(seed)
        model = taxi.build_network(settings, x_tr.shape[1])
        model.steps_per_execution = spe
        start = time.perf_counter()
        model.fit(
            x_tr,
            y_tr,
            epochs=epochs,
            batch_size=batch,
            validation_split=settings.validation_fraction,
            callbacks=callbacks(),
            verbose=0,
        )
        wall = time.perf_counter() - start
        pred = model.predict(x_te, batch_size=8192, verbose=0).reshape(-1)
        name = f"model.fit, batch {batch}, steps_per_execution {spe}"
        if spe == 1:
            name = f"notes: {name}"
    else:
        est = NetworkRegressor(
            lambda n: taxi.build_network(settings, n),
            epochs=epochs,
            batch_size=batch,
            validation_fraction=settings.validation_fraction,
            callbacks=callbacks,
            seed=seed,
            steps_per_execution=spe,
        )
        start = time.perf_counter()
        est.fit(x_tr, y_tr)
        wall = time.perf_counter() - start
        pred = est.predict(x_te)
        name = f"nnlabs: NetworkRegressor, batch {batch}, steps_per_execution {spe}"
    return _summary(
        name,
        timer.seconds,
        wall,
        n_fit,
        float(mae(y_te, pred)),
        batch=batch,
        spe=spe,
        estimator=estimator,
    )


def _torch_loop(x_tr, y_tr, x_te, y_te, *, batch: int, epochs: int, seed: int) -> dict[str, Any]:
    """A plain PyTorch loop of the same network, data on the GPU, no validation pass."""
    import torch

    torch.manual_seed(seed)
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = torch.nn.Sequential(
        torch.nn.Linear(7, 256),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(256, 128),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(128, 64),
        torch.nn.ReLU(),
        torch.nn.Linear(64, 1),
    ).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    n_fit = len(x_tr) - int(len(x_tr) * 0.1)
    xt = torch.as_tensor(x_tr[:n_fit], device=dev)
    yt = torch.as_tensor(y_tr[:n_fit], device=dev)
    seconds = []
    start = time.perf_counter()
    for _ in range(epochs):
        t0 = time.perf_counter()
        order = torch.randperm(n_fit, device=dev)
        for i in range(0, n_fit, batch):
            rows = order[i : i + batch]
            opt.zero_grad(set_to_none=True)
            loss = (net(xt[rows]).squeeze(1) - yt[rows]).abs().mean()
            loss.backward()
            opt.step()
        if dev.type == "cuda":
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    net.eval()
    with torch.no_grad():
        pred = net(torch.as_tensor(x_te, device=dev)).squeeze(1).cpu().numpy()
    mae = float(np.mean(np.abs(pred - y_te)))
    return _summary(f"plain PyTorch loop, batch {batch}", seconds, wall, n_fit, mae, batch=batch)


def _environment() -> dict[str, Any]:
    import jax
    import keras

    env: dict[str, Any] = {
        "python": platform.python_version(),
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "jax": jax.__version__,
        "devices": [str(d) for d in jax.devices()],
        "cpu_count": os.cpu_count(),
    }
    try:
        import torch

        env["torch"] = torch.__version__
        if torch.cuda.is_available():
            env["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        env["torch"] = "not installed"
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        env["nvidia_smi"] = smi.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        env["nvidia_smi"] = "unavailable"
    return env


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--month", type=Path, default=Path("/tmp/yellow_tripdata_2023-01.parquet"))
    parser.add_argument("--rows", type=int, default=None, help="rows of the month (default full)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--short-epochs", type=int, default=4, help="epochs of the slow runs")
    parser.add_argument("--spe", type=int, nargs="+", default=[32, 128, 256])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    from bench.synthetic_month import MONTH_ROWS, write_month
    from nnlabs.data.taxi import read_trips
    from nnlabs.design.features import fit_scaler
    from nnlabs.labs import taxi
    from nnlabs.splits import random_split

    result: dict[str, Any] = {"environment": _environment(), "runs": []}
    rows = args.rows or MONTH_ROWS
    start = time.perf_counter()
    write_month(args.sample, args.month, rows=rows)
    result["generate_month_s"] = round(time.perf_counter() - start, 2)
    start = time.perf_counter()
    trips = read_trips(args.month)
    x = trips[list(taxi.PREDICTORS)].to_numpy(dtype=np.float64)
    y = trips[taxi.RESPONSE].to_numpy(dtype=np.float32)
    split = random_split(len(y), 0.2, args.seed)
    xs = fit_scaler(x, split.train, "train").transform(x).astype(np.float32)
    x_tr, y_tr, x_te, y_te = xs[split.train], y[split.train], xs[split.test], y[split.test]
    result["prepare_s"] = round(time.perf_counter() - start, 2)
    result["rows"] = {"month": rows, "filtered": len(y), "train": len(y_tr), "test": len(y_te)}
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}), flush=True)

    short, full = args.short_epochs, args.epochs
    plan: list[tuple[str, dict[str, Any]]] = [
        ("keras", {"batch": 4096, "epochs": short, "spe": 1, "estimator": False}),
        ("keras", {"batch": 4096, "epochs": short, "spe": max(args.spe), "estimator": False}),
        *[
            ("keras", {"batch": 4096, "epochs": full, "spe": s, "estimator": True})
            for s in args.spe
        ],
        ("keras", {"batch": 512, "epochs": short, "spe": 1, "estimator": False}),
        ("keras", {"batch": 512, "epochs": full, "spe": max(args.spe), "estimator": True}),
        ("torch", {"batch": 4096, "epochs": short}),
    ]
    for kind, kw in plan:
        try:
            if kind == "keras":
                run = _keras_fit(x_tr, y_tr, x_te, y_te, seed=args.seed, **kw)
            else:
                run = _torch_loop(x_tr, y_tr, x_te, y_te, seed=args.seed, **kw)
        except Exception as exc:  # one failed variant must not lose the others' figures
            run = {"variant": f"{kind} {kw}", "error": f"{type(exc).__name__}: {exc}"}
        result["runs"].append(run)
        print(json.dumps(run), flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
