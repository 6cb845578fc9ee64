"""Small factories for the labs' Keras networks (functional API).

Each lab describes its network as a tuple of ``DenseBlock`` and calls ``dense_network``;
layer names follow the notes (``hidden_1``, ``bn_1``, ``dropout_1``, ``output``) so that
``model.summary()`` reads like the notes' tables.
"""

from __future__ import annotations

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


def dense_network(
    n_inputs: int,
    blocks: Sequence[DenseBlock],
    *,
    output_units: int = 1,
    output_activation: str | None = None,
    name: str = "network",
):
    """Build (uncompiled) ``Input(n_inputs) -> blocks -> Dense(output_units)``.

    Returns a ``keras.Model`` mapping (batch, n_inputs) float32 to (batch, output_units).
    """
    import keras

    n_inputs = check_int("n_inputs", n_inputs, minimum=1)
    inputs = keras.Input(shape=(n_inputs,), name="inputs")
    x = inputs
    for i, block in enumerate(blocks, start=1):
        x = keras.layers.Dense(block.units, activation=block.activation, name=f"hidden_{i}")(x)
        if block.batch_norm:
            x = keras.layers.BatchNormalization(name=f"bn_{i}")(x)
        if block.dropout > 0:
            x = keras.layers.Dropout(block.dropout, name=f"dropout_{i}")(x)
    outputs = keras.layers.Dense(output_units, activation=output_activation, name="output")(x)
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
