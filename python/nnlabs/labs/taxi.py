"""Lab 1c (§11.11.5): NYC taxi metered fare with Lasso, the notes' network, and zone embeddings.

The lab reads as the notes do: read a month of TLC trips with the notes' plausibility
filters, sample ``rows`` trips, split 80/20, standardize the seven predictors, fit Lasso
and the 3-layer network, and compare test MAE in dollars (Table 11.34) with the
improvement over Lasso in percent.

Beyond the notes, a third model treats pickup and dropoff zones as categories (one
learned vector per zone, plus borough/airport flags from TLC's zone lookup) instead of
standardizing zone ids as numbers; see ``nnlabs.labs._taxi_embedding``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from nnlabs.data import taxi as taxi_data
from nnlabs.data._paths import check_month
from nnlabs.data.stream import BUFFER_ROW_BYTES, TripStream, read_kept, sample_positions
from nnlabs.design.transformers import Columns
from nnlabs.errors import DataError, ParameterError
from nnlabs.labs._taxi_embedding import ZoneInputs, embedding_network, lookup_lists, zone_features
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
from nnlabs.models.estimators import NetworkRegressor
from nnlabs.models.networks import DenseBlock, dense_network
from nnlabs.splits import Split
from nnlabs.validation import (
    Check,
    Each,
    InstanceOf,
    Interval,
    Optional,
    Options,
    Rule,
    check_finite_columns,
    check_unique_columns,
)

LASSO, NN, EMB = "Lasso", "Neural Network (3-layer)", "Network with zone embeddings"
TITLE = "Table 11.34: test-set MAE (dollars), NYC taxi metered fare"
RESPONSE = "fare_amount"
# The notes' seven predictors, in the order of their select().
PREDICTORS = tuple(c for c in taxi_data.TAXI_COLUMNS if c != RESPONSE)
ZONE_IDS = ("PULocationID", "DOLocationID")
MAE_COLUMN, GAIN_COLUMN = "MAE (dollars)", "Improvement over Lasso (%)"
# Carried along for the subgroups, not a predictor: TLC's rate code of each trip.
RATE_CODE = "RatecodeID"
RATE_CODES = {
    1: "Standard rate",
    2: "JFK",
    3: "Newark",
    4: "Nassau or Westchester",
    5: "Negotiated fare",
    6: "Group ride",
    99: "Unknown",
}
# Bytes the in-memory lab holds per training trip: loading 200,000 synthetic trips and
# building both networks' design matrices took 640 bytes of arrays and 870 bytes of peak
# resident memory a trip; fitting adds float32 copies and the baselines' working memory.
MEMORY_ROW_BYTES = 1024
# `nnlabs run taxi --notes`: standardize with the means and sds of all sampled rows.
NOTES_PROTOCOL = {"scaling": "all"}


def _month(name: str, value: Any) -> str:
    return check_month(name, value)  # raises ParameterError unless 'YYYY-MM'


_MONTH = Check(_month, "str", "a 'YYYY-MM' month such as '2023-01'")


@dataclass(frozen=True)
class TaxiSettings(LabSettings):
    """Settings of the taxi lab; defaults are the notes' values (see ``LabSettings``).

    ``rows`` trips are sampled after filtering (all of them when fewer remain).
    ``scaling="train"`` (default) standardizes with the training rows' means and sds;
    ``"all"`` uses all sampled rows, as the notes do (errata T1). ``color`` and ``month``
    name the TLC file (``yellow_tripdata_2023-01.parquet``), found through ``data_dir``
    or ``NNLABS_DATA_DIR`` (or downloaded). ``months`` (``"YYYY-MM"``, each once, in any
    order) replaces ``month`` with several files: ``rows`` trips are sampled from each,
    and the split is by time, the earlier months training and the last one testing
    (``time_split``). When the training months' trips would take more than
    ``memory_budget_mb`` MiB in memory (``MEMORY_ROW_BYTES`` a trip), the two networks
    train from a stream of the parquet files (``nnlabs.data.stream.TripStream``, every
    training trip once an epoch), standardized with the streamed trips' statistics; the
    Lasso and the trees train on a uniform sample of the training trips that fits half
    the budget, whose last ``validation_fraction`` are the networks' validation rows
    (left out of the stream). ``embedding_dim`` and ``n_zones`` shape the
    zone-embedding model; its hidden layers and training are the notes' network's.
    """

    sample_seed: int = 42  # the notes' slice_sample after set.seed(42)
    rows: int = 300_000
    color: str = "yellow"
    month: str = "2023-01"
    months: tuple[str, ...] | None = None  # several months: a split by time
    memory_budget_mb: float = 2048.0  # past it, the networks train from a stream
    trip_filter: taxi_data.TripFilter = field(default_factory=taxi_data.TripFilter)
    validation_fraction: float = 0.1
    units: tuple[int, ...] = (256, 128, 64)
    dropout: tuple[float, ...] = (0.1, 0.1, 0.0)
    batch_size: int = 512
    patience: int = 10
    embedding_dim: int = 8
    n_zones: int = 266  # TLC ids run 1..265; row 0 is never used

    _parameter_constraints: ClassVar[dict[str, Rule]] = {
        "sample_seed": Interval(int, 0, None),
        "rows": Interval(int, 1, None),
        "color": Options(taxi_data.TAXI_COLORS),
        "month": _MONTH,
        "months": Optional(Each(_MONTH, unique=True)),
        "memory_budget_mb": Interval(float, 0, None, closed="neither"),
        "trip_filter": InstanceOf(taxi_data.TripFilter),
        "patience": Interval(int, 1, None),
        "embedding_dim": Interval(int, 1, None),
        "n_zones": Interval(int, 2, None),
    }

    def month_list(self) -> tuple[str, ...]:
        """The months read, oldest first: ``months`` sorted, or ``(month,)``."""
        return tuple(sorted(self.months)) if self.months is not None else (self.month,)


def _blocks(settings: TaxiSettings) -> list[DenseBlock]:
    return [DenseBlock(u, dropout=d) for u, d in zip(settings.units, settings.dropout, strict=True)]


def _compile(model, settings: TaxiSettings):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=settings.learning_rate),
        loss="mae",
        metrics=["mean_absolute_error"],
    )
    return model


def build_network(settings: TaxiSettings, n_inputs: int, seed: int | None = None):
    """The notes' network: 256 relu, dropout .1; 128 relu, dropout .1; 64 relu; 1 linear.

    Compiled with Adam and MAE loss. 7 inputs give 43,265 parameters, all trainable.
    ``seed`` fixes the initial weights and dropout masks (``dense_network``).
    """
    return _compile(
        dense_network(n_inputs, _blocks(settings), name="taxi_fare", seed=seed), settings
    )


def build_embedding_network(settings: TaxiSettings, n_inputs: int, seed: int | None = None):
    """The zone-embedding network, compiled as the notes' network.

    The last two of ``n_inputs`` columns are the pickup and dropoff zone ids.
    ``seed`` fixes the initial weights and dropout masks (``dense_network``).
    """
    model = embedding_network(
        n_inputs,
        _blocks(settings),
        n_zones=settings.n_zones,
        embedding_dim=settings.embedding_dim,
        seed=seed,
    )
    return _compile(model, settings)


def _callbacks(settings: TaxiSettings):
    import keras

    return [
        keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=settings.patience, restore_best_weights=True
        )
    ]


def _estimator(build, settings: TaxiSettings, seed: int) -> NetworkRegressor:
    return NetworkRegressor(
        build,
        **settings.fit_params(),
        callbacks=lambda: _callbacks(settings),
        seed=seed,
    )


def make_network(settings: TaxiSettings, seed: int) -> NetworkRegressor:
    """The notes' network as an estimator (early stopping on the last 10% of training rows)."""
    return _estimator(lambda n: build_network(settings, n, seed), settings, seed)


