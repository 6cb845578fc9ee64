"""A folder of trained models keyed by a hash of data, settings and versions.

Layout: ``<root>/models/<key>/`` holds ``model.keras``, ``history.csv`` and, written
last, ``manifest.json`` with the size and SHA-256 of each file (and a checksum of the
manifest itself).

* Writing: the files go into a private temporary folder beside the entries
  (``.<key>.<random>.tmp``), are flushed to disk, the manifest is written last, and the
  folder is published with one atomic rename onto ``<key>``. A process killed at any
  point leaves at most a temporary folder, which no reader looks at (stale ones are
  swept later).
* Entries are immutable: a valid entry is never replaced (the same key means the same
  data, settings and versions, so the same fit). Only a damaged one is: it is first
  renamed aside (``.<key>.<random>.trash``), in one atomic step, and then deleted, so a
  reader sees the whole entry or none.
* Reading: the manifest is checked first, then every file's size and checksum; an entry
  with a missing, truncated or garbled file (or one Keras cannot load) is reported with
  a :class:`~nnlabs.errors.CacheWarning` naming it, discarded, and ``load`` returns None
  so that the network is trained again.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import importlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs.errors import CacheWarning
from nnlabs.io import default_mode

MANIFEST = "manifest.json"
FILES = ("model.keras", "history.csv")
FORMAT = 1
# Temporary and trash folders older than this are left over from killed processes.
STALE_SECONDS = 3600.0
_PUBLISH_ATTEMPTS = 5
_MISSING = "is missing"
# The Python module whose version identifies each Keras backend.
_BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy"}


def default_cache_dir() -> Path:
    """``NNLABS_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/nnlabs`` (``~/.cache/nnlabs``)."""
    if os.environ.get("NNLABS_CACHE_DIR"):
        return Path(os.environ["NNLABS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nnlabs"


def backend_version(backend: str) -> str:
    """The version of the library behind Keras backend ``backend`` (``"2.21.0"``...)."""
    name = _BACKEND_MODULES.get(backend, backend)
    module = sys.modules.get(name)
    if module is None:
        try:
            module = importlib.import_module(name)
        except ImportError:
            return "unknown"
    return str(getattr(module, "__version__", "unknown"))


def cache_key(*, arrays: list[np.ndarray], settings: dict[str, Any], tag: str) -> str:
    """SHA-256 over the arrays' bytes, the settings (as sorted JSON) and the versions.

    The versions are nnlabs', Keras', the backend's name and the version of the backend
    library (TensorFlow, JAX or PyTorch), so upgrading any of them trains anew.
    """
    import keras

    import nnlabs

    digest = hashlib.sha256()
    for arr in arrays:
        a = np.ascontiguousarray(arr)
        digest.update(f"{a.dtype}{a.shape}".encode())
        digest.update(a.tobytes())
    backend = keras.backend.backend()
    meta = {
        "settings": settings,
        "tag": tag,
        "nnlabs": nnlabs.__version__,
        "keras": keras.__version__,
        "backend": backend,
        "backend_version": backend_version(backend),
    }
    digest.update(json.dumps(meta, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:32]


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _fsync_file(path: Path) -> None:
    with open(path, "r+b") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


class ModelCache:
    """Trained Keras models stored under ``root/models/<key>/``, checked when loaded."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()

    @property
    def models_dir(self) -> Path:
        """The folder holding one sub-folder per entry."""
        return self.root / "models"

    def _entry(self, key: str) -> Path:
        return self.models_dir / key

    # ------------------------------------------------------------------------ reading

    def load(self, key: str) -> tuple[Any, pd.DataFrame] | None:
        """Return ``(model, history)`` stored under ``key``, or None when there is none.

        An entry that is damaged (a file missing, truncated or garbled; no or a bad
        manifest) or that Keras cannot load is reported with a ``CacheWarning`` naming
        it, removed, and None is returned, so that the caller trains again.
        """
        entry = self._entry(key)
        if not os.path.lexists(entry):
            return None
        problem, ident = self.verify(key)
        if problem is None:
            try:
                import keras

                model = keras.models.load_model(entry / "model.keras")
                history = pd.read_csv(entry / "history.csv")
            except Exception as exc:  # any failure means: do not trust the entry
                detail = " ".join(f"{type(exc).__name__}: {exc}".split())
                problem = f"could not be loaded ({detail[:300]})"
            else:
                return model, history
        if problem != _MISSING:  # removed meanwhile by another process: a plain miss
            self._discard(key, ident, problem)
        return None

    def verify(self, key: str) -> tuple[str | None, tuple[int, int] | None]:
        """Check entry ``key`` against its manifest; return ``(problem, identity)``.

        ``problem`` is None for a sound entry, else what is wrong, in words.
        ``identity`` (device and inode of the folder) lets a discard make sure it removes
        the folder that was checked, not one a concurrent writer put in its place.
        """
        entry = self._entry(key)
        ident = _identity(entry)
        if ident is None:
            return _MISSING, None
        if not entry.is_dir() or entry.is_symlink():
            return "is not a folder", ident
        try:
            raw = (entry / MANIFEST).read_bytes()
        except FileNotFoundError:
            return f"has no {MANIFEST} (its writer was interrupted)", ident
        except OSError as exc:
            return f"has an unreadable {MANIFEST} ({exc.strerror or exc})", ident
        problem, files = self._read_manifest(raw, key)
        if problem is not None:
            return problem, ident
        for name in FILES:
            want = files[name]
            try:
                digest, size = _file_digest(entry / name)
            except FileNotFoundError:
                return f"lacks {name}", ident
            except OSError as exc:
                return f"has an unreadable {name} ({exc.strerror or exc})", ident
            if size != want["bytes"]:
                return (
                    f"has a truncated or altered {name} ({size:,} bytes; its manifest says "
                    f"{want['bytes']:,})"
                ), ident
            if digest != want["sha256"]:
                return f"has a garbled {name} (its SHA-256 does not match the manifest)", ident
        return None, ident

    @staticmethod
    def _read_manifest(raw: bytes, key: str) -> tuple[str | None, dict[str, Any]]:
        bad = f"has a garbled or truncated {MANIFEST}"
        try:
            manifest = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return bad, {}
        if not isinstance(manifest, dict) or not isinstance(manifest.get("checksum"), str):
            return bad, {}
        body = {k: v for k, v in manifest.items() if k != "checksum"}
        if hashlib.sha256(_canonical(body)).hexdigest() != manifest["checksum"]:
            return f"{bad} (its checksum does not match)", {}
        if body.get("format") != FORMAT:
            return f"has a {MANIFEST} of format {body.get('format')!r}; expected {FORMAT}", {}
        if body.get("key") != key:
            return f"has a {MANIFEST} for key {body.get('key')!r}", {}
        files = body.get("files")
        ok = isinstance(files, dict) and set(files) == set(FILES)
        ok = ok and all(
            isinstance(v, dict)
            and isinstance(v.get("sha256"), str)
            and isinstance(v.get("bytes"), int)
            for v in files.values()
        )
        if not ok:
            return f"{bad} (it must list {', '.join(FILES)})", {}
        return None, files

    # ------------------------------------------------------------------------ writing

    def save(self, key: str, model, history: pd.DataFrame) -> Path | None:
        """Store ``model`` and ``history`` under ``key``; return the entry folder.

        The entry appears whole or not at all (see the module docstring). When a sound
        entry for ``key`` is already there (another process was quicker) it is kept. When
        the cache folder cannot be written, a ``CacheWarning`` names it and None is
        returned: the fitted model is then simply not cached.
        """
        models = self.models_dir
        try:
            models.mkdir(parents=True, exist_ok=True)
            self.sweep()
            tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", suffix=".tmp", dir=models))
            os.chmod(tmp, default_mode(0o777))
        except OSError as exc:
            self._warn_unwritable(models, exc)
            return None
        try:
            model.save(tmp / "model.keras")
            history.to_csv(tmp / "history.csv", index=False)
            self._write_manifest(tmp, key)
            return self._publish(key, tmp)
        except OSError as exc:
            self._warn_unwritable(models, exc)
            return None
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def _write_manifest(folder: Path, key: str) -> None:
        """Flush the entry's files to disk, then write the manifest that vouches for them."""
        import nnlabs

        files = {}
        for name in FILES:
            _fsync_file(folder / name)
            digest, size = _file_digest(folder / name)
            files[name] = {"sha256": digest, "bytes": size}
        body = {
            "format": FORMAT,
            "key": key,
            "files": files,
            "nnlabs": nnlabs.__version__,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }
        manifest = {**body, "checksum": hashlib.sha256(_canonical(body)).hexdigest()}
        with open(folder / MANIFEST, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        _fsync_dir(folder)

    def _publish(self, key: str, tmp: Path) -> Path | None:
        """Rename the finished ``tmp`` folder onto the entry, unless a sound one is there."""
        entry = self._entry(key)
        for _ in range(_PUBLISH_ATTEMPTS):
            try:
                os.rename(tmp, entry)
            except OSError:
                if not os.path.lexists(entry):
                    continue  # removed meanwhile; try again
                problem, ident = self.verify(key)
                if problem is None:
                    return entry  # a sound entry won the race; entries are immutable
                if problem == _MISSING:
                    continue
                self._discard(key, ident, problem)
                continue
            _fsync_dir(self.models_dir)
            return entry
        warnings.warn(
            f"nnlabs cache: could not store entry {entry} after {_PUBLISH_ATTEMPTS} attempts "
            f"(other processes kept replacing it); the fitted network is not cached",
            CacheWarning,
            stacklevel=3,
        )
        return None

    def _discard(self, key: str, ident: tuple[int, int] | None, problem: str) -> None:
        """Warn about entry ``key`` and remove it: renamed aside in one step, then deleted.

        If what was renamed aside is not the folder that was checked (``ident``), a
        concurrent writer had just published a new entry; it is put back.
        """
        entry = self._entry(key)
        warnings.warn(
            f"nnlabs cache: entry {entry} {problem}; it is discarded and the network is "
            f"trained again",
            CacheWarning,
            stacklevel=3,
        )
        trash = self.models_dir / f".{key}.{uuid.uuid4().hex[:12]}.trash"
        try:
            os.rename(entry, trash)
        except FileNotFoundError:
            return  # someone else removed it already
        except OSError:
            _remove(entry)  # cannot rename (e.g. a read-only parent): remove in place
            return
        if ident is not None and _identity(trash) != ident:
            with contextlib.suppress(OSError):
                os.rename(trash, entry)
                return
        _remove(trash)

    def sweep(self, max_age: float = STALE_SECONDS) -> list[Path]:
        """Remove temporary and trash folders older than ``max_age`` seconds; return them.

        They are what processes killed while writing or discarding leave behind; no
        reader ever looks at them.
        """
        removed = []
        now = time.time()
        try:
            leftovers = [
                p
                for p in self.models_dir.iterdir()
                if p.name.startswith(".") and p.name.endswith((".tmp", ".trash"))
            ]
        except OSError:
            return removed
        for path in leftovers:
            try:
                age = now - path.lstat().st_mtime
            except OSError:
                continue
            if age > max_age:
                _remove(path)
                removed.append(path)
        return removed

    @staticmethod
    def _warn_unwritable(folder: Path, exc: OSError) -> None:
        reason = exc.strerror or str(exc)
        warnings.warn(
            f"nnlabs cache: cannot write to {folder} ({reason}); the fitted network is not "
            f"cached (set NNLABS_CACHE_DIR to a writable folder, or pass cache=False)",
            CacheWarning,
            stacklevel=4,
        )
