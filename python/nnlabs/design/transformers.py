"""Transformers a lab's design is made of, each fitted on training rows (scikit-learn API).

``ModelMatrix`` is R's ``model.matrix`` with the levels of the training rows, ``Lump``
is ``forcats::fct_lump_n`` counted on the training rows, and ``ColumnMaxScaler``
divides columns by their training maximum. Chained with scikit-learn's
``StandardScaler`` in a ``Pipeline`` they turn raw rows (a DataFrame) into a model's
float matrix, and they travel with the model (ISLP's ``ModelSpec``, scikit-learn's
``Pipeline``). Fitted state is plain lists and arrays, so ``skops`` saves it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from nnlabs.design.features import OTHER_LEVEL, _levels, lump_n
from nnlabs.errors import DataError
from nnlabs.validation import check_int


def _frame(rows, name: str) -> pd.DataFrame:
    if not isinstance(rows, pd.DataFrame):
        raise DataError(f"{name} needs a pandas DataFrame of rows; got {type(rows).__name__}")
    return rows


def _is_number(column: pd.Series) -> bool:
    dtype = column.dtype
    return pd.api.types.is_bool_dtype(dtype) or (
        pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
    )


def _is_factor(column: pd.Series) -> bool:
    dtype = column.dtype
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    )


class ModelMatrix(TransformerMixin, BaseEstimator):
    """R's ``model.matrix(~ ., rows)`` without its intercept column, levels from ``fit``.

    Numeric and boolean columns pass through as float64; each other column is a factor
    whose levels (its categories, or its sorted values) are those of the training rows,
    coded as one 0/1 column ``<column><level>`` per level but the first. Without an
    intercept (``intercept=False``) the first factor keeps all its levels, as R does.

    Fitted attributes: ``terms_`` (per input column: ``[name, levels or None, kept
    levels or None]``), ``feature_names_out_`` and ``inputs_`` (the input column of each
    output column).
    """

    def __init__(self, intercept: bool = True, name: str = "rows") -> None:
        self.intercept = intercept
        self.name = name

    def fit(self, rows: pd.DataFrame, y=None) -> ModelMatrix:
        """Learn each column's coding from the training ``rows``; returns self."""
        rows = _frame(rows, "ModelMatrix")
        full_rank_used = bool(self.intercept)
        self.terms_, names, inputs = [], [], []
        for column in rows.columns:
            values = rows[column]
            if pd.api.types.is_complex_dtype(values.dtype):
                raise DataError(
                    f"{self.name}: column {column!r} must hold real numbers; got complex"
                )
            if not _is_number(values) and not _is_factor(values):
                raise DataError(
                    f"{self.name}: column {column!r} must be numeric or categorical; got dtype "
                    f"{values.dtype}"
                )
            if _is_number(values):
                self.terms_.append([column, None, None])
                names.append(str(column))
                inputs.append(str(column))
                continue
            levels = [v.item() if isinstance(v, np.generic) else v for v in _levels(values)]
            kept = levels if not full_rank_used else levels[1:]
            full_rank_used = True
            self.terms_.append([column, levels, kept])
            names += [f"{column}{level}" for level in kept]
            inputs += [str(column)] * len(kept)
        if not names:
            raise DataError(f"{self.name}: no predictor columns to encode")
        self.feature_names_out_ = np.array(names, dtype=object)
        self.inputs_ = np.array(inputs, dtype=object)
        self.n_features_in_ = rows.shape[1]
        return self

    def transform(self, rows: pd.DataFrame) -> np.ndarray:
        """The design matrix of ``rows`` (n, p) float64; a level not seen in ``fit`` is an
        error (``RowSchema`` maps or rejects such levels first)."""
        rows = _frame(rows, "ModelMatrix")
        parts = []
        for column, levels, kept in self.terms_:
            if column not in rows.columns:
                raise DataError(f"missing column {column!r}, an input of the design")
            values = rows[column]
            if levels is None:
                parts.append(values.to_numpy(dtype=np.float64, na_value=np.nan)[:, None])
                continue
            codes = values.to_numpy(dtype=object)
            unseen = ~pd.Series(codes).isin(levels).to_numpy()
            if unseen.any():
                raise DataError(
                    f"column {column!r}: level {codes[unseen][0]!r} was never seen in training"
                )
            parts.append(np.column_stack([(codes == level) for level in kept]).astype(np.float64))
        return np.hstack(parts) if parts else np.empty((len(rows), 0))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The design columns' names, R's ``<column><level>`` for dummies."""
        return self.feature_names_out_


class Lump(TransformerMixin, BaseEstimator):
    """``forcats::fct_lump_n`` counted on the training rows, applied to any rows.

    ``top`` maps a column to the number of its most frequent levels kept (ties kept, as
    ``lump_n``); the other levels of the training rows, and any level new rows bring,
    become ``other``. Other columns pass through. ``categories`` (column -> kept levels)
    fixes a column's levels instead of counting them, as scikit-learn's
    ``OneHotEncoder(categories=...)`` (a level outside them is an error unless ``other``
    is one of them). Fitted: ``categories_`` (column -> kept levels,
    then ``other`` when anything was lumped).
    """

    def __init__(
        self,
        top: dict[str, int] | None = None,
        other: str = OTHER_LEVEL,
        categories: dict[str, list] | None = None,
    ) -> None:
        self.top = top
        self.other = other
        self.categories = categories

    def fit(self, rows: pd.DataFrame, y=None) -> Lump:
        """Count each lumped column's levels on the training ``rows``; returns self."""
        rows = _frame(rows, "Lump")
        self.categories_ = {}
        for column, n in (self.top or {}).items():
            if self.categories and column in self.categories:
                self.categories_[column] = list(self.categories[column])
                continue
            check_int(f"top[{column!r}]", n, minimum=1)
            lumped = lump_n(rows[column].reset_index(drop=True), n, other_level=self.other)
            self.categories_[column] = list(lumped.cat.categories)
        return self

    def transform(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` with each lumped column categorical: kept levels, the rest ``other``."""
        out = _frame(rows, "Lump").copy()
        for column, categories in self.categories_.items():
            values = out[column].astype(object)
            known = values.isin(categories) | values.isna()
            if not known.all() and self.other not in categories:
                raise DataError(
                    f"column {column!r}: level {values[~known].iloc[0]!r} was never seen in "
                    f"training, and the training rows had no {self.other!r} level to map it "
                    "to (nothing was lumped)"
                )
            values = values.where(known, self.other)
            out[column] = pd.Categorical(values, categories=categories)
        return out


class ColumnMaxScaler(TransformerMixin, BaseEstimator):
    """Divide ``columns`` by their maximum on the training rows (a maximum of 0 leaves the
    column as it is), the notes' ``v / max(v)``; other columns pass through.

    Fitted: ``maxima_`` (column -> training maximum).
    """

    def __init__(self, columns: tuple[str, ...] = ()) -> None:
        self.columns = columns

    def fit(self, rows: pd.DataFrame, y=None) -> ColumnMaxScaler:
        """Record the training maximum of each of ``columns``; returns self."""
        rows = _frame(rows, "ColumnMaxScaler")
        self.maxima_ = {c: float(rows[c].to_numpy(dtype=np.float64).max()) for c in self.columns}
        return self

    def transform(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` with each of ``columns`` as float64 divided by its training maximum."""
        out = _frame(rows, "ColumnMaxScaler").copy()
        for column, top in self.maxima_.items():
            values = out[column].to_numpy(dtype=np.float64)
            out[column] = values / top if top > 0 else values
        return out


class Columns(TransformerMixin, BaseEstimator):
    """The ``columns`` of the rows, in that order, as a float64 matrix (n, len(columns))."""

    def __init__(self, columns: tuple[str, ...] = ()) -> None:
        self.columns = columns

    def fit(self, rows: pd.DataFrame, y=None) -> Columns:
        """Check that ``rows`` has the columns; returns self."""
        self.transform(rows)
        self.feature_names_out_ = np.array(list(self.columns), dtype=object)
        self.inputs_ = self.feature_names_out_
        return self

    def transform(self, rows: pd.DataFrame) -> np.ndarray:
        """The columns as floats."""
        rows = _frame(rows, "Columns")
        missing = [c for c in self.columns if c not in rows.columns]
        if missing:
            raise DataError(f"missing column(s) {', '.join(map(repr, missing))}")
        # Row-major, as the runner's matrices: the same rows give the same last digits.
        return np.ascontiguousarray(rows[list(self.columns)].to_numpy(dtype=np.float64))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The selected columns' names."""
        return self.feature_names_out_


def design_columns(design) -> tuple[list[str], list[str]]:
    """The output columns of a fitted design (a transformer or a ``Pipeline`` of them)
    and the raw input each comes from; empty lists when the design does not say."""
    steps = [s for _, s in design.steps] if hasattr(design, "steps") else [design]
    for step in reversed(steps):
        names = getattr(step, "feature_names_out_", None)
        if names is not None:
            inputs = getattr(step, "inputs_", names)
            return [str(n) for n in names], [str(i) for i in inputs]
    return [], []