def make_embedding_network(settings: TaxiSettings, seed: int) -> NetworkRegressor:
    """The zone-embedding network as an estimator; X's last two columns are zone ids."""
    return _estimator(lambda n: build_embedding_network(settings, n, seed), settings, seed)


def check_trips(frame: pd.DataFrame, *, name: str = "data") -> pd.DataFrame:
    """Validate a trips frame shaped like ``nnlabs.data.taxi.read_trips``' output.

    Needs the columns of ``TAXI_COLUMNS`` (numeric); rows with a missing value in one
    of them are dropped (the notes' ``drop_na``). The frame is taken as already
    filtered. Returns the columns of ``TAXI_COLUMNS``, and ``RatecodeID`` when the frame
    has it (for the subgroups; a missing rate code is kept as NaN), re-indexed from 0.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"{name} must be a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in taxi_data.TAXI_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing required column(s) {', '.join(map(repr, missing))}")
    check_unique_columns(frame, name, taxi_data.TAXI_COLUMNS)
    for column in taxi_data.TAXI_COLUMNS:
        col = frame[column]
        kind = col.dtype
        if not pd.api.types.is_numeric_dtype(kind) or kind.kind in "bc":  # bool, complex
            raise DataError(f"{name}: column {column!r} must be numeric; got dtype {col.dtype}")
    keep = [*taxi_data.TAXI_COLUMNS, *([RATE_CODE] if RATE_CODE in frame.columns else [])]
    out = frame[keep].dropna(subset=list(taxi_data.TAXI_COLUMNS)).reset_index(drop=True)
    if out.empty:
        raise DataError(f"{name}: no trips left after dropping rows with missing values")
    check_finite_columns(out, name)
    ids = out[list(ZONE_IDS)].to_numpy()
    if (ids != np.round(ids)).any() or (ids < 0).any():
        raise DataError(f"{name}: zone ids (PULocationID, DOLocationID) must be whole numbers >= 0")
    return out


def load_data(
    settings: TaxiSettings,
    data: pd.DataFrame | str | os.PathLike | None,
    data_dir: str | os.PathLike | None,
    download: bool,
) -> tuple[pd.DataFrame, str]:
    """The sampled, filtered trips (at most ``settings.rows`` a month) and their source.

    ``data`` None reads each of ``settings.month_list()`` for ``settings.color`` from
    ``data_dir`` (default ``NNLABS_DATA_DIR``) or downloads it; a path reads that file; a
    frame is validated and sampled here. With several months the trips are
    ``load_months``' (its in-memory trips only: past ``memory_budget_mb`` a sample of the
    training months, without the stream ``load`` keeps).
    """
    if settings.months is not None and data is not None:
        raise ParameterError(
            "months reads the TLC files of data_dir / NNLABS_DATA_DIR; it needs data=None, "
            f"got data of type {type(data).__name__}"
        )
    if isinstance(data, pd.DataFrame):
        trips = check_trips(data)
        if settings.rows < len(trips):
            pick = np.random.default_rng(settings.sample_seed).choice(
                len(trips), size=settings.rows, replace=False
            )
            trips = trips.iloc[pick].reset_index(drop=True)
        return trips, "data frame given to run()"
    if data is None:
        if len(settings.month_list()) > 1:
            trips, source, _ = load_months(settings, data_dir=data_dir, download=download)
            return trips, source
        path = month_files(settings, data_dir=data_dir, download=download)[0]
        return _read_month(path, settings, settings.color), str(path)
    if isinstance(data, (str, os.PathLike)):
        return _read_month(Path(data), settings, None), str(data)
    raise DataError(f"data must be a DataFrame or a file path; got {type(data).__name__}")


def month_files(
    settings: TaxiSettings, *, data_dir: str | os.PathLike | None = None, download: bool = True
) -> list[Path]:
    """The TLC file of each of ``settings.month_list()``, oldest first (``find_trips``)."""
    return [
        taxi_data.find_trips(settings.color, m, data_dir=data_dir, download=download)
        for m in settings.month_list()
    ]


def load_months(
    settings: TaxiSettings,
    *,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> tuple[pd.DataFrame, str, TripStream | None]:
    """Several months: the training months' trips, then the last month's; their source.

    ``rows`` trips are sampled from each month, as ``read_trips(n=rows)`` draws them. The
    training trips come first, shuffled (``settings.seed``; the networks' validation
    rows are their last ``validation_fraction``), with a ``month`` column (0 = oldest).
    When they would take more than ``memory_budget_mb`` in memory, those in the frame
    are a uniform sample that fits half the budget and the third value is a fitted
    ``TripStream`` of every training trip but the sample's validation rows; else None.
    """
    paths = month_files(settings, data_dir=data_dir, download=download)
    *train, last = paths
    count = {"color": settings.color, "trip_filter": settings.trip_filter}
    counts = [taxi_data.count_trips(p, **count) for p in train]
    keep = [sample_positions(c, settings.rows, settings.sample_seed) for c in counts]
    kept = [c if k is None else int(k.sum()) for c, k in zip(counts, keep, strict=True)]
    budget = settings.memory_budget_mb * 2**20
    streaming = sum(kept) * MEMORY_ROW_BYTES > budget
    if streaming:
        frames = _memory_sample(train, counts, keep, kept, settings)
    else:
        frames = [_read_month(p, settings, settings.color) for p in train]
    trips = pd.concat(
        [f.assign(month=np.int16(k)) for k, f in enumerate(frames)], ignore_index=True
    )
    order = np.random.default_rng(settings.seed).permutation(len(trips))
    trips = trips.iloc[order].reset_index(drop=True)
    stream = _training_stream(train, counts, keep, trips, settings) if streaming else None
    test = _read_month(last, settings, settings.color).assign(month=np.int16(len(train)))
    trips = pd.concat([trips.drop(columns=["_pos"], errors="ignore"), test], ignore_index=True)
    return trips, ", ".join(map(str, paths)), stream


def _memory_sample(
    paths: list[Path],
    counts: list[int],
    keep: list[np.ndarray | None],
    kept: list[int],
    settings: TaxiSettings,
) -> list[pd.DataFrame]:
    """A uniform sample of the kept training trips that fits half the memory budget.

    One frame per file, with ``_pos``: each trip's position among the file's filtered trips.
    """
    budget = settings.memory_budget_mb * 2**20
    wanted = max(int(budget / 2 // MEMORY_ROW_BYTES), 2 * settings.lasso_folds)
    total = sum(kept)
    pick = np.sort(
        np.random.default_rng(settings.sample_seed).choice(
            total, size=min(wanted, total), replace=False
        )
    )
    offsets = np.cumsum([0, *kept])
    frames = []
    for k, path in enumerate(paths):
        local = pick[(pick >= offsets[k]) & (pick < offsets[k + 1])] - offsets[k]
        positions = np.flatnonzero(keep[k]) if keep[k] is not None else np.arange(counts[k])
        mask = np.zeros(counts[k], dtype=bool)
        mask[positions[local]] = True
        rows = read_kept(
            path,
            mask,
            color=settings.color,
            trip_filter=settings.trip_filter,
            extra_columns=(RATE_CODE,),
        )
        frames.append(check_trips(rows, name=str(path)).assign(_pos=positions[local]))
    return frames


def _training_stream(
    paths: list[Path],
    counts: list[int],
    keep: list[np.ndarray | None],
    trips: pd.DataFrame,
    settings: TaxiSettings,
) -> TripStream:
    """Every kept training trip but the validation rows (the last of ``trips``), fitted."""
    masks = [
        np.ones(c, dtype=bool) if k is None else k.copy() for c, k in zip(counts, keep, strict=True)
    ]
    if settings.validation == "split":
        n = len(trips)
        held = trips.iloc[math.ceil(n * (1.0 - settings.validation_fraction)) :]
        for month, pos in zip(held["month"], held["_pos"], strict=True):
            masks[int(month)][int(pos)] = False
    budget = settings.memory_budget_mb * 2**20
    shuffle_rows = int(max(settings.batch_size, min(262_144, budget / 4 // BUFFER_ROW_BYTES)))
    return TripStream(
        paths,
        batch_size=settings.batch_size,
        keep=masks,
        trip_filter=settings.trip_filter,
        color=settings.color,
        shuffle_rows=shuffle_rows,
        seed=settings.network_seed,
    ).fit()


def _read_month(path: Path, settings: TaxiSettings, color: str | None) -> pd.DataFrame:
    """One file's filtered trips, a sample of ``settings.rows`` (``read_trips``), checked."""
    trips = taxi_data.read_trips(
        path,
        color=color,
        trip_filter=settings.trip_filter,
        n=settings.rows,
        seed=settings.sample_seed,
        extra_columns=(RATE_CODE,),
    )
    return check_trips(trips, name=str(path))


