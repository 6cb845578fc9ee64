"""What ``nnlabs doctor`` reports: versions, the Keras backend and the devices it sees."""

from __future__ import annotations

import platform
import sys


def report() -> dict[str, str]:
    """Return a dict of labelled facts about the Python set-up (loads Keras)."""
    import keras
    import numpy

    import nnlabs

    backend = keras.backend.backend()
    facts = {
        "nnlabs": nnlabs.__version__,
        "python": f"{sys.version.split()[0]} ({sys.executable})",
        "platform": f"{platform.system()} {platform.machine()}",
        "numpy": numpy.__version__,
        "keras": keras.__version__,
        "backend": backend,
        "devices": ", ".join(_devices(backend)) or "none found",
    }
    for module in ("tensorflow", "jax", "torch"):
        try:
            facts[module] = __import__(module).__version__
        except ImportError:
            facts[module] = "not installed"
    return facts


def _devices(backend: str) -> list[str]:
    if backend == "tensorflow":
        import tensorflow as tf

        return [
            f"{d.device_type}:{d.name.split(':')[-1]}" for d in tf.config.list_physical_devices()
        ]
    if backend == "jax":
        import jax

        return [str(d) for d in jax.devices()]
    import torch

    found = ["cpu"]
    if torch.cuda.is_available():
        found += [
            f"cuda:{i} {torch.cuda.get_device_name(i)}" for i in range(torch.cuda.device_count())
        ]
    if torch.backends.mps.is_available():
        found.append("mps")
    return found
