"""Argument checks shared by every lab; each raises ParameterError with the rule and value."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from nnlabs.errors import DataError, ParameterError


def check_int(name: str, value: Any, minimum: int | None = None) -> int:
    """Return ``value`` as int if it is an integer (not bool) >= ``minimum``."""
    rule = f"an integer >= {minimum}" if minimum is not None else "an integer"
    is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if isinstance(value, float) and value.is_integer():
        is_int = True
    if not is_int or (minimum is not None and value < minimum):
        raise ParameterError(f"{name} must be {rule}; got {value!r}")
    return int(value)


def check_float(
    name: str,
    value: Any,
    low: float,
    high: float,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Return ``value`` as float if it lies in the interval from ``low`` to ``high``."""
    left = "[" if low_inclusive else "("
    right = "]" if high_inclusive else ")"
    rule = f"a number in {left}{low}, {high}{right}"
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not np.isfinite(value):
        raise ParameterError(f"{name} must be {rule}; got {value!r}")
    ok_low = value >= low if low_inclusive else value > low
    ok_high = value <= high if high_inclusive else value < high
    if not (ok_low and ok_high):
        raise ParameterError(f"{name} must be {rule}; got {value!r}")
    return float(value)


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    options = tuple(choices)
    if value not in options:
        listed = ", ".join(repr(c) for c in options)
        raise ParameterError(f"{name} must be one of {listed}; got {value!r}")
    return value


def _as_float(name: str, x: Any) -> np.ndarray:
    if np.iscomplexobj(x):
        raise DataError(f"{name} must be real-valued; got complex numbers")
    try:
        return np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise DataError(f"{name} must be numeric; could not convert it ({exc})") from exc


def check_finite_matrix(name: str, x: Any) -> np.ndarray:
    """Return ``x`` as a 2-D float array with at least one column.

    Raises DataError on NaN, inf, non-numbers, complex numbers or another shape.
    """
    arr = _as_float(name, x)
    if arr.ndim != 2:
        raise DataError(f"{name} must be a 2-D matrix; got {arr.ndim} dimension(s)")
    if arr.shape[1] == 0:
        raise DataError(f"{name} must have at least one column; got {arr.shape[0]} row(s) and 0")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise DataError(
            f"{name} must hold only finite values; found {int(bad.sum())} NaN or infinite "
            f"value(s), first at row {int(rows[0])}, column {int(cols[0])}"
        )
    return arr


def check_finite_vector(name: str, values: Any) -> np.ndarray:
    """Return ``values`` as a 1-D float array (an (n, 1) column is flattened).

    Raises DataError on NaN, inf, non-numbers, complex numbers or more than one column.
    """
    arr = _as_float(name, values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise DataError(f"{name} must be a vector (one value per row); got shape {arr.shape}")
    bad = ~np.isfinite(arr)
    if bad.any():
        raise DataError(
            f"{name} must hold only finite values; found {int(bad.sum())} NaN or infinite "
            f"value(s), first at position {int(np.flatnonzero(bad)[0])}"
        )
    return arr


def check_unique_columns(frame: Any, name: str, columns: Iterable[str] | None = None) -> None:
    """Raise DataError if one of ``columns`` (default: all) names more than one column of
    ``frame``, which would make ``frame[column]`` a frame rather than a column."""
    counts = frame.columns.value_counts()
    wanted = counts.index if columns is None else [c for c in columns if c in counts.index]
    for column in wanted:
        if counts[column] > 1:
            raise DataError(
                f"{name}: column names must be unique; {column!r} names {counts[column]} columns"
            )


# Values whose squares overflow float64 cannot be standardized or fitted by least squares.
MAX_MAGNITUDE = 1e150


def check_magnitude(name: str, arr: np.ndarray, limit: float = MAX_MAGNITUDE) -> np.ndarray:
    """Return ``arr`` (finite floats) if every value's magnitude is below ``limit``."""
    big = np.abs(arr) >= limit
    if big.any():
        where = np.unravel_index(int(np.flatnonzero(big)[0]), arr.shape)
        at = ", ".join(str(int(i)) for i in where)
        raise DataError(
            f"{name} must hold values of magnitude below {limit:g} (their squares must be "
            f"finite); got {arr[where]:g} at position ({at})"
        )
    return arr


def check_finite_columns(frame: Any, name: str) -> None:
    """Raise DataError naming the first column of ``frame`` with a complex, NaN or
    infinite value (columns must already be numeric)."""
    for column in frame.columns:
        values = frame[column].to_numpy()
        if np.iscomplexobj(values):
            raise DataError(f"{name}: column {column!r} must hold real numbers; got complex")
        values = values.astype(np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(
                f"{name}: column {column!r} must hold finite numbers; got {values[row]} "
                f"in row {row}"
            )