def load(
    settings: TaxiSettings,
    data: pd.DataFrame | str | os.PathLike | None = None,
    zones: pd.DataFrame | None = None,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
) -> LabData:
    """The sampled trips (``load_data``, ``load_months``) with their zone-lookup features."""
    stream = None
    if data is None and len(settings.month_list()) > 1:
        trips, source, stream = load_months(settings, data_dir=data_dir, download=download)
    else:
        trips, source = load_data(settings, data, data_dir, download)
    if len(trips) < 2 * settings.lasso_folds:
        raise DataError(
            f"{source}: at least {2 * settings.lasso_folds} trips are needed; got {len(trips)}"
        )
    files = [] if isinstance(data, pd.DataFrame) else [source]
    if zones is None:
        zone_path = taxi_data.find_zone_lookup(data_dir=data_dir, download=download)
        zones = taxi_data.load_zone_lookup(zone_path)
        files.append(str(zone_path))
    zone_df = zone_features(trips["PULocationID"], trips["DOLocationID"], zones)
    facts = {
        "source": source,
        "data_files": files,
        "n_trips": len(trips),
        "columns": list(PREDICTORS),
        "embedding_columns": [
            *(c for c in PREDICTORS if c not in ZONE_IDS),
            *zone_df.columns,
            *ZONE_IDS,
        ],
        "rate_code_given": RATE_CODE in trips.columns,
    }
    context: dict[str, Any] = {"zones": zones, "groups": trip_groups(trips, zones)}
    if "month" in trips.columns:  # several months: each trip's month, 0 = the oldest
        context["month"] = trips["month"].to_numpy(dtype=np.int64)
        facts["months"] = list(settings.month_list())
    if stream is not None:
        if settings.scaling == "all":
            raise ParameterError(
                "scaling must be 'train' when the training trips are streamed (past "
                f"memory_budget_mb={settings.memory_budget_mb:g}); got 'all'"
            )
        context["stream"] = stream
        facts["streamed_trips"] = stream.n_rows_
    return LabData(
        y=trips[RESPONSE].to_numpy(dtype=np.float64),
        rows=trips[list(PREDICTORS)].reset_index(drop=True),
        extras=facts,
        context=context,
    )


