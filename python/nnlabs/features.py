"""Design matrices and scaling shared by the labs.

``model_matrix`` follows R's ``model.matrix`` conventions so that column names and
counts match the notes: numeric columns pass through; each categorical column becomes
one 0/1 column per level except the first (the reference level) — unless the formula
has no intercept, in which case the *first* categorical column keeps all its levels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler

from nnlabs._errors import DataError

SCALINGS = ("train", "all")


def _levels(col: pd.Series) -> list:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    return sorted(col.dropna().unique())


def model_matrix(
    frame: pd.DataFrame, *, intercept: bool = True, name: str = "frame"
) -> pd.DataFrame:
    """Return the numeric design matrix of ``frame`` (n rows, p columns, float64).

    Numeric and boolean columns are kept; object, string and categorical columns are
    one-hot encoded with the reference level dropped, named ``<column><level>`` as R
    does (``LeagueN``, ``DivisionW``). The intercept column itself is never included:
    Keras layers and scikit-learn estimators add their own.
    """
    parts: list[pd.DataFrame] = []
    full_rank_used = intercept
    for column in frame.columns:
        col = frame[column]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            parts.append(col.astype(np.float64).to_frame(column))
            continue
        if not (
            isinstance(col.dtype, pd.CategoricalDtype)
            or pd.api.types.is_object_dtype(col)
            or pd.api.types.is_string_dtype(col)
        ):
            raise DataError(
                f"{name}: column {column!r} must be numeric or categorical; got dtype {col.dtype}"
            )
        levels = _levels(col)
        keep = levels if not full_rank_used else levels[1:]
        full_rank_used = True
        values = col.to_numpy(dtype=object)
        dummies = {f"{column}{lvl}": (values == lvl).astype(np.float64) for lvl in keep}
        parts.append(pd.DataFrame(dummies, index=frame.index))
    if not parts:
        raise DataError(f"{name}: no predictor columns to encode")
    return pd.concat(parts, axis=1)


def fit_scaler(x: np.ndarray, train_index: np.ndarray, scaling: str = "train") -> StandardScaler:
    """Fit a standardizing scaler on the training rows (``"train"``) or on all rows.

    ``"all"`` reproduces the notes, which call R's ``scale()`` before splitting and so
    let test rows shape the training inputs; ``"train"`` is the sound default.
    Constant columns are left unscaled rather than divided by zero.
    """
    if scaling not in SCALINGS:
        raise DataError(f"scaling must be one of 'train', 'all'; got {scaling!r}")
    rows = x[train_index] if scaling == "train" else x
    return StandardScaler().fit(rows)
