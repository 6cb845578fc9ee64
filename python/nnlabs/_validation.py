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


def check_finite_matrix(name: str, x: Any) -> np.ndarray:
    """Return ``x`` as a 2-D float array, raising DataError on NaN, inf or non-numbers."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name} must be numeric; could not convert it ({exc})") from exc
    if arr.ndim != 2:
        raise DataError(f"{name} must be a 2-D matrix; got {arr.ndim} dimension(s)")
    bad = ~np.isfinite(arr)
    if bad.any():
        rows, cols = np.nonzero(bad)
        raise DataError(
            f"{name} must hold only finite values; found {int(bad.sum())} NaN or infinite "
            f"value(s), first at row {int(rows[0])}, column {int(cols[0])}"
        )
    return arr