def time_split(data: LabData, settings: TaxiSettings) -> Split | None:
    """With several months, train on the earlier months and test on the last one.

    The training rows keep ``load_months``' random order (``settings.seed``), so that the
    validation rows (the last ``validation_fraction`` of them) are a random subset of
    the earlier months, as under a random split. None with one month: the runner's
    random split.
    """
    if "month" not in data.context:
        return None
    month = data.context["month"]
    last = month == month.max()
    train = np.flatnonzero(~last)
    if train.size == 0:
        raise DataError("months: the earlier months hold no trips to train on")
    return Split(train=train, test=np.flatnonzero(last))


def trip_groups(trips: pd.DataFrame, zones: pd.DataFrame) -> pd.DataFrame:
    """Each trip's pickup borough (TLC's zone lookup) and, when carried, its rate code.

    A zone missing from the lookup is ``"Unknown"``; a missing rate code stays missing
    (reported as its own group); codes are named as in TLC's data dictionary.
    """
    lookup = pd.Series(
        zones["Borough"].astype(str).to_numpy(),
        index=pd.to_numeric(zones["LocationID"]).astype(np.int64),
    )
    lookup = lookup[~lookup.index.duplicated()]
    pickup = trips["PULocationID"].astype(np.int64).map(lookup).fillna("Unknown")
    out = pd.DataFrame({"pickup_borough": pickup.to_numpy()})
    if RATE_CODE in trips.columns:
        codes = trips[RATE_CODE]
        named = codes.map(lambda c: RATE_CODES.get(int(c), f"code {int(c)}") if pd.notna(c) else c)
        out["rate_code"] = named.to_numpy()
    return out


