"""The columns a lab was trained on, learned from its training rows and checked on new rows.

A ``RowSchema`` is fitted on the raw training rows (the columns of the lab's loaded
frame) and records, per column, its kind (number, whole number, category, timestamp),
its dtype, whether it had missing values, its range and its levels. ``check(rows)`` then
holds new rows to it, one rule at a time, and names the column, the rule and the value:

* a missing column is an error; an extra column is ignored, with a note
  (``DataWarning``), unless the lab names it as expected (the response);
* a value of the wrong kind (text in a number column, a number in a category column,
  text that is not a timestamp) is an error;
* a missing value where the training rows had none is an error;
* a level never seen in training is an error, or, for a column the lab gives a
  fallback level (the 311 lab's lumped factors: ``"Other"``), that level, with a note
  (the design refuses it where it has no such level: nothing was lumped);
* a number far outside the training rows (beyond their range by more than its width
  again) is predicted, with a note: the model extrapolates there.

The schema is also the first step of every model pipeline of a fitted lab, so a model
taken alone (``fitted.models["Lasso"].predict(rows)``) checks its rows too.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from nnlabs.errors import DataError, DataWarning
from nnlabs.validation import check_unique_columns

KINDS = ("number", "integer", "category", "datetime")
_SHOWN_LEVELS = 12  # levels listed in an unseen-level message


def _kind(column: pd.Series) -> str:
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "number"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "number"
    return "category"


def _levels(column: pd.Series) -> list:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [v for v in column.cat.categories if (column == v).any()]
    return sorted(column.dropna().unique().tolist(), key=lambda v: (str(type(v)), v))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class RowSchema(TransformerMixin, BaseEstimator):
    """The raw columns of a lab's training rows, and the rules new rows are held to.

    Parameters
    ----------
    fallback : column -> the level an unseen level of that column becomes (with a
        note); a category column not named here rejects unseen levels.
    aliases : column -> other names the column may come under in new rows (the TLC
        files' ``tpep_pickup_datetime`` for ``pickup_datetime``).
    expected : columns new rows may carry that are not inputs (the response), ignored
        without a note.

    Fitted attributes
    -----------------
    columns_ : one dict per training column, in training order: ``name``, ``kind``
        (``KINDS``), ``dtype`` (training dtype, as text), ``nullable`` (the training
        rows had a missing value), ``low``/``high`` (numbers: the training range),
        ``levels`` (categories: the levels seen, sorted).
    feature_names_in_ : the column names, in training order.
    """

    def __init__(
        self,
        fallback: dict[str, str] | None = None,
        aliases: dict[str, tuple[str, ...]] | None = None,
        expected: tuple[str, ...] = (),
    ) -> None:
        self.fallback = fallback
        self.aliases = aliases
        self.expected = expected

    def fit(self, rows: pd.DataFrame, y=None) -> RowSchema:
        """Record each column of the training ``rows`` (a DataFrame); returns self."""
        if not isinstance(rows, pd.DataFrame):
            raise DataError(f"rows must be a pandas DataFrame; got {type(rows).__name__}")
        check_unique_columns(rows, "training rows")
        self.columns_ = [self._describe(rows[c], str(c)) for c in rows.columns]
        self.feature_names_in_ = np.array([c["name"] for c in self.columns_], dtype=object)
        return self

    def _describe(self, column: pd.Series, name: str) -> dict[str, Any]:
        kind = _kind(column)
        out: dict[str, Any] = {
            "name": name,
            "kind": kind,
            "dtype": str(column.dtype),
            "nullable": bool(column.isna().any()),
        }
        if kind in ("number", "integer"):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            finite = values[np.isfinite(values)]
            out["low"] = float(finite.min()) if finite.size else None
            out["high"] = float(finite.max()) if finite.size else None
        elif kind == "category":
            out["levels"] = [_plain(v) for v in _levels(column)]
        return out

    def transform(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``check(rows)``: the checked rows, as a pipeline step."""
        return self.check(rows)

    def check(self, rows: pd.DataFrame, *, name: str = "new data", notes: bool = True):
        """Hold ``rows`` to the schema; return them with the training columns, in order.

        ``name`` names the rows in messages (a file path, ``"new data"``); ``notes=False``
        keeps the notes (extra columns, fallback levels, far values) to itself. Raises
        ``DataError`` naming the column, the rule and the value.
        """
        if not hasattr(self, "columns_"):
            raise DataError("this RowSchema is not fitted yet; call fit first")
        if not isinstance(rows, pd.DataFrame):
            raise DataError(f"{name} must be a pandas DataFrame; got {type(rows).__name__}")
        rows = self._renamed(rows)
        check_unique_columns(rows, name)
        wanted = [c["name"] for c in self.columns_]
        missing = [c for c in wanted if c not in rows.columns]
        if missing:
            raise DataError(
                f"{name}: missing column(s) {', '.join(map(repr, missing))}; the lab was "
                f"trained on {', '.join(wanted)}"
            )
        if len(rows) == 0:
            raise DataError(f"{name} has no rows to predict")
        extra = [c for c in rows.columns if c not in wanted and c not in self.expected]
        if extra and notes:
            shown = ", ".join(map(repr, extra[:10])) + (" ..." if len(extra) > 10 else "")
            _note(f"{name}: column(s) {shown} ignored: not inputs of the lab")
        out = {c["name"]: self._column(rows[c["name"]], c, name, notes) for c in self.columns_}
        return pd.DataFrame(out, index=rows.index)

    def _renamed(self, rows: pd.DataFrame) -> pd.DataFrame:
        renames = {}
        for column, others in (self.aliases or {}).items():
            if column in rows.columns:
                continue
            found = [o for o in others if o in rows.columns]
            if found:
                renames[found[0]] = column
        return rows.rename(columns=renames) if renames else rows

    def _column(self, values: pd.Series, rule: dict, name: str, notes: bool) -> pd.Series:
        where = f"{name}: column {rule['name']!r}"
        kind = rule["kind"]
        if kind in ("number", "integer"):
            values = _numbers(values, rule, where)
        elif kind == "datetime":
            values = _timestamps(values, rule, where)
        else:
            values = _categories(values, rule, where)
        missing = values.isna().to_numpy()
        if missing.any() and not rule["nullable"]:
            raise DataError(
                f"{where} has a missing value in row {_label(values, missing)} (the training "
                f"rows had none)"
            )
        if kind == "category":
            return self._levels(values, rule, where, missing, notes)
        if kind in ("number", "integer") and notes:
            _far(values, rule, where)
        return values

    def _levels(self, values, rule, where, missing, notes) -> pd.Series:
        known = set(rule["levels"])
        unseen = ~values.isin(known).to_numpy() & ~missing
        if not unseen.any():
            return values
        first = values[unseen].iloc[0]
        fallback = (self.fallback or {}).get(rule["name"])
        if fallback is None:
            listed = ", ".join(map(str, rule["levels"][:_SHOWN_LEVELS]))
            more = " ..." if len(rule["levels"]) > _SHOWN_LEVELS else ""
            raise DataError(
                f"{where}: level {first!r} (row {_label(values, unseen)}) was never seen in "
                f"training; the levels are {listed}{more}"
            )
        if notes:
            _note(
                f"{where}: {int(unseen.sum())} row(s) with a level never seen in training "
                f"(e.g. {first!r}) predicted as {fallback!r}"
            )
        # A fallback that is no raw level (the lumped "Other") is the design's to apply:
        # it maps every level it did not keep there, or refuses when it lumped none.
        return values.where(~unseen, fallback) if fallback in known else values

    def table(self) -> pd.DataFrame:
        """The schema as a frame: one row per column, its kind, dtype, range or levels."""
        rows = []
        for c in self.columns_:
            levels = c.get("levels")
            rows.append(
                {
                    "column": c["name"],
                    "kind": c["kind"],
                    "dtype": c["dtype"],
                    "missing allowed": c["nullable"],
                    "training range or levels": (
                        ", ".join(map(str, levels))
                        if levels is not None
                        else ""
                        if c.get("low") is None
                        else f"{c['low']:g} to {c['high']:g}"
                    ),
                    "unseen level": (self.fallback or {}).get(c["name"], "error")
                    if levels is not None
                    else "",
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The fitted schema as JSON-ready data (``from_dict`` reads it back)."""
        return {
            "columns": self.columns_,
            "fallback": dict(self.fallback or {}),
            "aliases": {k: list(v) for k, v in (self.aliases or {}).items()},
            "expected": list(self.expected),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RowSchema:
        """A fitted schema from ``to_dict``'s data; its rules are checked first."""
        try:
            schema = cls(
                fallback={str(k): str(v) for k, v in data["fallback"].items()},
                aliases={str(k): tuple(map(str, v)) for k, v in data["aliases"].items()},
                expected=tuple(map(str, data["expected"])),
            )
            columns = [dict(c) for c in data["columns"]]
            if not all(c["kind"] in KINDS and isinstance(c["name"], str) for c in columns):
                raise ValueError("a column with an unknown kind")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise DataError(f"schema: not a schema nnlabs wrote ({exc})") from None
        schema.columns_ = columns
        schema.feature_names_in_ = np.array([c["name"] for c in columns], dtype=object)
        return schema


def _note(text: str) -> None:
    warnings.warn(text, DataWarning, stacklevel=4)


def _label(values: pd.Series, mask: np.ndarray) -> Any:
    """The index label of the first row ``mask`` marks (the row as the user sees it)."""
    return _plain(values.index[int(np.flatnonzero(mask)[0])])


def _numbers(values: pd.Series, rule: dict, where: str) -> pd.Series:
    if pd.api.types.is_complex_dtype(values.dtype):
        raise DataError(f"{where} must hold real numbers; got complex numbers")
    if not (pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values)):
        converted = pd.to_numeric(values, errors="coerce")
        bad = converted.isna().to_numpy() & values.notna().to_numpy()
        if bad.any():
            raise DataError(
                f"{where} must be numeric, as in training ({rule['dtype']}); got "
                f"{values[bad].iloc[0]!r} in row {_label(values, bad)}"
            )
        values = converted
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(numbers)
    if infinite.any():
        raise DataError(
            f"{where} must hold finite numbers; got {numbers[infinite][0]} in row "
            f"{_label(values, infinite)}"
        )
    if rule["kind"] == "integer":
        fractional = np.isfinite(numbers) & (numbers != np.round(numbers))
        if fractional.any():
            raise DataError(
                f"{where} must hold whole numbers, as in training ({rule['dtype']}); got "
                f"{numbers[fractional][0]:g} in row {_label(values, fractional)}"
            )
    return values


def _far(values: pd.Series, rule: dict, where: str) -> None:
    low, high = rule.get("low"), rule.get("high")
    if low is None:
        return
    numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
    width = high - low
    with np.errstate(invalid="ignore"):
        far = (numbers < low - width) | (numbers > high + width)
        if width == 0:
            far = np.isfinite(numbers) & (numbers != low)
    if far.any():
        _note(
            f"{where}: {int(far.sum())} value(s) far outside the training rows' range "
            f"[{low:g}, {high:g}] (e.g. {numbers[far][0]:g} in row {_label(values, far)}); "
            f"the predictions there are extrapolations"
        )


def _timestamps(values: pd.Series, rule: dict, where: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if pd.api.types.is_numeric_dtype(values.dtype):
        raise DataError(
            f"{where} must hold timestamps (ISO 8601 text such as '2023-01-05 14:30:00'), as "
            f"in training; got numbers"
        )
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = parsed.isna().to_numpy() & values.notna().to_numpy()
    if bad.any():
        raise DataError(
            f"{where} must hold timestamps (ISO 8601 text such as '2023-01-05 14:30:00'); "
            f"could not read {values[bad].iloc[0]!r} in row {_label(values, bad)}"
        )
    return parsed


def _categories(values: pd.Series, rule: dict, where: str) -> pd.Series:
    text_levels = all(isinstance(v, str) for v in rule["levels"])
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not isinstance(
        values.dtype, pd.CategoricalDtype
    )
    if text_levels and numeric and values.notna().any():
        raise DataError(
            f"{where} must hold text (a factor), as in training; got numbers such as "
            f"{_plain(values.dropna().iloc[0])!r}"
        )
    return values.astype(object)
