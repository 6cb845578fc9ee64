"""A folder of trained models keyed by a hash of data, settings and versions.

Each entry is a folder ``<key>/`` holding ``model.keras`` and ``history.csv``. Entries
are written into a temporary folder and renamed into place, so a crash never leaves a
half-written entry that a later run would load.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def default_cache_dir() -> Path:
    """``NNLABS_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/nnlabs`` (``~/.cache/nnlabs``)."""
    if os.environ.get("NNLABS_CACHE_DIR"):
        return Path(os.environ["NNLABS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnlabs"


def cache_key(*, arrays: list[np.ndarray], settings: dict[str, Any], tag: str) -> str:
    """SHA-256 over the arrays' bytes, the settings (as sorted JSON) and the versions."""
    import keras

    import nnlabs

    digest = hashlib.sha256()
    for arr in arrays:
        a = np.ascontiguousarray(arr)
        digest.update(f"{a.dtype}{a.shape}".encode())
        digest.update(a.tobytes())
    meta = {
        "settings": settings,
        "tag": tag,
        "nnlabs": nnlabs.__version__,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
    }
    digest.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


class ModelCache:
    """Trained Keras models stored under ``root/models/<key>/``."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    def _entry(self, key: str) -> Path:
        return self.root / "models" / key

    def load(self, key: str) -> tuple[Any, pd.DataFrame] | None:
        """Return ``(model, history)`` stored under ``key``, or None when absent."""
        entry = self._entry(key)
        if not (entry / "model.keras").is_file():
            return None
        import keras

        model = keras.models.load_model(entry / "model.keras")
        return model, pd.read_csv(entry / "history.csv")

    def save(self, key: str, model, history: pd.DataFrame) -> Path:
        """Store ``model`` and ``history`` under ``key`` atomically; return the entry folder."""
        entry = self._entry(key)
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=entry.parent))
        try:
            model.save(tmp / "model.keras")
            history.to_csv(tmp / "history.csv", index=False)
            if entry.exists():
                shutil.rmtree(entry)
            os.replace(tmp, entry)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return entry
