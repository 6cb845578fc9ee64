"""The labs' networks, built by the labs' own factories, for the throughput benchmarks.

A ``Net`` describes one lab's network (hidden layers, loss, batch sizes) as read from the
Keras model its ``LabSpec`` builds at default settings. The description travels to child
processes as JSON in ``BENCH_NETS`` (``export_nets``): the plain-PyTorch child runs in a
virtual environment with NumPy and PyTorch only, which cannot import nnlabs.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from dataclasses import dataclass

import numpy as np

NETS_ENV = "BENCH_NETS"
# What the benchmark adds to each lab: the width of its design matrix at the notes'
# data, extra batch sizes beyond the lab's own, and the training rows of a timed epoch.
BENCH = {
    "hitters": {"n_inputs": 20, "extra_batches": (), "rows": 20_000},
    "nyc311": {"n_inputs": 40, "extra_batches": (), "rows": 80_000},
    "taxi": {"n_inputs": 7, "extra_batches": (4096,), "rows": 240_000},
    "movies": {"n_inputs": 6, "extra_batches": (), "rows": 20_000},
}


@dataclass(frozen=True)
class Layer:
    units: int
    batch_norm: bool = False
    dropout: float = 0.0


@dataclass(frozen=True)
class Net:
    """One lab's network: inputs, hidden layers, loss, the batch size(s) timed."""

    name: str
    n_inputs: int
    layers: tuple[Layer, ...]
    loss: str  # "mse", "mae" or "binary_crossentropy"
    batch_sizes: tuple[int, ...]
    rows: int  # training rows per timed epoch (full mode)

    @property
    def classifier(self) -> bool:
        return self.loss == "binary_crossentropy"

    @property
    def multiply_adds(self) -> int:
        """Multiply-adds of one forward pass of one sample (dense layers only)."""
        widths = [self.n_inputs, *(layer.units for layer in self.layers), 1]
        return sum(a * b for a, b in itertools.pairwise(widths))

    @property
    def flop_per_sample(self) -> int:
        """Training FLOP per sample: 3 passes (forward, two backward) x 2 x multiply-adds."""
        return 3 * 2 * self.multiply_adds

    @classmethod
    def from_dict(cls, data: dict) -> Net:
        layers = tuple(Layer(**layer) for layer in data["layers"])
        return cls(**{**data, "layers": layers, "batch_sizes": tuple(data["batch_sizes"])})


def lab_model(name: str, n_inputs: int):
    """The compiled Keras network of lab ``name`` at its default settings, from its spec."""
    from nnlabs import labs

    spec = labs.get(name)
    estimator = spec.models[spec.network].make(spec.settings(), 0)
    return estimator.build(n_inputs)


def net_of_lab(name: str, n_inputs: int, extra_batches: tuple[int, ...], rows: int) -> Net:
    """Describe lab ``name``'s network by walking the layers its factory builds."""
    from nnlabs import labs

    model = lab_model(name, n_inputs)
    layers: list[dict] = []
    for layer in model.layers[1:-1]:  # between the input and the output unit
        kind = type(layer).__name__
        if kind == "Dense":
            layers.append({"units": layer.units, "batch_norm": False, "dropout": 0.0})
        elif kind == "BatchNormalization":
            layers[-1]["batch_norm"] = True
        elif kind == "Dropout":
            layers[-1]["dropout"] = float(layer.rate)
    batch = labs.get(name).settings().batch_size
    return Net(
        name=name,
        n_inputs=n_inputs,
        layers=tuple(Layer(**layer) for layer in layers),
        loss=model.loss,
        batch_sizes=(batch, *extra_batches),
        rows=rows,
    )


def nets() -> dict[str, Net]:
    """Every lab's ``Net``: from ``BENCH_NETS`` in a child, else from the labs' factories."""
    exported = os.environ.get(NETS_ENV)
    if exported:
        return {k: Net.from_dict(v) for k, v in json.loads(exported).items()}
    return {name: net_of_lab(name, **extra) for name, extra in BENCH.items()}


def export_nets() -> dict[str, Net]:
    """Describe the networks once and put them in ``BENCH_NETS`` for child processes."""
    described = nets()
    os.environ[NETS_ENV] = json.dumps({k: dataclasses.asdict(v) for k, v in described.items()})
    return described


DATA_SEED = 0


def synthetic_data(net: Net, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Standard-normal inputs (rows, n_inputs) float32 and a target of the right kind.

    Throughput does not depend on the values; the target is a smooth function of the
    inputs so that losses stay finite and ordinary.
    """
    rng = np.random.default_rng(DATA_SEED)
    x = rng.standard_normal((rows, net.n_inputs), dtype=np.float32)
    signal = np.tanh(x @ rng.standard_normal(net.n_inputs).astype(np.float32))
    if net.classifier:
        return x, (signal > 0).astype(np.float32)
    return x, (signal + 0.1 * rng.standard_normal(rows).astype(np.float32)).astype(np.float32)


def keras_model(net: Net):
    """The lab's compiled network, built by its own factory (``lab_model``)."""
    return lab_model(net.name, net.n_inputs)
