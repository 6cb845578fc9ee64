"""Where data files live: the user's data folder, the download cache, and file lookup.

Lookup order for a file with an official name (e.g. ``yellow_tripdata_2023-01.parquet``):

1. the folder given by argument, else the one named by ``NNLABS_DATA_DIR``, and its
   dataset subfolders (``nyc_taxi/``, ``nyc311/``);
2. the download cache (``$NNLABS_CACHE_DIR/data``, else ``~/.cache/nnlabs/data``), in the
   dataset's subfolder.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from nnlabs.cache import default_cache_dir
from nnlabs.errors import DataNotFoundError, ParameterError

DATA_DIR_ENV = "NNLABS_DATA_DIR"


def check_data_dir(folder: str | os.PathLike[str], name: str = "data_dir") -> Path:
    """Return ``folder`` if it is an existing folder; else ParameterError naming it.

    A folder given by argument must exist: a mistyped one would otherwise send the
    lookup on to the download cache and the network without a word.
    """
    if not isinstance(folder, (str, os.PathLike)) or not str(folder).strip():
        raise ParameterError(f"{name} must be the path of an existing folder; got {folder!r}")
    path = Path(folder).expanduser()
    if not path.exists():
        why = "no such folder"
    elif not path.is_dir():
        why = "a file, not a folder"
    else:
        return path
    raise ParameterError(
        f"{name} must be the path of an existing folder; got {str(path)!r} ({why})"
    )


def data_dir(folder: str | os.PathLike[str] | None = None) -> Path | None:
    """Return the user's data folder: ``folder`` if given, else ``$NNLABS_DATA_DIR``, else None.

    A ``folder`` given by argument must exist (``check_data_dir``); the environment
    variable may name one that does not, which is then simply searched in vain.
    """
    if folder is not None:
        return check_data_dir(folder)
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else None


def cache_dir(folder: str | os.PathLike[str] | None = None) -> Path:
    """Return the download cache: ``folder`` if given, else ``<nnlabs cache>/data``.

    The nnlabs cache root is the one trained models use (``nnlabs.cache``):
    ``$NNLABS_CACHE_DIR``, else ``$XDG_CACHE_HOME/nnlabs`` or ``~/.cache/nnlabs``; so
    downloads land in ``~/.cache/nnlabs/data/<dataset>/`` by default. The folder is not
    created here; downloads create it when they write.
    """
    if folder is not None:
        return Path(folder).expanduser()
    return default_cache_dir().expanduser() / "data"


def candidate_dirs(
    subdirs: Iterable[str],
    *,
    folder: str | os.PathLike[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Folders searched, in order: the data folder, its ``subdirs``, the cache's first subdir."""
    subdirs = tuple(subdirs)
    dirs: list[Path] = []
    root = data_dir(folder)
    if root is not None:
        dirs.append(root)
        dirs.extend(root / sub for sub in subdirs)
    dirs.append(cache_dir(cache) / subdirs[0])
    return dirs


def find_file(name: str, dirs: Iterable[Path]) -> Path | None:
    """Return the first ``dir / name`` that is a file, or None."""
    for d in dirs:
        path = d / name
        if path.is_file():
            return path
    return None


def find_variant(pattern: str, dirs: Iterable[Path]) -> Path | None:
    """Return the first file matching the glob ``pattern`` (sorted by name) in ``dirs``."""
    for d in dirs:
        if d.is_dir():
            hits = sorted(p for p in d.glob(pattern) if p.is_file())
            if hits:
                return hits[0]
    return None


def missing_file_error(name: str, dirs: Iterable[Path], url: str, reason: str) -> DataNotFoundError:
    """Build the error for a file that is neither on disk nor downloadable.

    It names the file, every folder searched, the official URL, and the two ways to fix it
    (put the file in a folder, or allow the download).
    """
    dirs = list(dirs)
    looked = ", ".join(str(d) for d in dirs)
    return DataNotFoundError(
        f"data file {name!r} not found (looked in: {looked}); {reason}. Download it from "
        f"{url} and put it in {dirs[-1]} or in the folder named by {DATA_DIR_ENV} "
        f"(or pass data_dir=...)"
    )


def check_month(name: str, value: object) -> str:
    """Return ``value`` if it is a ``'YYYY-MM'`` string with a month 01-12, else ParameterError."""
    ok = isinstance(value, str) and len(value) == 7 and value[4] == "-"
    ok = ok and value[:4].isdigit() and value[5:].isdigit() and 1 <= int(value[5:]) <= 12
    if not ok:
        raise ParameterError(f"{name} must be a 'YYYY-MM' string such as '2023-01'; got {value!r}")
    return value
