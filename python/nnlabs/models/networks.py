"""Small factories for the labs' Keras networks (functional API).

Each lab describes its network as a tuple of ``DenseBlock`` and calls ``dense_network``;
layer names follow the notes (``hidden_1``, ``bn_1``, ``dropout_1``, ``output``) so that
``model.summary()`` reads like the notes' tables.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from nnlabs.validation import check_float, check_int


@dataclass(frozen=True)
class DenseBlock:
    """One hidden layer: Dense(``units``, ``activation``), optional batch norm, dropout."""

    units: int
    batch_norm: bool = False
    dropout: float = 0.0
    activation: str = "relu"

    def __post_init__(self) -> None:
        check_int("units", self.units, minimum=1)
        check_float("dropout", self.dropout, 0.0, 1.0, high_inclusive=False)


class LayerSeeds:
    """The seeds of one network's random layers, drawn in the order the layers are made.

    Left to itself Keras draws each layer's seed from Python's global ``random``, which
    every thread shares: in a Dask worker the event loop draws from it between
    ``set_seed`` and the build, and the same seed gave a different network. A private
    ``random.Random(seed)`` draws exactly the seeds Keras would after ``random.seed(seed)``
    (the same networks as before), with no other thread in between. ``seed=None`` leaves
    every seed to Keras.
    """

    def __init__(self, seed: int | None) -> None:
        self._rng = None if seed is None else random.Random(check_int("seed", seed, minimum=0))

    def next(self) -> int | None:
        """The next layer's seed, as Keras' ``make_default_seed`` draws it (or None)."""
        return None if self._rng is None else self._rng.randint(1, int(1e9))

    def dense(self, units: int, *, activation: str | None, name: str):
        """``keras.layers.Dense`` whose Glorot-uniform kernel uses the next seed."""
        import keras

        init = keras.initializers.GlorotUniform(seed=self.next())
        return keras.layers.Dense(units, activation=activation, kernel_initializer=init, name=name)

    def dropout(self, rate: float, *, name: str):
        """``keras.layers.Dropout`` whose masks use the next seed."""
        import keras

        return keras.layers.Dropout(rate, seed=self.next(), name=name)


def dense_blocks(x, blocks: Sequence[DenseBlock], seeds: LayerSeeds):
    """Apply ``blocks`` to the tensor ``x``: layers ``hidden_i``, ``bn_i``, ``dropout_i``."""
    import keras

    for i, block in enumerate(blocks, start=1):
        x = seeds.dense(block.units, activation=block.activation, name=f"hidden_{i}")(x)
        if block.batch_norm:
            x = keras.layers.BatchNormalization(name=f"bn_{i}")(x)
        if block.dropout > 0:
            x = seeds.dropout(block.dropout, name=f"dropout_{i}")(x)
    return x


def dense_network(
    n_inputs: int,
    blocks: Sequence[DenseBlock],
    *,
    output_units: int = 1,
    output_activation: str | None = None,
    name: str = "network",
    seed: int | None = None,
):
    """Build (uncompiled) ``Input(n_inputs) -> blocks -> Dense(output_units)``.

    Returns a ``keras.Model`` mapping (batch, n_inputs) float32 to (batch, output_units).
    ``seed`` fixes the initial weights and dropout masks whatever other threads do
    (``LayerSeeds``); None leaves them to Keras' global seed.
    """
    import keras

    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    seeds = LayerSeeds(seed)
    inputs = keras.Input(shape=(n_inputs,), name="inputs")
    x = dense_blocks(inputs, blocks, seeds)
    outputs = seeds.dense(output_units, activation=output_activation, name="output")(x)
    return keras.Model(inputs, outputs, name=name)


def parameter_counts(model) -> dict[str, int]:
    """Return ``{"total", "trainable", "non_trainable"}`` parameter counts of a built model."""
    import numpy as np

    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    return {
        "total": trainable + non_trainable,
        "trainable": trainable,
        "non_trainable": non_trainable,
    }
