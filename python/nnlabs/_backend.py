"""Choosing the Keras backend before Keras is imported.

``NNLABS_BACKEND`` wins over ``KERAS_BACKEND``; TensorFlow is the default. Keras reads
its backend once, at import, so this runs when ``nnlabs`` is imported.
"""

from __future__ import annotations

import os
import sys

BACKENDS = ("tensorflow", "jax", "torch")
DEFAULT_BACKEND = "tensorflow"


def configure_backend() -> str:
    """Set ``KERAS_BACKEND`` from ``NNLABS_BACKEND`` (or the default) and return it."""
    from nnlabs.errors import ParameterError

    wanted = os.environ.get("NNLABS_BACKEND") or os.environ.get("KERAS_BACKEND")
    wanted = (wanted or DEFAULT_BACKEND).strip().lower()
    if wanted not in BACKENDS:
        listed = ", ".join(BACKENDS)
        raise ParameterError(f"NNLABS_BACKEND must be one of {listed}; got {wanted!r}")
    if "keras" in sys.modules:
        # Keras already chose; report what it uses rather than pretend to switch.
        return sys.modules["keras"].backend.backend()
    os.environ["KERAS_BACKEND"] = wanted
    # TensorFlow prints start-up noise on stderr that hides the labs' own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return wanted
