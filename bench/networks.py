"""The four labs' networks as the notes define them, for the throughput benchmarks.

Kept free of Keras at import time: the plain-PyTorch child imports this module from a
virtual environment that has NumPy and PyTorch only.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Layer:
    units: int
    batch_norm: bool = False
    dropout: float = 0.0


@dataclass(frozen=True)
class Net:
    """One lab's network: inputs, hidden layers, loss, the notes' batch size(s)."""

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


NETS: dict[str, Net] = {
    "hitters": Net(
        "hitters", 20, (Layer(64, True, 0.3), Layer(32, True, 0.2)), "mse", (32,), 20_000
    ),
    "nyc311": Net(
        "nyc311",
        40,
        (Layer(128, True, 0.3), Layer(64, True, 0.2), Layer(32, False, 0.1)),
        "mae",
        (256,),
        80_000,
    ),
    "taxi": Net(
        "taxi",
        7,
        (Layer(256, False, 0.1), Layer(128, False, 0.1), Layer(64)),
        "mae",
        (512, 4096),
        240_000,
    ),
    "movies": Net(
        "movies",
        6,
        (Layer(32, True, 0.3), Layer(16, False, 0.2)),
        "binary_crossentropy",
        (32,),
        20_000,
    ),
}
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
    """The network with ``nnlabs.networks.dense_network``, compiled as the notes do."""
    import keras

    from nnlabs.networks import DenseBlock, dense_network

    blocks = [DenseBlock(layer.units, layer.batch_norm, layer.dropout) for layer in net.layers]
    model = dense_network(
        net.n_inputs,
        blocks,
        output_activation="sigmoid" if net.classifier else None,
        name=net.name,
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=net.loss)
    return model
