"""What ``nnlabs doctor`` reports: which Python runs and why, the versions, the Keras
backend and the devices it sees, and warnings on set-ups known to fail.

:func:`report` is what the command line prints and what R's ``nnlabs_doctor()`` shows.
The warning rules live in :func:`setup_warnings`, a pure function of the facts that
:func:`setup_facts` collects, so that they can be tested with made-up facts.
"""

from __future__ import annotations

import email.parser
import os
import platform
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# Apple's compatibility table for the Metal plug-in (the "tensorflow-metal" page on
# PyPI): each plug-in release is built against one TensorFlow minor release.
METAL_TENSORFLOW = {
    "0.8.0": "2.12",
    "1.0.0": "2.13",
    "1.1.0": "2.14",
    "1.2.0": "2.18",
}

# The file install_nnlabs() (R) writes into the environments it makes: DCF fields
# Version, Extras ("cuda, jax") and Wheel.
ENV_MARKER = "NNLABS_ENV"


def report(chosen_by: str | None = None, positron: bool | None = None) -> dict[str, str]:
    """Return labelled facts about the Python set-up (loads Keras), then any warnings.

    ``chosen_by`` says why this interpreter runs (R passes the rule that chose it);
    ``positron`` whether the host is Positron (by default read from the environment).
    Warnings come as ``"warning 1"``, ``"warning 2"``, ... entries, each saying what
    is wrong and what to do.
    """
    import keras
    import numpy

    import nnlabs

    backend = keras.backend.backend()
    facts = {
        "nnlabs": nnlabs.__version__,
        "python": f"{sys.version.split()[0]} ({sys.executable})",
        "chosen by": chosen_by or _chosen_by_default(),
        "environment": describe_environment(Path(sys.prefix), Path(sys.base_prefix)),
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
    for number, text in enumerate(setup_warnings(setup_facts(positron=positron)), start=1):
        facts[f"warning {number}"] = text
    return facts


def _chosen_by_default() -> str:
    script = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    if script.startswith("nnlabs"):
        return f"the nnlabs command ({sys.argv[0]}) runs this interpreter"
    return "the interpreter of this process"


def describe_environment(prefix: Path, base_prefix: Path) -> str:
    """What kind of environment ``prefix`` is: conda, virtualenv (whose), or system."""
    if (prefix / "conda-meta").is_dir():
        return f"conda environment {prefix}"
    marker = _env_marker(prefix)
    if marker is not None:
        extras = ", ".join(marker.get("extras") or []) or "none"
        return f"virtualenv {prefix} made by install_nnlabs() (extras: {extras})"
    if any(part.startswith("archive-v") for part in prefix.parts):
        return f"uv's cached environment {prefix} (reticulate's py_require())"
    if (prefix / "pyvenv.cfg").is_file() or prefix != base_prefix:
        return f"virtualenv {prefix}"
    return f"the Python installation itself at {prefix} (no virtual environment)"


def _env_marker(prefix: Path) -> dict[str, Any] | None:
    """The fields of install_nnlabs()'s marker file (extras as a list), or None."""
    try:
        text = (prefix / ENV_MARKER).read_text(encoding="utf-8")
    except OSError:
        return None
    fields = email.parser.Parser().parsestr(text)
    extras = [part.strip() for part in (fields["Extras"] or "").split(",") if part.strip()]
    return {"version": fields["Version"], "extras": extras}


def setup_facts(positron: bool | None = None) -> dict[str, Any]:
    """The facts :func:`setup_warnings` judges, read without importing TensorFlow."""
    prefix = Path(sys.prefix)
    if positron is None:
        positron = bool(os.environ.get("POSITRON_VERSION")) or os.environ.get("POSITRON") == "1"
    marker = _env_marker(prefix) or {}
    return {
        "system": platform.system(),
        "machine": platform.machine(),
        "prefix": str(prefix),
        "conda": (prefix / "conda-meta").is_dir(),
        "positron": positron,
        "tensorflow": _dist_version("tensorflow"),
        "tensorflow_metal": _dist_version("tensorflow-metal"),
        "gpu_request": _gpu_request(marker.get("extras") or []),
    }


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _gpu_request(extras: list[str]) -> str | None:
    """What asks for an NVIDIA GPU here, in words, or None."""
    if "cuda" in extras:
        return "the 'cuda' extra of install_nnlabs()"
    cuda_wheels = sorted(
        name
        for name in {(dist.metadata["Name"] or "").lower() for dist in metadata.distributions()}
        if re.fullmatch(r"nvidia-.*-cu\d+|tensorflow-gpu", name)
    )
    if cuda_wheels:
        return f"the installed GPU packages ({', '.join(cuda_wheels[:3])})"
    visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
    if visible and visible != "-1":
        return f"CUDA_VISIBLE_DEVICES={visible}"
    return None


def setup_warnings(facts: dict[str, Any]) -> list[str]:
    """Warnings about known-bad set-ups, each with what to do; empty when none applies.

    ``facts`` has the keys of :func:`setup_facts`: ``system``, ``prefix``, ``conda``,
    ``positron``, ``tensorflow``, ``tensorflow_metal`` and ``gpu_request``.
    """
    found = []
    if facts.get("conda") and facts.get("positron"):
        found.append(
            f"the Python in use is a conda environment ({facts['prefix']}) and the host is "
            "Positron: Positron starts R and Python without activating conda, so "
            "TensorFlow's libraries can fail to load or clash with the ones Positron "
            "loaded. Use a virtualenv instead: nnlabs::install_nnlabs() (or `make sync` in "
            "the repository), or NNLABS_PYTHON set to a virtualenv's python in "
            "~/.Renviron; then restart R."
        )
    metal = facts.get("tensorflow_metal")
    tensorflow = facts.get("tensorflow")
    wanted = METAL_TENSORFLOW.get(metal or "")
    if wanted and tensorflow and _minor(tensorflow) != wanted:
        found.append(
            f"tensorflow-metal {metal} is built for TensorFlow {wanted}, but TensorFlow "
            f"{tensorflow} is installed: the plug-in may fail to load or give wrong "
            f"results. Install tensorflow=={wanted}.* into this environment, or uninstall "
            "tensorflow-metal and run on the CPU or with NNLABS_BACKEND=jax or torch "
            "(docs/gpu.md)."
        )
    request = facts.get("gpu_request")
    if request and facts.get("system") == "Windows":
        found.append(
            f"a GPU is requested ({request}) on native Windows, where TensorFlow has had no "
            "GPU support since 2.11: the labs run on the CPU. Use WSL2 (install nnlabs "
            "inside it with the 'cuda' extra), or NNLABS_BACKEND=torch with a CUDA build "
            "of PyTorch."
        )
    return found


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


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
