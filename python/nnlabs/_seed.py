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

    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
