"""The labs of §11.11: one registry, name -> ``LabSpec``, and one runner for all of them.

``run(name, **settings)`` runs a lab by name; ``names()`` lists them; ``get(name)``
returns a lab's spec; ``register(spec)`` adds a lab (one module plus this call), which
the CLI (``nnlabs run NAME``, ``nnlabs run all``) and the R package then offer.
"""

from __future__ import annotations

import importlib
from typing import Any

from nnlabs.errors import ParameterError
from nnlabs.labs.fitted import FittedLab, load_lab
from nnlabs.labs.result import LabResult
from nnlabs.labs.runner import run_lab
from nnlabs.labs.spec import LabSettings, LabSpec, settings_schema

# The notes' labs, each a module of this package defining SPEC; imported when first used.
_BUILTIN = ("hitters", "movies", "nyc311", "taxi")
_REGISTRY: dict[str, LabSpec | None] = dict.fromkeys(_BUILTIN)

__all__ = [
    "FittedLab",
    "LabResult",
    "LabSettings",
    "LabSpec",
    "describe",
    "get",
    "load_lab",
    "names",
    "register",
    "run",
    "unregister",
]


def names() -> list[str]:
    """The registered labs' names, in registration order."""
    return list(_REGISTRY)


def get(name: str) -> LabSpec:
    """The ``LabSpec`` of lab ``name``."""
    if name not in _REGISTRY:
        raise ParameterError(f"lab must be one of {', '.join(_REGISTRY)}; got {name!r}")
    if _REGISTRY[name] is None:
        _REGISTRY[name] = importlib.import_module(f"nnlabs.labs.{name}").SPEC
    return _REGISTRY[name]


def register(spec: LabSpec, *, replace: bool = False) -> LabSpec:
    """Add ``spec`` to the registry under ``spec.name``; returns it."""
    if not isinstance(spec, LabSpec):
        raise ParameterError(f"spec must be a LabSpec; got {type(spec).__name__}")
    if spec.name in _REGISTRY and not replace:
        raise ParameterError(f"a lab named {spec.name!r} is registered already")
    _REGISTRY[spec.name] = spec
    return spec


def unregister(name: str) -> None:
    """Remove lab ``name`` (not one of the notes' labs)."""
    if name in _BUILTIN:
        raise ParameterError(f"lab {name!r} is one of the notes' labs and cannot be removed")
    _REGISTRY.pop(name, None)


def run(name: str, settings: LabSettings | None = None, **kwargs: Any) -> LabResult:
    """Run lab ``name``, e.g. ``run("hitters", epochs=50)``; see ``runner.run_lab``."""
    return run_lab(get(name), settings, **kwargs)


def describe(name: str) -> dict[str, Any]:
    """What a front end needs to offer lab ``name``: its settings and inputs.

    Returns ``{"name", "title", "settings": settings_schema(...), "inputs",
    "notes_protocol"}``; the CLI and the R package build their arguments from it.
    """
    spec = get(name)
    return {
        "name": spec.name,
        "title": spec.title,
        "settings": settings_schema(spec.settings),
        "inputs": list(spec.inputs),
        "notes_protocol": dict(spec.notes_protocol),
    }
