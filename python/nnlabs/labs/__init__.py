"""The labs of §11.11, each a module with a ``Settings`` dataclass and a ``run`` function.

``run(name, **settings)`` runs one lab by name; ``LABS`` lists the names.
"""

from __future__ import annotations

import importlib
from typing import Any

from nnlabs.errors import ParameterError
from nnlabs.labs._result import LabResult

# Lab name -> module under nnlabs.labs; each module defines run(settings=None, **overrides).
LABS: dict[str, str] = {
    "hitters": "hitters",
    "movies": "movies",
    "nyc311": "nyc311",
    "taxi": "taxi",
}

__all__ = ["LABS", "LabResult", "get", "run"]


def get(name: str):
    """Return the module of lab ``name``."""
    if name not in LABS:
        raise ParameterError(f"lab must be one of {', '.join(LABS)}; got {name!r}")
    return importlib.import_module(f"nnlabs.labs.{LABS[name]}")


def run(name: str, **kwargs: Any) -> LabResult:
    """Run lab ``name`` with keyword settings, e.g. ``run("hitters", epochs=50)``."""
    return get(name).run(**kwargs)
