"""One call that seeds every random number generator a lab touches."""

from __future__ import annotations

import os
import random

import numpy as np

from nnlabs.validation import check_int


def set_seed(seed: int) -> None:
    """Seed Python's ``random``, NumPy and the Keras backend with ``seed``.

    On CPU two runs with the same seed then give identical weights and metrics.
    TensorFlow's op determinism is switched on too, because its parallel reductions
    otherwise make results differ from run to run in the last bits.
    """
    seed = check_int("seed", seed, minimum=0)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 (seeds legacy global state that libraries still use)
    import keras

    if keras.backend.backend() != "tensorflow":
        _seed_keras_without_tensorflow(seed)
        return
    keras.utils.set_random_seed(seed)
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()


def _seed_keras_without_tensorflow(seed: int) -> None:
    """What ``keras.utils.set_random_seed`` does on JAX or PyTorch, less TensorFlow's seed.

    Keras imports TensorFlow there whenever it is installed, to seed ``tf.data``
    shuffles that a JAX or PyTorch fit on arrays never runs: about 2 s and 500 MiB for
    nothing. Keras keeps the seed in its global state and drops its global seed
    generator; where those internals moved, the public call is used instead.
    """
    import keras

    try:
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # pragma: no cover - a Keras whose internals moved
        keras.utils.set_random_seed(seed)
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, seed)
    global_state.set_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR, None)
    if keras.backend.backend() == "torch":
        import torch

        torch.manual_seed(seed)
