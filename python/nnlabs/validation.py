"""Argument checks and declared rules for settings; each error names the rule and value."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable
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


# ---- declared rules -----------------------------------------------------------------
# A settings class declares one rule per field (scikit-learn's ``_parameter_constraints``)
# and checks them all in one place; the CLI and the R package read the same rules to
# convert their arguments (``Rule.kind``).


class Rule:
    """A rule a setting must follow; ``check`` returns the value, normalized."""

    kind = "object"

    def check(self, name: str, value: Any) -> Any:
        raise NotImplementedError

    def describe(self) -> str:
        """The rule in words, for help texts (``"an integer >= 1"``)."""
        return f"a {self.kind}"


class Interval(Rule):
    """An int or float in a range; ``None`` for an open end.

    ``closed`` says which ends belong to it: ``"both"``, ``"left"``, ``"right"`` or
    ``"neither"``. Integer ranges are written ``>= low`` (the message the labs share).
    """

    def __init__(
        self, kind: type, low: float | None, high: float | None, closed: str = "both"
    ) -> None:
        self.kind = "int" if kind is int else "float"
        self.low, self.high, self.closed = low, high, closed

    def describe(self) -> str:
        if self.kind == "int":
            upper = f" and <= {self.high}" if self.high is not None else ""
            return f"an integer >= {self.low}{upper}" if self.low is not None else "an integer"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"a number in {left}{low}, {high}{right}"

    def check(self, name: str, value: Any) -> int | float:
        if self.kind == "int":
            value = check_int(name, value, minimum=self.low)
            if self.high is not None and value > self.high:
                raise ParameterError(f"{name} must be an integer <= {self.high}; got {value!r}")
            return value
        low = -np.inf if self.low is None else self.low
        high = np.inf if self.high is None else self.high
        return check_float(
            name,
            value,
            low,
            high,
            low_inclusive=self.closed in ("both", "left"),
            high_inclusive=self.closed in ("both", "right"),
        )


class Options(Rule):
    """One of a fixed set of strings."""

    kind = "str"

    def __init__(self, choices: Iterable[str]) -> None:
        self.choices = tuple(choices)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def check(self, name: str, value: Any) -> str:
        return check_choice(name, value, self.choices)


class Flag(Rule):
    """True or False."""

    kind = "bool"

    def describe(self) -> str:
        return "true or false"

    def check(self, name: str, value: Any) -> bool:
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise ParameterError(f"{name} must be True or False; got {value!r}")


class Each(Rule):
    """A sequence (tuple, list or 1-D array) whose every item follows ``item``.

    Returned as a tuple, so frozen settings stay hashable whatever the caller passed.
    ``unique`` rejects a sequence that holds a value twice.
    """

    def __init__(self, item: Rule, *, min_length: int = 1, unique: bool = False) -> None:
        self.item = item
        self.kind = f"{item.kind}[]"
        self.min_length = min_length
        self.unique = unique

    def describe(self) -> str:
        once = ", none twice" if self.unique else ""
        return f"values, each {self.item.describe()}{once}"

    def check(self, name: str, value: Any) -> tuple:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            value = (value,)
        items = tuple(np.asarray(value).tolist()) if isinstance(value, np.ndarray) else tuple(value)
        if len(items) < self.min_length:
            raise ParameterError(
                f"{name} must hold at least {self.min_length} value(s); got {len(items)}"
            )
        checked = tuple(self.item.check(name, v) for v in items)
        if self.unique:
            twice = sorted({v for v in checked if checked.count(v) > 1}, key=str)
            if twice:
                raise ParameterError(
                    f"{name} must hold each value once; got {checked!r} "
                    f"({', '.join(map(repr, twice))} more than once)"
                )
        return checked


class Optional(Rule):
    """``None`` or a value following ``rule``."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.kind = f"{rule.kind}?"

    def describe(self) -> str:
        return f"none or {self.rule.describe()}"

    def check(self, name: str, value: Any) -> Any:
        return None if value is None else self.rule.check(name, value)


class InstanceOf(Rule):
    """An instance of ``cls`` (settings that are objects, e.g. the taxi trip filter)."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def check(self, name: str, value: Any) -> Any:
        if not isinstance(value, self.cls):
            raise ParameterError(f"{name} must be a {self.cls.__name__}; got {value!r}")
        return value


class Check(Rule):
    """A rule given by a checking function ``check(name, value) -> value``.

    ``description`` is the rule in words for help texts (default: ``"a <kind>"``).
    """

    def __init__(
        self, check: Callable[[str, Any], Any], kind: str = "object", description: str = ""
    ) -> None:
        self._check = check
        self.kind = kind
        self.description = description

    def describe(self) -> str:
        return self.description or super().describe()

    def check(self, name: str, value: Any) -> Any:
        return self._check(name, value)


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