def subgroups(data: LabData, split: Split) -> pd.DataFrame:
    """Pickup borough and rate code of the test trips."""
    return data.context["groups"].iloc[split.test].reset_index(drop=True)


def model_card(result: LabResult) -> dict[str, Any]:
    """The taxi lab's data description, exclusions and failure modes."""
    s, e = result.settings, result.extras
    modes = [
        "Flat airport fares: trips to or from JFK (rate code 2) pay a flat fare whatever "
        "the distance, so a model of the metered fare errs on them unless it learns the "
        "zones (see the rate-code subgroups).",
        _period(s),
        "The notes' network standardizes zone ids as numbers: zone 132 (JFK) is 'near' "
        "zone 131 to it; the embedding network treats zones as categories.",
        "Fares outside 2.5-200 dollars, trips under 1 or over 120 minutes or outside "
        "0.1-50 miles are filtered out: the models say nothing about them.",
    ]
    if not e.get("rate_code_given", False):
        modes.append("The trips given carry no RatecodeID: no rate-code subgroups.")
    return {
        "data": "NYC TLC trip records: metered fare from distance, passengers, pickup and "
        "dropoff zone ids, hour, weekday and duration.",
        "exclusions": [f"the notes' plausibility filters ({s.trip_filter.describe()})"],
        "failure_modes": modes,
    }


