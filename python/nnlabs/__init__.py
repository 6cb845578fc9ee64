"""nnlabs: the neural-network labs of a statistical-learning course, as reproducible software.

Light to import: Keras and TensorFlow load only when a lab or network is first used.

>>> import nnlabs
>>> result = nnlabs.labs.run("hitters", epochs=20)   # doctest: +SKIP
>>> print(result)                                    # doctest: +SKIP
>>> result.save("outputs")                           # doctest: +SKIP
>>> nnlabs.load_lab("outputs/hitters_model").predict(new_rows)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from nnlabs._backend import configure_backend
from nnlabs._seed import set_seed
from nnlabs.errors import (
    DataError,
    DataNotFoundError,
    DownloadError,
    NnlabsError,
    ParameterError,
)

__version__ = "0.1.0"

configure_backend()

_LAZY_SUBMODULES = (
    "cache",
    "data",
    "design",
    "doctor",
    "errors",
    "evaluation",
    "io",
    "labs",
    "models",
    "presentation",
    "responsible",
    "splits",
    "validation",
    "worked_example",
)

__all__ = [
    "DataError",
    "DataNotFoundError",
    "DownloadError",
    "NnlabsError",
    "ParameterError",
    "__version__",
    "load_lab",
    "set_seed",
    *_LAZY_SUBMODULES,
]


def load_lab(path, *, lab: str | None = None, trusted: tuple[str, ...] = ()):
    """Load a saved lab (``LabResult.save``) to predict new rows; see
    ``nnlabs.labs.fitted.load_lab``."""
    from nnlabs.labs.fitted import load_lab as _load

    return _load(path, lab=lab, trusted=trusted)


def __getattr__(name: str) -> Any:
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"nnlabs.{name}")
    raise AttributeError(f"module 'nnlabs' has no attribute {name!r}")
