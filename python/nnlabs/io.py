"""Atomic file writing (a reader never sees a half-written file) and output-folder checks."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs.errors import ParameterError

_FOLDER_RULE = "must be a folder that can be created and written"


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success.

    The temporary file keeps ``target``'s suffix so that writers which look at the
    extension (``keras.Model.save`` wants ``.keras``) accept it. On any exception the
    temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    os.chmod(tmp, default_mode(0o666))  # mkstemp's 0600 would hide results from others
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def default_mode(base: int) -> int:
    """``base`` (0o666 for a file, 0o777 for a folder) less the process's umask.

    The mode ``open`` or ``mkdir`` would give; ``tempfile`` makes private (0600/0700)
    files and folders, which a result or cache entry should not stay.
    """
    status = Path("/proc/self/status")
    if status.exists():  # Linux: read the umask without setting it (thread-safe)
        for line in status.read_text().splitlines():
            if line.startswith("Umask:"):
                return base & ~int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return base & ~mask


def atomic_write_text(target: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically and return the path."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def atomic_write(target: str | os.PathLike[str], writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result onto ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
    return Path(target)


def _as_path(path: object, name: str) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise ParameterError(f"{name} must be a folder path; got {path!r}")
    return Path(path).expanduser()


def check_writable_dir(path: str | os.PathLike[str], name: str = "out_dir") -> Path:
    """Return ``path`` if it is a writable folder or could be created as one; create nothing.

    Walks up to the nearest part of ``path`` that exists: it must be a folder in which
    this process may write. Raises ParameterError naming ``name``, the path and the
    reason, e.g. ``"out_dir must be a folder that can be created and written; got
    '/data/x.csv/out' (/data/x.csv is a file)"``.
    """
    target = _as_path(path, name)
    existing = Path(os.path.abspath(target))
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ParameterError(f"{name} {_FOLDER_RULE}; got {str(target)!r} ({existing} is a file)")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "it is" if existing == Path(os.path.abspath(target)) else f"{existing} is"
        raise ParameterError(
            f"{name} {_FOLDER_RULE}; got {str(target)!r} ({where} not writable: "
            f"no permission or a read-only file system)"
        )
    return target


def make_writable_dir(path: str | os.PathLike[str], name: str = "out_dir") -> Path:
    """``check_writable_dir``, then create the folder (and its parents); return it."""
    target = check_writable_dir(path, name)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ParameterError(f"{name} {_FOLDER_RULE}; got {str(target)!r} ({reason})") from exc
    return target


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame``'s rows as JSON-ready dicts; a labelled index (a confusion matrix's
    rows) becomes a column first."""
    if frame.index.name is not None:
        frame = frame.reset_index()
    return jsonable(frame.to_dict(orient="records"))


def jsonable(value: Any, *, strict: bool = True) -> Any:
    """``value`` with NumPy scalars and arrays, paths and frames made JSON types.

    Dicts and sequences are converted item by item. Another object is returned as it
    is when ``strict`` (so that ``json.dumps`` names it), else as its ``repr``.
    """
    if isinstance(value, pd.DataFrame):
        return json_records(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v, strict=strict) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v, strict=strict) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if strict or isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)