def _period(s: TaxiSettings) -> str:
    """The model card's failure mode about the months the trips come from."""
    if s.months is None:
        return (
            f"A single month ({s.month}, {s.color} taxis); the yellow file available here "
            "holds only the first 100,000 trips of January (1-2 January, a holiday): fares, "
            "traffic and demand of other days and seasons are not represented."
        )
    *train, test = s.month_list()
    return (
        f"Trained on {', '.join(train)} and tested on {test} ({s.color} taxis): the test "
        "month is later than every training trip, as in use; seasons outside these months "
        "are not represented."
    )


def design(data: LabData, settings: TaxiSettings) -> dict[str, Any]:
    """The notes' seven standardized predictors (``x``) and the embedding model's inputs
    (``xe``: ``ZoneInputs``), as transformers of the trips' raw columns.

    Both standardize with the means and sds of the rows they are fitted on; with a
    training stream (``load_months`` past the memory budget) with the streamed trips'
    instead (``StreamScaler``), whatever rows they are fitted on.
    """
    stream = data.context.get("stream")
    scaler = StandardScaler() if stream is None else StreamScaler(stream.mean_, stream.scale_)
    lookup = lookup_lists(data.context["zones"])
    return {
        "x": Pipeline([("columns", Columns(PREDICTORS)), ("scale", scaler)]),
        "xe": ZoneInputs(PREDICTORS, ZONE_IDS, zone_lookup=lookup, scaler=clone(scaler)),
    }


def streams(data: LabData, designs: dict[str, Any]) -> dict[str, TripStream]:
    """The networks' training streams when the trips are streamed: raw predictor batches
    through each fitted design (``Design.streams``)."""
    stream = data.context.get("stream")
    if stream is None:
        return {}
    zone_inputs = designs["xe"]
    return {
        "x": stream,
        "xe": stream.with_transform(lambda raw, s: zone_inputs.transform_array(raw)),
    }


class StreamScaler(TransformerMixin, BaseEstimator):
    """Standardize with given statistics (a training stream's means ``mean`` and sds
    ``scale``, one per column) as ``TripStream.standardize`` does: the result is rounded
    to float32, as the streamed batches are. ``fit`` learns nothing."""

    def __init__(self, mean=None, scale=None) -> None:
        self.mean = mean
        self.scale = scale

    def fit(self, x, y=None) -> StreamScaler:
        """Nothing to learn: the statistics are given; returns self."""
        self.n_features_in_ = len(np.asarray(self.mean))
        return self

    def transform(self, x) -> np.ndarray:
        """(x - mean) / scale, (n, p) float64 holding float32 values."""
        mean = np.asarray(self.mean, dtype=np.float64)
        scale = np.asarray(self.scale, dtype=np.float64)
        out = (np.asarray(x, dtype=np.float64) - mean) / scale
        return out.astype(np.float32).astype(np.float64)


