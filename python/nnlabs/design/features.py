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

from nnlabs.errors import DataError
from nnlabs.validation import check_int

SCALINGS = ("train", "all")


def _levels(col: pd.Series) -> list:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.categories)
    values = col.dropna().unique()
    try:
        return sorted(values)
    except TypeError:  # e.g. text and numbers in one column
        kinds = sorted({type(v).__name__ for v in values})
        raise DataError(
            f"column {col.name!r} must hold values of one kind to be a factor; got a mix of "
            f"{', '.join(kinds)}"
        ) from None


def model_matrix(
    frame: pd.DataFrame, *, intercept: bool = True, name: str = "frame"
) -> pd.DataFrame:
    """Return the numeric design matrix of ``frame`` (n rows, p columns, float64).

    Numeric and boolean columns are kept; object, string and categorical columns are
    one-hot encoded with the reference level dropped, named ``<column><level>`` as R
    does (``LeagueN``, ``DivisionW``). The intercept column itself is never included:
    Keras layers and scikit-learn estimators add their own. The levels are the frame's
    own: ``nnlabs.design.transformers.ModelMatrix`` fitted and applied to ``frame``.
    """
    from nnlabs.design.transformers import ModelMatrix

    coding = ModelMatrix(intercept=intercept, name=name).fit(frame)
    return pd.DataFrame(
        coding.transform(frame), columns=list(coding.feature_names_out_), index=frame.index
    )


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


OTHER_LEVEL = "Other"


def lump_n(
    values: pd.Series, n: int, *, other_level: str = OTHER_LEVEL, name: str = "values"
) -> pd.Series:
    """Keep the ``n`` most frequent levels of ``values`` and lump the rest, as forcats::fct_lump_n.

    Follows ``fct_lump_n(f, n)`` with its default ``ties.method = "min"``:

    * levels are ranked by count, ties sharing the *lowest* rank, and every level with
      rank <= ``n`` is kept, so a tie at the boundary keeps *more* than ``n`` levels
      (counts 5, 3, 3, 1 with ``n = 2`` keep a, b and c and lump d);
    * a single level below the cut is lumped too (forcats >= 1.0 dropped the older rule
      that left the factor alone when only one level would go); when every level is
      kept the input comes back unchanged (as categorical);
    * missing values stay missing and are not counted;
    * the result is categorical with the kept levels in their original order and
      ``other_level`` last; a kept level already called ``other_level`` merges with it.

    Levels of a non-categorical input are sorted by code point (R's ``factor`` sorts by
    the locale's collation, which can order mixed-case labels differently; this changes
    only which level a design matrix drops as reference, not the fitted values of an
    unpenalized linear model).

    Returns a categorical Series aligned with ``values``.
    """
    n = check_int("n", n, minimum=1)
    if not isinstance(values, pd.Series):
        raise DataError(f"{name} must be a pandas Series; got {type(values).__name__}")
    levels = _levels(values)
    counts = values.value_counts(dropna=True).reindex(levels, fill_value=0)
    rank = (-counts).rank(method="min")
    if bool((rank <= n).all()):
        return pd.Series(
            pd.Categorical(values, categories=levels), index=values.index, name=values.name
        )
    new_name = {lvl: (lvl if rank[lvl] <= n else other_level) for lvl in levels}
    kept = [lvl for lvl in levels if new_name[lvl] != other_level]
    lumped = values.astype(object).map(new_name)
    return pd.Series(
        pd.Categorical(lumped, categories=[*kept, other_level]),
        index=values.index,
        name=values.name,
    )


def r_wday(timestamps: pd.Series) -> pd.Series:
    """Day of week numbered as R's ``lubridate::wday``: 1 = Sunday, ..., 7 = Saturday.

    pandas numbers Monday 0 to Sunday 6; missing timestamps stay missing (float result).
    """
    dt = pd.to_datetime(timestamps).dt
    return (dt.dayofweek + 1) % 7 + 1
