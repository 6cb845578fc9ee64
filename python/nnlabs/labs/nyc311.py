"""Lab 1b (§11.11.4): NYC 311 resolution time with LM, Lasso and a 3-layer network.

The lab reads as the notes do: take the closed requests (simulated by default, since the
real export is not reachable offline; a real file or frame when given), engineer the
features (log1p of the response hours; hour, weekday and month of creation; complaint
type, agency and channel lumped to their most frequent levels), one-hot encode, split
80/20, fit the two linear baselines and the network, compare test MAE in log-hours, and
show the nested R² table that explains why Lasso wins.

The notes' linear-regression MAE (2.1727) is an artefact of R's ``predict``: the model
was fitted as ``lm(y ~ x_matrix)``, so ``predict(fit, newdata)`` finds no column called
``x_matrix`` in ``newdata`` and returns the *training* fitted values; the subtraction
then recycles the test responses against them. The lab evaluates the model correctly and
reproduces the artefact separately (``extras["lm_notes_artefact"]``); see
docs/errata.md (N1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from nnlabs.design.features import OTHER_LEVEL, SCALINGS, model_matrix, r_wday
from nnlabs.design.transformers import ColumnMaxScaler, Lump, ModelMatrix
from nnlabs.errors import DataError
from nnlabs.evaluation.metrics import r2
from nnlabs.labs.result import LabResult
from nnlabs.labs.runner import run_lab
from nnlabs.labs.spec import (
    GBT,
    MAE_REGRESSION,
    LabData,
    LabSettings,
    LabSpec,
    Model,
    SplitContext,
    glmnet_lasso,
    gradient_boosted,
)
from nnlabs.models.baselines import LinearRegression
from nnlabs.models.estimators import NetworkRegressor
from nnlabs.models.networks import DenseBlock, dense_network
from nnlabs.splits import Split
from nnlabs.validation import (
    Each,
    Flag,
    Interval,
    Optional,
    Rule,
    check_choice,
    check_unique_columns,
)

LM, LASSO, NN = "Linear Regression", "Lasso", "Neural Network (3-layer)"
TITLE = "Table 11.33: test-set MAE (log-hours), NYC 311 resolution time"
RESPONSE = "log_hrs"
# Range-scaled numeric predictors (divided by their maximum), in design-matrix order.
NUMERIC = ("hour_of_day", "day_of_week", "month")
# Columns of the engineered frame (the notes' select()), response first.
FEATURES = (
    RESPONSE,
    "complaint_type",
    "borough",
    "agency",
    "channel",
    "hour_of_day",
    "day_of_week",
    "month",
)
RAW_COLUMNS = (
    "created_date",
    "complaint_type",
    "agency",
    "open_data_channel_type",
    "borough",
    "response_hours",
)
# The notes' three nested regressions on log_hrs (label, predictors).
NESTED = (
    ("complaint_type only", ("complaint_type",)),
    ("+ agency", ("complaint_type", "agency")),
    ("+ agency + month", ("complaint_type", "agency", "month")),
)
# `nnlabs run nyc311 --notes`: range-scale with the maxima of all rows, as the notes.
NOTES_PROTOCOL = {"scaling": "all"}


@dataclass(frozen=True)
class NYC311Settings(LabSettings):
    """Settings of the NYC 311 lab; defaults are the notes' values (see ``LabSettings``).

    ``scaling="train"`` (default) divides hour, weekday and month by their maxima on the
    training rows; ``"all"`` uses all rows, as the notes do before splitting (errata N2).
    ``rows`` samples that many usable rows (after filtering) for quicker runs; None (the
    notes) uses them all. Without a real file the data come from
    ``nnlabs.data.nyc311.simulate(simulated_rows, simulation_seed)``. The network trains
    a fixed number of epochs (no early stopping), validating on the last
    ``validation_fraction`` of the training rows.
    """

    sample_seed: int = 42
    simulated_rows: int = 95_006  # the notes' combined January + July rows
    simulation_seed: int = 42
    rows: int | None = None
    max_hours: float = 24 * 30  # keep 0 < response_hours < 30 days
    top_complaints: int = 20
    top_agencies: int = 15
    top_channels: int = 5
    validation_fraction: float = 0.15
    units: tuple[int, ...] = (128, 64, 32)
    batch_norm: tuple[bool, ...] = (True, True, False)
    dropout: tuple[float, ...] = (0.3, 0.2, 0.1)
    batch_size: int = 256

    _parameter_constraints: ClassVar[dict[str, Rule]] = {
        "sample_seed": Interval(int, 0, None),
        "simulated_rows": Interval(int, 1, None),
        "simulation_seed": Interval(int, 0, None),
        "rows": Optional(Interval(int, 1, None)),
        "max_hours": Interval(float, 0, None, closed="right"),
        "top_complaints": Interval(int, 1, None),
        "top_agencies": Interval(int, 1, None),
        "top_channels": Interval(int, 1, None),
        "batch_norm": Each(Flag()),
    }


# The raw columns a request needs besides its response: what the design reads.
INPUTS = tuple(c for c in RAW_COLUMNS if c != "response_hours")
# The lumped factors: raw column -> the setting with the number of levels kept.
LUMPED = {
    "complaint_type": "top_complaints",
    "agency": "top_agencies",
    "open_data_channel_type": "top_channels",
}


class RequestFeatures(TransformerMixin, BaseEstimator):
    """Raw requests to the notes' predictors (``FEATURES`` without the response).

    Complaint type, agency and channel (``open_data_channel_type``) are lumped to their
    ``top_*`` most frequent levels as ``forcats::fct_lump_n`` does, counted on the rows
    ``fit`` sees (``nnlabs.design.transformers.Lump``; a level new rows bring becomes
    ``"Other"``); borough passes through; hour, weekday (1 = Sunday, lubridate's
    ``wday``) and month come from ``created_date``. ``levels`` (column -> kept levels)
    fixes the lumping instead of counting, e.g. to the levels R kept.
    """

    def __init__(
        self,
        top_complaints: int = 20,
        top_agencies: int = 15,
        top_channels: int = 5,
        levels: dict[str, list] | None = None,
    ) -> None:
        self.top_complaints = top_complaints
        self.top_agencies = top_agencies
        self.top_channels = top_channels
        self.levels = levels

    def fit(self, rows: pd.DataFrame, y=None) -> RequestFeatures:
        """Count the lumped factors' levels on ``rows``; returns self."""
        top = {column: getattr(self, setting) for column, setting in LUMPED.items()}
        self.lump_ = Lump(top, categories=self.levels).fit(rows)
        return self

    def transform(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The predictors of ``rows``, in the notes' order, indexed as ``rows``."""
        lumped = self.lump_.transform(rows[list(LUMPED)])
        created = pd.to_datetime(rows["created_date"])
        return pd.DataFrame(
            {
                "complaint_type": lumped["complaint_type"],
                "borough": rows["borough"],
                "agency": lumped["agency"],
                "channel": lumped["open_data_channel_type"],
                "hour_of_day": created.dt.hour.astype(np.int64),
                "day_of_week": r_wday(created).astype(np.int64),
                "month": created.dt.month.astype(np.int64),
            },
            index=rows.index,
        )


def _features(settings: NYC311Settings, levels: dict | None = None) -> RequestFeatures:
    return RequestFeatures(
        settings.top_complaints, settings.top_agencies, settings.top_channels, levels=levels
    )


def _checked_raw(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    """``raw``'s export columns, checked, with ``created_date`` as timestamps."""
    if not isinstance(raw, pd.DataFrame):
        raise DataError(f"{name} must be a pandas DataFrame; got {type(raw).__name__}")
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{name}: missing required column(s) {', '.join(map(repr, missing))}")
    check_unique_columns(raw, name, RAW_COLUMNS)
    raw = raw.reset_index(drop=True)
    hours = raw["response_hours"]
    if not pd.api.types.is_numeric_dtype(hours) or hours.dtype.kind in "bc":  # bool, complex
        raise DataError(f"{name}: column 'response_hours' must be numeric; got dtype {hours.dtype}")
    return raw.assign(
        created_date=_timestamps(raw["created_date"], name),
        response_hours=hours.astype(np.float64),
    )


def usable_requests(raw: pd.DataFrame, settings: NYC311Settings, *, name: str = "data"):
    """The requests the lab learns from: ``raw``'s export columns (``RAW_COLUMNS``) for
    the rows with ``0 < response_hours < max_hours`` and no missing value, re-indexed.

    Raises DataError for a missing column, a non-numeric response, unparsable dates, or a
    calendar month of the raw data left with no rows by the filter.
    """
    raw = _checked_raw(raw, name)[list(RAW_COLUMNS)]
    hours = raw["response_hours"]
    keep = (hours > 0) & (hours < settings.max_hours) & raw.notna().all(axis=1)
    _check_months(raw["created_date"], raw.index[keep], name, settings)
    return raw[keep].reset_index(drop=True)


def engineer(raw: pd.DataFrame, settings: NYC311Settings, *, name: str = "data") -> pd.DataFrame:
    """Return the notes' ``df311``: the columns of ``FEATURES``, one row per usable request.

    ``raw`` has the export's columns (``RAW_COLUMNS``; ``created_date`` a timestamp or
    ISO 8601 text, ``response_hours`` in hours). As in the notes, the lumping counts all
    raw rows (it runs before the filter), then rows outside ``0 < response_hours <
    max_hours`` or with a missing value are dropped. ``day_of_week`` is 1 = Sunday
    (lubridate's ``wday``). Lumped factors keep their levels even where the filter
    emptied one, as R's ``filter`` keeps factor levels. (The lab itself lumps on its
    training rows: errata N9.)

    Raises DataError as ``usable_requests``.
    """
    checked = _checked_raw(raw, name)
    hours = checked["response_hours"]
    with np.errstate(invalid="ignore"):
        log_hrs = np.log1p(hours.where(hours > -1))
    created = checked["created_date"]
    features = _features(settings).fit(checked).transform(checked.assign(created_date=created))
    frame = pd.concat([log_hrs.rename(RESPONSE), features], axis=1)
    keep = (hours > 0) & (hours < settings.max_hours)
    out = frame[keep & frame.notna().all(axis=1)]
    _check_months(created, out.index, name, settings)
    return out.reset_index(drop=True)


def _timestamps(values: pd.Series, name: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise DataError(
            f"{name}: column 'created_date' must hold timestamps or ISO 8601 text; "
            f"could not parse {values[bad].iloc[0]!r}"
        )
    return parsed


def _check_months(created: pd.Series, kept: pd.Index, name: str, settings) -> None:
    months = created.dt.to_period("M")
    before = set(months.dropna().unique())
    if not len(kept):
        raise DataError(
            f"{name}: no rows left after filtering (0 < response_hours < "
            f"{settings.max_hours:g}, no missing values); got {len(created):,} raw rows"
        )
    empty = sorted(before - set(months[kept].unique()))
    if empty:
        raise DataError(
            f"{name}: month {empty[0]} has no rows left after filtering (0 < response_hours "
            f"< {settings.max_hours:g}, no missing values); check that month's data"
        )


def design(df311: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The notes' ``model.matrix(log_hrs ~ ., df311)[, -1]`` and ``log_hrs``.

    Categorical columns become 0/1 dummies ``<column><level>`` with their first level as
    the dropped reference; hour, weekday and month pass through unscaled (see
    ``range_scale``). Returns (n, p) float64 columns and y (n,) in log-hours.
    """
    x = model_matrix(df311.drop(columns=RESPONSE), intercept=True, name="df311")
    return x, df311[RESPONSE].to_numpy(dtype=np.float64)


def range_scale(x: pd.DataFrame, train_index: np.ndarray, scaling: str) -> np.ndarray:
    """Divide the ``NUMERIC`` columns by their maximum on the training rows (or all rows).

    Returns a float64 copy of ``x`` as an array; a column whose maximum is 0 is left as
    it is rather than divided by zero.
    """
    check_choice("scaling", scaling, SCALINGS)
    out = x.to_numpy(dtype=np.float64, copy=True)
    rows = out[train_index] if scaling == "train" else out
    for column in NUMERIC:
        j = x.columns.get_loc(column)
        top = rows[:, j].max()
        if top > 0:
            out[:, j] /= top
    return out


def build_network(settings: NYC311Settings, n_inputs: int, seed: int | None = None):
    """The notes' network: 128 relu, bn, dropout .3; 64 relu, bn, dropout .2; 32 relu,
    dropout .1; 1 linear. Compiled with Adam, MAE loss and the MAE metric.

    40 inputs give 16,385 parameters (16,001 trainable, 384 batch-norm statistics).
    ``seed`` fixes the initial weights and dropout masks (``dense_network``).
    """
    import keras

    blocks = [
        DenseBlock(u, batch_norm=bn, dropout=d)
        for u, bn, d in zip(settings.units, settings.batch_norm, settings.dropout, strict=True)
    ]
    model = dense_network(n_inputs, blocks, name="nyc311_regression", seed=seed)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss="mae",
        metrics=["mean_absolute_error"],
    )
    return model


def make_network(settings: NYC311Settings, seed: int) -> NetworkRegressor:
    """The network as an estimator: fixed epochs, the last 15% of training rows validate."""
    return NetworkRegressor(
        lambda n: build_network(settings, n, seed), **settings.fit_params(), seed=seed
    )


def notes_lm_artefact(fitted_train: np.ndarray, y_test: np.ndarray) -> float:
    """The notes' "test" MAE of the linear model: ``mean(abs(fitted_train - y_test))``.

    R's ``predict(lm(y_tr ~ x_tr), newdata)`` returns the training fitted values (see the
    module docstring); R then recycles the shorter vector to the longer one's length, so
    row i of the training fit is compared with test row ``i mod n_test``. With the
    notes' 68,944 training and 17,236 test rows the lengths divide evenly and R does
    not even warn.
    """
    fitted = np.asarray(fitted_train, dtype=np.float64).reshape(-1)
    y = np.asarray(y_test, dtype=np.float64).reshape(-1)
    length = max(len(fitted), len(y))
    return float(np.mean(np.abs(np.resize(fitted, length) - np.resize(y, length))))


def nested_r2(df311: pd.DataFrame, split: Split) -> pd.DataFrame:
    """R² of the notes' three nested linear models, fitted on the training rows.

    Columns: ``Predictors``, ``R2 (training rows)`` (in-sample, as ``summary(lm)``),
    ``R2 (test rows)`` (the same fits predicting the held-out rows).
    """
    y = df311[RESPONSE].to_numpy(dtype=np.float64)
    rows = []
    for label, columns in NESTED:
        x = model_matrix(df311[list(columns)], intercept=True, name="df311").to_numpy()
        fit = LinearRegression().fit(x[split.train], y[split.train])
        rows.append(
            {
                "Predictors": label,
                "R2 (training rows)": r2(y[split.train], fit.predict(x[split.train])),
                "R2 (test rows)": r2(y[split.test], fit.predict(x[split.test])),
            }
        )
    return pd.DataFrame(rows)


def load(settings: NYC311Settings, data=None, lump_levels=None) -> LabData:
    """The usable requests (``load_data``, ``usable_requests``), sampled: their raw
    columns (``INPUTS``) and ``log1p`` of their response hours.

    ``lump_levels`` (column of ``LUMPED`` -> kept levels) fixes the lumping instead of
    counting the training rows, e.g. to the levels R's ``fct_lump_n`` kept over the
    whole export (the notes).
    """
    raw, source = load_data(settings, data)
    requests = _sample_rows(usable_requests(raw, settings), settings)
    if len(requests) < 2 * settings.lasso_folds:
        raise DataError(
            f"data: at least {2 * settings.lasso_folds} usable rows are needed; got {len(requests)}"
        )
    hours = requests["response_hours"].to_numpy(dtype=np.float64)
    facts: dict[str, Any] = {"n_raw": len(raw), "n_usable": len(requests), "source": source}
    if isinstance(data, (str, os.PathLike)):
        facts["data_files"] = [str(data)]
    elif isinstance(data, (list, tuple)):
        facts["data_files"] = [str(p) for p in data]
    context = {"response": hours, "lump_levels": lump_levels, "top_agencies": settings.top_agencies}
    return LabData(y=np.log1p(hours), rows=requests[list(INPUTS)], extras=facts, context=context)


def notes_lump_levels(settings: NYC311Settings, data=None) -> dict[str, list]:
    """The levels the notes' ``fct_lump_n`` keeps, counted on every raw row of ``data``
    (``load_data``'s) before the filter and the sample (``engineer``), as ``run``'s
    ``lump_levels``: the notes' lumping instead of the training rows' (errata N9)."""
    raw, _ = load_data(settings, data)
    df311 = engineer(raw, settings)
    named = {"complaint_type": "complaint_type", "agency": "agency"}
    named["channel"] = "open_data_channel_type"
    return {raw_name: list(df311[col].cat.categories) for col, raw_name in named.items()}


def design_of(data: LabData, settings: NYC311Settings) -> dict[str, Any]:
    """The notes' design: lumped factors, hour/weekday/month divided by their maxima (on
    the fitted rows; errata N2), then ``model.matrix(log_hrs ~ ., df311)[, -1]``."""
    return {
        "x": Pipeline(
            [
                ("features", _features(settings, data.context.get("lump_levels"))),
                ("scale", ColumnMaxScaler(NUMERIC)),
                ("matrix", ModelMatrix(intercept=True, name="df311")),
            ]
        )
    }


def split_extras(split: SplitContext) -> dict[str, Any]:
    """The design's columns, the notes' LM artefact (errata N1) and the nested R² table
    (N7) of this split."""
    fitted_train = split.models[LM].predict(split.design.train["x"])
    design = split.designs["x"]
    df311 = design.named_steps["features"].transform(split.data.rows)
    df311.insert(0, RESPONSE, split.data.y)
    return {
        "columns": list(design.named_steps["matrix"].feature_names_out_),
        "lm_notes_artefact": notes_lm_artefact(fitted_train, split.design.y_test),
        "nested_r2": nested_r2(df311, split.split),
    }


CATEGORICAL = ("complaint_type", "borough", "agency", "channel")


def subgroups(data: LabData, split: Split) -> pd.DataFrame:
    """Borough and agency of the test requests, agency lumped as the training rows'."""
    rows = data.rows
    top = {"agency": data.context["top_agencies"]}
    agency = Lump(top).fit(rows.iloc[split.train]).transform(rows.iloc[split.test])["agency"]
    return pd.DataFrame(
        {
            "borough": rows["borough"].to_numpy()[split.test],
            "agency": agency.astype(object).to_numpy(),
        }
    )


def model_card(result: LabResult) -> dict[str, Any]:
    """The 311 lab's data description, exclusions and failure modes."""
    s, e = result.settings, result.extras
    simulated = str(e.get("source", "")).startswith("simulated")
    modes = [
        "Response times are censored: requests still open, or closed after "
        f"{s.max_hours:g} hours, are excluded, so the models never see the slowest cases.",
        f"Complaint types beyond the top {s.top_complaints}, agencies beyond the top "
        f"{s.top_agencies} and channels beyond the top {s.top_channels} are lumped into "
        "'Other': predictions for rare types are those of the lump.",
        "Two months (January and July in the notes): other seasons are not represented.",
    ]
    if simulated:
        modes.insert(
            0,
            "Simulated data (no real export was given): the simulator's additive complaint-"
            "type and agency effects make the linear models right by construction; the "
            "comparison says nothing about real requests.",
        )
    return {
        "data": "NYC 311 service requests: log1p of the hours to close, from complaint "
        "type, borough, agency, channel, hour, weekday and month of creation.",
        "exclusions": [
            f"requests with response_hours <= 0 or >= {s.max_hours:g} or a missing value "
            f"({e.get('n_raw', 0) - e.get('n_usable', 0):,} of {e.get('n_raw', 0):,} raw rows)"
        ],
        "failure_modes": modes,
    }


def footer(result: LabResult) -> list[str]:
    """The LM scored as the notes' R code does, and the nested R² table."""
    nested = result.extras["nested_r2"].to_string(index=False, float_format=lambda v: f"{v:.3f}")
    artefact = result.extras["lm_notes_artefact"]
    return [
        f"Linear regression scored as the notes' R code does (training fit vs recycled test y): "
        f"{artefact:.4f}",
        "",
        "Nested linear models on log_hrs (R², fitted on the training rows):",
        nested,
    ]


def load_data(
    settings: NYC311Settings, data: pd.DataFrame | str | os.PathLike | None
) -> tuple[pd.DataFrame, str]:
    """The raw requests and a description of their source.

    ``data`` None simulates; a frame is used as given; a path (or list of paths) is read
    with ``nnlabs.data.nyc311.load_311``.
    """
    from nnlabs.data import nyc311 as nyc311_data

    if data is None:
        frame = nyc311_data.simulate(settings.simulated_rows, settings.simulation_seed)
        source = (
            f"simulated ({settings.simulated_rows:,} requests, seed {settings.simulation_seed}; "
            f"nnlabs.data.nyc311.simulate)"
        )
        return frame, source
    if isinstance(data, pd.DataFrame):
        return data, "data frame given to run()"
    if isinstance(data, (str, os.PathLike, list, tuple)):
        return nyc311_data.load_311(data), f"file(s) {data}"
    raise DataError(
        f"data must be a DataFrame, a file path or a list of paths; got {type(data).__name__}"
    )


def _sample_rows(df311: pd.DataFrame, settings: NYC311Settings) -> pd.DataFrame:
    if settings.rows is None or settings.rows >= len(df311):
        return df311
    rng = np.random.default_rng(settings.sample_seed)
    picked = np.sort(rng.choice(len(df311), size=settings.rows, replace=False))
    return df311.iloc[picked].reset_index(drop=True)


SPEC = LabSpec(
    name="nyc311",
    title=TITLE,
    settings=NYC311Settings,
    load=load,
    design=design_of,
    models={
        LM: Model(lambda s, seed: LinearRegression()),
        # cv.glmnet's default measure for a gaussian family is the mean squared error (N8).
        LASSO: glmnet_lasso("mse"),
        NN: Model(make_network, network=True),
        # The network's loss (MAE); early-stopped on the network's validation rows.
        GBT: gradient_boosted("absolute_error"),
    },
    comparisons=((NN, LASSO), (LASSO, LM), (NN, GBT), (GBT, LASSO)),
    network=NN,
    **MAE_REGRESSION,
    table=lambda scores: scores.rename(columns={"MAE": "MAE (log-hrs)"}),
    split_extras=split_extras,
    footer=footer,
    notes_protocol=NOTES_PROTOCOL,
    response="response_hours",
    # A complaint type, agency or channel never seen in training is one of the rare
    # levels the notes lump: "Other" (an error where the training rows lumped none).
    fallback_levels=dict.fromkeys(LUMPED, OTHER_LEVEL),
    inputs=("data", "lump_levels"),
    subgroups=subgroups,
    model_card=model_card,
    # The notes' real-data figures; their LM's 2.1727 is an artefact (docs/errata.md, N1).
    notes_table={
        LM: {"MAE (log-hrs)": 2.1727},
        LASSO: {"MAE (log-hrs)": 0.7194},
        NN: {"MAE (log-hrs)": 0.7459},
    },
)


def run(settings: NYC311Settings | None = None, **kwargs: Any) -> LabResult:
    """Run the NYC 311 lab; its table is shaped like Table 11.33.

    ``data=`` None (default) simulates the requests; a frame with the export's columns
    (``RAW_COLUMNS``), or a parquet path / list of paths read by
    ``nnlabs.data.nyc311.load_311``. The other arguments (``out_dir``, ``cache``,
    ``train_index``/``test_index``) are ``nnlabs.labs.runner.run_lab``'s.

    ``result.extras`` holds ``nested_r2`` (DataFrame), ``lm_notes_artefact`` (float),
    ``columns`` (design-matrix names), ``n_raw``, ``n_usable``, ``n_train``, ``n_test``,
    ``lasso_lambda`` and ``source``.
    """
    return run_lab(SPEC, settings, **kwargs)