class TripFeatures(TransformerMixin, BaseEstimator):
    """TLC trip records as the lab's predictors: rows that carry a trip's pickup and
    dropoff times (``tpep_`` / ``lpep_`` / plain ``pickup_datetime``) get
    ``hour_of_day``, ``day_of_week`` (1 = Sunday, lubridate's ``wday()``) and
    ``duration_min`` derived as ``nnlabs.data.taxi.read_trips`` derives them, in place
    of the two times; rows that already carry those columns pass through. Stateless.
    """

    def fit(self, rows: pd.DataFrame, y=None) -> TripFeatures:
        """Nothing to learn; returns self."""
        return self

    def transform(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``rows`` with the derived time columns (``DataError`` when neither is given)."""
        if not isinstance(rows, pd.DataFrame):
            raise DataError(f"new rows must be a pandas DataFrame; got {type(rows).__name__}")
        derived = ("hour_of_day", "day_of_week", "duration_min")
        if all(c in rows.columns for c in derived):
            return rows
        pick, drop = (_time_column(rows, side) for side in ("pickup", "dropoff"))
        if pick is None or drop is None:
            return rows  # the schema names the missing columns
        times = [c for c in rows.columns if c.endswith(("pickup_datetime", "dropoff_datetime"))]
        out = rows.drop(columns=times)
        start, end = pd.to_datetime(rows[pick]), pd.to_datetime(rows[drop])
        out["hour_of_day"] = start.dt.hour.astype(np.int16)
        out["day_of_week"] = ((start.dt.dayofweek + 1) % 7 + 1).astype(np.int16)
        minutes = (end - start).dt.total_seconds() / 60.0
        out["duration_min"] = minutes.astype(np.float32)
        return out


def _time_column(rows: pd.DataFrame, side: str) -> str | None:
    """The name ``rows`` gives the pickup or dropoff time, or None."""
    for prefix in ("tpep_", "lpep_", ""):
        if f"{prefix}{side}_datetime" in rows.columns:
            return f"{prefix}{side}_datetime"
    return None


def split_extras(split: SplitContext) -> dict[str, Any]:
    """The zone-embedding network's training history."""
    return {"embedding_history": split.models[EMB].history_}


def table_with_gain(scores: pd.DataFrame) -> pd.DataFrame:
    """Table 11.34's shape: Model, MAE (dollars), and ``(1 - MAE / MAE_Lasso) * 100``."""
    base = scores.set_index("Model").loc[LASSO, "MAE"]
    return pd.DataFrame(
        {
            "Model": scores["Model"],
            MAE_COLUMN: scores["MAE"],
            GAIN_COLUMN: (1.0 - scores["MAE"] / base) * 100.0,
        }
    )


def footer(result: LabResult) -> list[str]:
    """How many trips, and where they came from."""
    e = result.extras
    lines = [
        f"{e['n_trips']:,} trips ({e['n_train']:,} train / {e['n_test']:,} test) from {e['source']}"
    ]
    if "months" in e:
        *train, test = e["months"]
        lines.append(f"Split by time: trained on {', '.join(train)}, tested on {test}")
    if "streamed_trips" in e:
        lines.append(
            f"Networks trained from a stream of {e['streamed_trips']:,} trips (past the "
            f"memory budget); the Lasso and the trees on a sample of {e['n_train']:,}"
        )
    return lines


SPEC = LabSpec(
    name="taxi",
    title=TITLE,
    settings=TaxiSettings,
    load=load,
    design=design,
    streams=streams,
    prepare=TripFeatures,
    response=RESPONSE,
    models={
        # cv.glmnet's default measure for a gaussian family is the mean squared error.
        LASSO: glmnet_lasso("mse"),
        NN: Model(make_network, network=True),
        EMB: Model(make_embedding_network, input="xe", network=True),
        # The networks' loss (MAE), on the notes' seven standardized predictors;
        # early-stopped on the networks' validation rows.
        GBT: gradient_boosted("absolute_error"),
    },
    comparisons=(
        (NN, LASSO),
        (EMB, LASSO),
        (EMB, NN),
        (NN, GBT),
        (EMB, GBT),
        (GBT, LASSO),
    ),
    network=NN,
    **MAE_REGRESSION,
    table=table_with_gain,
    digits=2,
    split_extras=split_extras,
    footer=footer,
    notes_protocol=NOTES_PROTOCOL,
    inputs=("data", "zones", "data_dir", "download"),
    split=time_split,
    subgroups=subgroups,
    model_card=model_card,
    notes_table={
        LASSO: {MAE_COLUMN: 1.19, GAIN_COLUMN: 0.0},
        NN: {MAE_COLUMN: 1.17, GAIN_COLUMN: 1.5},
    },
)


def run(settings: TaxiSettings | None = None, **kwargs: Any) -> LabResult:
    """Run the taxi lab; Table 11.34 plus the zone-embedding model.

    ``data=`` None (default) finds ``<color>_tripdata_<month>.parquet`` in ``data_dir``
    / ``NNLABS_DATA_DIR`` (or downloads it unless ``download=False``), one file per
    month of ``months=["2023-01", "2023-02", ...]`` when given (then trained on the
    earlier months and tested on the last, ``time_split``); a parquet path;
    or a frame shaped like ``nnlabs.data.taxi.read_trips``' output (already filtered).
    ``zones=`` TLC's zone lookup frame (default: ``taxi_zone_lookup.csv``, found like
    the trips). The other
    arguments (``cache``, ``train_index``/``test_index``) are
    ``nnlabs.labs.runner.run_lab``'s.
    """
    return run_lab(SPEC, settings, **kwargs)
