"""The Hitters data set (MLB salaries, 1986-87), shipped with the package.

The CSV is the copy from the ISLP wheel (``ISLP/data/Hitters.csv``); see data/README.md
for its origin and licence.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from nnlabs.errors import DataError

CATEGORICAL = ("League", "Division", "NewLeague")
RESPONSE = "Salary"
COLUMNS = (
    "AtBat", "Hits", "HmRun", "Runs", "RBI", "Walks", "Years", "CAtBat", "CHits", "CHmRun",
    "CRuns", "CRBI", "CWalks", "League", "Division", "PutOuts", "Assists", "Errors", "Salary",
    "NewLeague",
)  # fmt: skip


def shipped_path() -> Path:
    """Path of the Hitters CSV inside the installed package."""
    return Path(str(resources.files("nnlabs.data") / "files" / "Hitters.csv"))


def load(path: str | Path | None = None, *, drop_missing: bool = True) -> pd.DataFrame:
    """Load Hitters as a typed DataFrame: 322 rows, or 263 with ``drop_missing``.

    League, Division and NewLeague are categorical (levels sorted, as R's factors);
    Salary is in thousands of dollars. ``drop_missing`` drops the 59 players without a
    Salary, as the notes' ``na.omit``.
    """
    source = Path(path) if path is not None else shipped_path()
    if not source.is_file():
        raise DataError(f"{source}: Hitters file not found")
    try:
        frame = pd.read_csv(source)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{source}: not a readable CSV file ({exc})") from exc
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{source}: missing required column(s) {', '.join(map(repr, missing))}")
    for column in CATEGORICAL:
        frame[column] = pd.Categorical(frame[column].astype(str))
    for column in COLUMNS:
        if column not in CATEGORICAL and not pd.api.types.is_numeric_dtype(frame[column]):
            raise DataError(
                f"{source}: column {column!r} must be numeric; got dtype {frame[column].dtype}"
            )
    if drop_missing:
        frame = frame.dropna().reset_index(drop=True)
    return frame
