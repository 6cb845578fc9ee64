"""Training throughput of each lab's network: Keras backends, PyTorch, scikit-learn, sgemm.

Each kind of run is a child process (a Keras backend is fixed when Keras is imported):

* ``tensorflow`` / ``jax`` / ``torch``: Keras on that backend, two variants per network
  and batch size: ``keras_fit`` (the notes' way: ``model.fit`` on NumPy arrays,
  ``steps_per_execution=1``) and ``nnlabs`` (``NetworkRegressor``/``NetworkClassifier``
  with the package defaults). Full mode adds a ``steps_per_execution`` sweep for the
  taxi network on TensorFlow and JAX.
* ``torch-plain``: a plain PyTorch training loop of the same architecture (PyTorch from
  the project's locked ``bench`` group: ``uv sync --locked --group bench``).
* ``sklearn``: ``MLPRegressor``/``MLPClassifier`` with the same hidden layers, Adam and
  batch size (no dropout or batch norm, squared-error loss: the closest it offers).

Samples/s is the training rows of an epoch over the median epoch time after the first
(which holds compilation); GFLOP/s counts 3 x 2 x multiply-adds per sample. Each child
measures the NumPy sgemm peak just before and after its runs; fractions of peak use the
larger of the two. Rounds alternate the children so that each round's figures share
about the same load.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from typing import Any

from bench import _common
from bench.networks import Net, export_nets, nets, synthetic_data

KERAS_KINDS = ("tensorflow", "jax", "torch")
KINDS = (*KERAS_KINDS, "torch-plain", "sklearn")
SPE_SWEEP = (1, 8, 128)
FULL = {"rounds": 3, "epochs": 3, "row_scale": 1.0}
QUICK = {"rounds": 1, "epochs": 2, "row_scale": 0.1}
# Keras on torch and plain PyTorch are far slower here (see BENCHMARKS.md); they get
# fewer rows per epoch so a round stays within minutes. Samples/s does not depend on it.
SLOW_KIND_ROW_SCALE = {"torch": 0.125, "torch-plain": 0.25}


# ---------------------------------------------------------------- children ----------


def _keras_variant(net: Net, x, y, batch: int, epochs: int, variant: str) -> list[float]:
    """Epoch seconds of one fit of ``net`` by ``variant``."""
    from bench.networks import keras_model
    from nnlabs.models.estimators import NetworkClassifier, NetworkRegressor

    timer = _common.epoch_timer()
    if variant == "keras_fit":
        import keras

        keras.utils.set_random_seed(0)
        model = keras_model(net)
        model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, callbacks=[timer])
        return timer.seconds
    cls = NetworkClassifier if net.classifier else NetworkRegressor
    params: dict[str, Any] = {}
    if variant.startswith("nnlabs_spe"):
        params["steps_per_execution"] = int(variant.removeprefix("nnlabs_spe"))
    est = cls(
        lambda n: keras_model(net),
        epochs=epochs,
        batch_size=batch,
        callbacks=lambda: [timer],
        seed=0,
        **params,
    )
    est.fit(x, y.astype(int) if net.classifier else y)
    return timer.seconds


def _torch_variant(net: Net, x, y, batch: int, epochs: int) -> list[float]:
    import torch

    torch.manual_seed(0)
    layers: list[Any] = []
    width = net.n_inputs
    for layer in net.layers:
        layers.append(torch.nn.Linear(width, layer.units))
        layers.append(torch.nn.ReLU())
        if layer.batch_norm:
            layers.append(torch.nn.BatchNorm1d(layer.units, eps=1e-3, momentum=0.01))
        if layer.dropout:
            layers.append(torch.nn.Dropout(layer.dropout))
        width = layer.units
    layers.append(torch.nn.Linear(width, 1))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = {
        "mse": torch.nn.MSELoss(),
        "mae": torch.nn.L1Loss(),
        "binary_crossentropy": torch.nn.BCEWithLogitsLoss(),
    }[net.loss]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            rows = order[i : i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xt[rows]).squeeze(1), yt[rows])
            loss.backward()
            opt.step()
        seconds.append(time.perf_counter() - start)
    return seconds


def _sklearn_variant(net: Net, x, y, batch: int, epochs: int) -> list[float]:
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    cls = MLPClassifier if net.classifier else MLPRegressor
    model = cls(
        hidden_layer_sizes=tuple(layer.units for layer in net.layers),
        solver="adam",
        learning_rate_init=1e-3,
        alpha=0.0,
        batch_size=batch,
        random_state=0,
    )
    target = y.astype(int) if net.classifier else y
    seconds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(epochs):
            start = time.perf_counter()
            # partial_fit: one pass over the rows in shuffled minibatches of batch_size.
            if net.classifier:
                model.partial_fit(x, target, classes=[0, 1])
            else:
                model.partial_fit(x, target)
            seconds.append(time.perf_counter() - start)
    return seconds


def _variants(kind: str, net: Net, batch: int, quick: bool) -> list[str]:
    if kind in KERAS_KINDS:
        names = ["keras_fit", "nnlabs"]
        if not quick and kind in ("tensorflow", "jax") and net.name == "taxi":
            names += [f"nnlabs_spe{s}" for s in SPE_SWEEP]
        return names
    return ["torch_loop"] if kind == "torch-plain" else ["mlp"]


def _versions(kind: str) -> dict[str, str]:
    out = {}
    for module in ("numpy", "keras", "tensorflow", "jax", "torch", "sklearn"):
        if module in sys.modules:
            out[module] = getattr(sys.modules[module], "__version__", "?")
    if kind in KERAS_KINDS:
        import keras

        out["keras_backend"] = keras.backend.backend()
    return out


def child(kind: str, quick: bool, names: list[str]) -> dict[str, Any]:
    """One round of every network and variant for ``kind``; returns the figures."""
    from bench.sgemm import peak_gflops

    mode = QUICK if quick else FULL
    if kind in KERAS_KINDS:
        import nnlabs  # noqa: F401  (sets the Keras backend from the environment)
    if kind in ("torch", "torch-plain"):
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
    peak_start = peak_gflops()
    results = []
    described = nets()
    for name in names:
        net = described[name]
        rows = int(net.rows * mode["row_scale"] * SLOW_KIND_ROW_SCALE.get(kind, 1.0))
        x, y = synthetic_data(net, rows)
        for batch in net.batch_sizes:
            for variant in _variants(kind, net, batch, quick):
                start = time.perf_counter()
                try:
                    if kind in KERAS_KINDS:
                        secs = _keras_variant(net, x, y, batch, mode["epochs"], variant)
                    elif kind == "torch-plain":
                        secs = _torch_variant(net, x, y, batch, mode["epochs"])
                    else:
                        secs = _sklearn_variant(net, x, y, batch, mode["epochs"])
                except Exception as exc:  # record and go on: one variant must not sink all
                    results.append(
                        {"net": name, "batch": batch, "variant": variant, "error": repr(exc)}
                    )
                    continue
                steady = _common.median(secs[1:]) if len(secs) > 1 else secs[0]
                rate = rows / steady
                results.append(
                    {
                        "net": name,
                        "batch": batch,
                        "variant": variant,
                        "rows": rows,
                        "epoch_s": [round(s, 4) for s in secs],
                        "fit_s": round(time.perf_counter() - start, 3),
                        "samples_per_s": round(rate, 1),
                        "gflops": round(rate * net.flop_per_sample / 1e9, 3),
                    }
                )
    peak_end = peak_gflops()
    return {
        "kind": kind,
        "sgemm_gflops": [round(peak_start, 1), round(peak_end, 1)],
        "load": _common.load_average(),
        "versions": _versions(kind),
        "threads": os.cpu_count(),
        "results": results,
    }


# ---------------------------------------------------------------- parent ------------


def missing_kinds() -> dict[str, str]:
    """Kinds whose libraries the project venv lacks, with the command that adds them."""
    missing = {}
    if importlib.util.find_spec("torch") is None:
        reason = "torch is not installed in the project venv (uv sync --group bench)"
        missing["torch"] = missing["torch-plain"] = reason
    if importlib.util.find_spec("jax") is None:
        missing["jax"] = "jax is not installed in the project venv (uv sync --group bench)"
    return missing


def run(quick: bool = False) -> dict[str, Any]:
    """All rounds of all kinds; returns the per-round figures and their summary."""
    mode = QUICK if quick else FULL
    described = export_nets()  # the children read the networks from the environment
    skipped = missing_kinds()
    kinds = [k for k in KINDS if k not in skipped]
    rounds: list[dict[str, Any]] = []
    for r in range(mode["rounds"]):
        for kind in kinds:
            argv = _common.python_module("bench.throughput", "child", "--kind", kind)
            env = {"NNLABS_BACKEND": kind if kind in KERAS_KINDS else "tensorflow"}
            if quick:
                argv.append("--quick")
            log = _common.logs_dir() / f"throughput_{kind}_{r}.log"
            print(f"  throughput round {r + 1}/{mode['rounds']}: {kind}", flush=True)
            try:
                out = _common.run_child(argv, env=env, log=log)
            except RuntimeError as exc:
                out = {"kind": kind, "error": str(exc)[-1500:]}
            out["round"] = r
            rounds.append(out)
    return {
        "rounds": rounds,
        "skipped": skipped,
        "mode": "quick" if quick else "full",
        "summary": summarize(rounds),
        "flop_per_sample": {n.name: n.flop_per_sample for n in described.values()},
    }


def summarize(rounds: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Median samples/s, GFLOP/s and fraction of the sgemm peak per (net, batch, kind, variant).

    ``vs_notes`` is the median over rounds of this variant's samples/s over the same
    round's TensorFlow ``keras_fit`` (the notes' way).
    """
    table: dict[tuple, dict[str, list[float]]] = {}
    baseline: dict[tuple, float] = {}
    for out in rounds:
        for res in out.get("results", []):
            if "error" in res:
                continue
            key = (out["round"], res["net"], res["batch"])
            if out["kind"] == "tensorflow" and res["variant"] == "keras_fit":
                baseline[key] = res["samples_per_s"]
    for out in rounds:
        peak = max(out.get("sgemm_gflops", [0.0]))
        for res in out.get("results", []):
            if "error" in res:
                continue
            k = (res["net"], res["batch"], out["kind"], res["variant"])
            row = table.setdefault(k, {"sps": [], "gflops": [], "frac": [], "vs": []})
            row["sps"].append(res["samples_per_s"])
            row["gflops"].append(res["gflops"])
            if peak:
                row["frac"].append(res["gflops"] / peak)
            base = baseline.get((out["round"], res["net"], res["batch"]))
            if base:
                row["vs"].append(res["samples_per_s"] / base)
    summary = []
    for (net, batch, kind, variant), row in sorted(table.items()):
        summary.append(
            {
                "net": net,
                "batch": batch,
                "kind": kind,
                "variant": variant,
                "samples_per_s": round(_common.median(row["sps"])),
                "gflops": round(_common.median(row["gflops"]), 2),
                "fraction_of_peak": round(_common.median(row["frac"]), 4) if row["frac"] else None,
                "vs_notes": round(_common.median(row["vs"]), 3) if row["vs"] else None,
                "vs_notes_rounds": [round(v, 3) for v in row["vs"]],
                "rounds": len(row["sps"]),
            }
        )
    return summary


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("child")
    c.add_argument("--kind", choices=KINDS, required=True)
    c.add_argument("--quick", action="store_true")
    c.add_argument("--nets", nargs="+", default=None)
    args = parser.parse_args(argv)
    _common.emit(child(args.kind, args.quick, args.nets or list(nets())))


if __name__ == "__main__":
    main()
