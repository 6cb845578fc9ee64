"""Hypothesis strategies for the fuzz tests: valid frames, then random damage to them.

``damaged_frames(base, ...)`` draws a copy of ``base`` with some of: rows kept (none, one,
a few), columns dropped, extra columns (unicode names, any dtype), columns cast to
another dtype, cells set to NaN, infinities, None, text or huge numbers, the index
duplicated or shuffled, and column names replaced by unicode ones. ``CASES`` counts the
examples each fuzz test ran; ``tests/conftest.py`` prints the counts at the end.
"""

from __future__ import annotations

import collections
import re
import warnings

import numpy as np
import pandas as pd
from hypothesis import strategies as st

from nnlabs.errors import NnlabsError

CASES: collections.Counter[str] = collections.Counter()

COLUMN_NAMES = st.one_of(
    st.sampled_from(["", " ", "x", "Salary ", "hit\n", "ünïcødé", "列", "🙂", "NaN", "0", "a.b"]),
    st.text(min_size=1, max_size=8),
)
ODD_VALUES = st.sampled_from(
    [np.nan, np.inf, -np.inf, None, "x", "", 1e308, -1e308, 2**63, True, pd.NaT, "1"]
)
DTYPES = st.sampled_from(
    ["object", "str", "bool", "float32", "int8", "category", "datetime64[ns]", "complex128"]
)


def _cast(column: pd.Series, dtype: str) -> pd.Series:
    """``column`` as ``dtype`` where pandas can convert it, else as text."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lossy casts are the point here
        try:
            if dtype == "datetime64[ns]":
                return pd.to_datetime(column, errors="coerce")
            return column.astype(dtype)
        except (TypeError, ValueError, OverflowError):
            return column.astype(str)


def _set_cell(frame: pd.DataFrame, row: int, col: str, value) -> pd.DataFrame:
    column = frame[col].astype(object)
    column.iloc[row] = value
    frame[col] = column
    return frame


@st.composite
def damaged_frames(draw, base: pd.DataFrame, max_rows: int = 40) -> pd.DataFrame:
    """A damaged copy of ``base`` (see the module docstring)."""
    rows = draw(st.sampled_from(["none", "one", "some", "some", "some"]))
    if rows == "none":
        frame = base.iloc[:0].copy()
    elif rows == "one":
        frame = base.iloc[[draw(st.integers(0, len(base) - 1))]].copy()
    else:
        n = draw(st.integers(2, min(max_rows, len(base))))
        start = draw(st.integers(0, len(base) - n))
        frame = base.iloc[start : start + n].copy()
    for _ in range(draw(st.integers(0, 4))):
        action = draw(st.sampled_from(["drop", "extra", "cast", "cell", "cell", "index", "rename"]))
        if action == "drop" and len(frame.columns):
            frame = frame.drop(columns=[draw(st.sampled_from(list(frame.columns)))])
        elif action == "extra":
            name = draw(COLUMN_NAMES)
            value = draw(st.one_of(ODD_VALUES, st.floats(), st.integers(-5, 5), st.text()))
            frame[name] = [value] * len(frame)
        elif action == "cast" and len(frame.columns):
            col = draw(st.sampled_from(list(frame.columns)))
            frame[col] = _cast(frame[col], draw(DTYPES))
        elif action == "cell" and len(frame) and len(frame.columns):
            col = draw(st.sampled_from(list(frame.columns)))
            row = draw(st.integers(0, len(frame) - 1))
            frame = _set_cell(frame, row, col, draw(ODD_VALUES))
        elif action == "index" and len(frame):
            kind = draw(st.sampled_from(["duplicate", "reverse", "text"]))
            if kind == "duplicate":
                frame.index = [0] * len(frame)
            elif kind == "reverse":
                frame = frame.iloc[::-1]
            else:
                frame.index = [f"r{i % 2}" for i in range(len(frame))]
        elif action == "rename" and len(frame.columns):
            col = draw(st.sampled_from(list(frame.columns)))
            frame = frame.rename(columns={col: draw(COLUMN_NAMES)})
    return frame


def assert_named_failure(exc: BaseException, names: list[str]) -> None:
    """``exc`` must be an NnlabsError with a one-line message naming one of ``names``."""
    assert isinstance(exc, NnlabsError), f"raw {type(exc).__name__}: {exc}"
    message = str(exc)
    assert "\n" not in message, message
    assert any(str(name) in message for name in names), f"names none of {names}: {message}"


def named(*parts: object) -> list[str]:
    """Argument and column names an error message may name (their repr or plain)."""
    out = []
    for part in parts:
        for item in part if isinstance(part, (list, tuple, pd.Index)) else [part]:
            out += [str(item), repr(item)]
    return [s for s in out if s.strip() and not re.fullmatch(r"\d+", s)]
