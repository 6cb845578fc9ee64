"""Network factories: a seeded network is the same whatever other threads do."""

from __future__ import annotations

import random
import threading

import numpy as np

from nnlabs._seed import set_seed
from nnlabs.models.networks import DenseBlock, dense_network

BLOCKS = [DenseBlock(16, batch_norm=True, dropout=0.3), DenseBlock(8, dropout=0.1)]


def _weights(model) -> list[np.ndarray]:
    return [np.asarray(w) for w in model.weights]


def _dropout_seeds(model) -> list[list[int]]:
    layers = [layer for layer in model.layers if hasattr(layer, "seed_generator")]
    assert layers, "the network has no dropout layer to compare"
    return [np.asarray(layer.seed_generator.state).tolist() for layer in layers]


def test_a_seeded_network_ignores_draws_from_the_global_random_by_other_threads():
    # A Dask worker's event loop draws from Python's global `random` while a task builds
    # its network; before LayerSeeds the same seed then gave other weights.
    reference = dense_network(5, BLOCKS, seed=3)
    stop = threading.Event()

    def draw() -> None:
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=draw)
    thread.start()
    try:
        others = [dense_network(5, BLOCKS, seed=3) for _ in range(3)]
    finally:
        stop.set()
        thread.join()
    for other in others:
        for a, b in zip(_weights(reference), _weights(other), strict=True):
            np.testing.assert_array_equal(a, b)
        assert _dropout_seeds(other) == _dropout_seeds(reference)


def test_a_seeded_network_is_the_one_keras_draws_after_set_seed():
    # The explicit seeds are the ones Keras' own defaults draw after random.seed(seed),
    # so results from before LayerSeeds (tests/pinned) still hold.
    set_seed(11)
    keras_default = dense_network(5, BLOCKS)
    seeded = dense_network(5, BLOCKS, seed=11)
    for a, b in zip(_weights(keras_default), _weights(seeded), strict=True):
        np.testing.assert_array_equal(a, b)
    assert _dropout_seeds(seeded) == _dropout_seeds(keras_default)


def test_different_seeds_give_different_networks():
    a = _weights(dense_network(5, BLOCKS, seed=1))[0]
    b = _weights(dense_network(5, BLOCKS, seed=2))[0]
    assert not np.array_equal(a, b)
