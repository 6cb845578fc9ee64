"""Beyond the notes: a taxi-fare network that treats pickup and dropoff zones as categories.

The notes' network standardizes ``PULocationID`` and ``DOLocationID`` as if zone 132
(JFK) were "near" zone 131; here each zone gets a learned vector (an ``Embedding``) and a
few facts from TLC's zone lookup (borough, airport, Yellow Zone). The model keeps the
scikit-learn contract of ``NetworkRegressor``: it takes one matrix whose *last two*
columns are the raw zone ids and splits them off inside the graph, using only built-in
Keras layers and ops, so the ``.keras`` file loads without importing nnlabs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.preprocessing import StandardScaler

from nnlabs.errors import DataError
from nnlabs.models.networks import DenseBlock, LayerSeeds, dense_blocks
from nnlabs.validation import check_int

# Boroughs of the TLC zone lookup that get an indicator; "Unknown" and "N/A" get none.
BOROUGHS = ("Manhattan", "Queens", "Brooklyn", "Bronx", "Staten Island", "EWR")
# service_zone values of the three airports: JFK (132), LaGuardia (138), Newark (1).
AIRPORT_SERVICE_ZONES = ("Airports", "EWR")
# service_zone of Manhattan's core (south of 96th St), where street hails are yellow.
YELLOW_SERVICE_ZONE = "Yellow Zone"
ZONE_LOOKUP_COLUMNS = ("LocationID", "Borough", "service_zone")


def zone_table(zones: pd.DataFrame) -> pd.DataFrame:
    """Per-zone 0/1 features indexed by ``LocationID``.

    Columns: one ``borough_<name>`` per entry of ``BOROUGHS``, ``airport`` and
    ``yellow_zone``. ``zones`` is TLC's lookup (``nnlabs.data.taxi.load_zone_lookup``).
    """
    if not isinstance(zones, pd.DataFrame):
        raise DataError(f"zones must be a pandas DataFrame; got {type(zones).__name__}")
    missing = [c for c in ZONE_LOOKUP_COLUMNS if c not in zones.columns]
    if missing:
        raise DataError(f"zones: missing required column(s) {', '.join(map(repr, missing))}")
    ids = pd.to_numeric(zones["LocationID"], errors="coerce")
    if ids.isna().any() or ids.duplicated().any():
        raise DataError("zones: column 'LocationID' must hold unique integer zone ids")
    borough = zones["Borough"].astype(str).to_numpy()
    service = zones["service_zone"].astype(str).to_numpy()
    table = {f"borough_{b.replace(' ', '_')}": borough == b for b in BOROUGHS}
    table["airport"] = np.isin(service, AIRPORT_SERVICE_ZONES)
    table["yellow_zone"] = service == YELLOW_SERVICE_ZONE
    return pd.DataFrame(table, index=pd.Index(ids.astype(np.int64), name="LocationID")).astype(
        np.float64
    )


def zone_features(pickup: np.ndarray, dropoff: np.ndarray, zones: pd.DataFrame) -> pd.DataFrame:
    """Lookup features of each trip's pickup and dropoff zone, plus two pair flags.

    Returns (n, 2 * k + 2) float64 columns ``pu_<feature>``, ``do_<feature>``,
    ``same_zone`` and ``same_borough``; a zone missing from the lookup gets zeros.
    """
    table = zone_table(zones)
    pu = np.asarray(pickup, dtype=np.int64)
    do = np.asarray(dropoff, dtype=np.int64)
    pu_f = table.reindex(pu, fill_value=0.0).to_numpy()
    do_f = table.reindex(do, fill_value=0.0).to_numpy()
    n_boroughs = len(BOROUGHS)
    same_borough = (pu_f[:, :n_boroughs] * do_f[:, :n_boroughs]).sum(axis=1)
    columns = [f"pu_{c}" for c in table.columns] + [f"do_{c}" for c in table.columns]
    out = pd.DataFrame(np.hstack([pu_f, do_f]), columns=columns)
    out["same_zone"] = (pu == do).astype(np.float64)
    out["same_borough"] = same_borough
    return out


def lookup_lists(zones) -> dict[str, list]:
    """TLC's zone lookup (a frame or a mapping) as ``ZONE_LOOKUP_COLUMNS`` -> list."""
    if not isinstance(zones, (pd.DataFrame, dict)):
        raise DataError(f"zones must be a pandas DataFrame; got {type(zones).__name__}")
    missing = [c for c in ZONE_LOOKUP_COLUMNS if c not in zones]
    if missing:
        raise DataError(f"zones: missing required column(s) {', '.join(map(repr, missing))}")
    return {c: [_plain(v) for v in list(zones[c])] for c in ZONE_LOOKUP_COLUMNS}


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


class ZoneInputs(TransformerMixin, BaseEstimator):
    """The embedding network's input matrix from a trip's raw predictor columns.

    Columns (n, 5 + 2k + 2): the non-zone ``predictors`` standardized (``scaler``, a
    ``StandardScaler`` by default, fitted on the rows given to ``fit`` over all
    ``predictors``), the zone-lookup features of ``zone_features`` and, last, the raw
    pickup and dropoff ids of ``zone_ids`` (the network embeds them). ``zone_lookup`` is
    TLC's lookup as a mapping of its ``ZONE_LOOKUP_COLUMNS`` to lists (``lookup_lists``),
    plain values that skops saves and loads without running code.

    Fitted: ``scaler_``, ``feature_names_out_`` and ``inputs_`` (the raw column of each).
    """

    def __init__(self, predictors=(), zone_ids=(), zone_lookup=None, scaler=None) -> None:
        self.predictors = predictors
        self.zone_ids = zone_ids
        self.zone_lookup = zone_lookup
        self.scaler = scaler

    def fit(self, rows: pd.DataFrame, y=None) -> ZoneInputs:
        """Fit the scaler on ``rows``' predictors and keep the lookup; returns self."""
        raw = self._raw(rows)
        scaler = StandardScaler() if self.scaler is None else clone(self.scaler)
        self.scaler_ = scaler.fit(raw)
        self.lookup_ = lookup_lists(self.zone_lookup)
        zone_table(pd.DataFrame(self.lookup_))  # fails early on a bad lookup
        pu, do = ([0] for _ in range(2))
        flags = zone_features(np.asarray(pu), np.asarray(do), pd.DataFrame(self.lookup_))
        other = [c for c in self.predictors if c not in self.zone_ids]
        self.feature_names_out_ = np.array([*other, *flags.columns, *self.zone_ids], dtype=object)
        self.inputs_ = np.array(
            [*other, *(self._zone_of(c) for c in flags.columns), *self.zone_ids], dtype=object
        )
        return self

    def transform(self, rows: pd.DataFrame) -> np.ndarray:
        """The (n, 5 + 2k + 2) float64 input matrix of ``rows``."""
        return self.transform_array(self._raw(rows))

    def transform_array(self, raw: np.ndarray) -> np.ndarray:
        """The input matrix of raw predictors (n, len(predictors)) in ``predictors`` order."""
        raw = np.asarray(raw, dtype=np.float64)
        scaled = np.asarray(self.scaler_.transform(raw), dtype=np.float64)
        zone_cols = [list(self.predictors).index(c) for c in self.zone_ids]
        other = [j for j in range(raw.shape[1]) if j not in zone_cols]
        flags = zone_features(
            raw[:, zone_cols[0]], raw[:, zone_cols[1]], pd.DataFrame(self.lookup_)
        )
        return np.hstack([scaled[:, other], flags.to_numpy(), raw[:, zone_cols]])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The input matrix's column names."""
        return self.feature_names_out_

    def _raw(self, rows: pd.DataFrame) -> np.ndarray:
        missing = [c for c in self.predictors if c not in rows.columns]
        if missing:
            raise DataError(f"missing column(s) {', '.join(map(repr, missing))}")
        return np.ascontiguousarray(rows[list(self.predictors)].to_numpy(dtype=np.float64))

    def _zone_of(self, flag: str) -> str:
        """The raw column a lookup feature comes from (pair flags: the pickup zone's)."""
        return self.zone_ids[1] if flag.startswith("do_") else self.zone_ids[0]


def embedding_network(
    n_inputs: int,
    blocks: Sequence[DenseBlock],
    *,
    n_zones: int,
    embedding_dim: int,
    name: str = "taxi_fare_zones",
    seed: int | None = None,
):
    """Build (uncompiled) the zone-embedding regression network.

    Input (batch, n_inputs) float32: columns ``0 .. n_inputs - 3`` are numeric features,
    column ``n_inputs - 2`` the pickup zone id and ``n_inputs - 1`` the dropoff zone id
    (integers stored as floats; ids outside ``[0, n_zones)`` are clipped). Each id is
    looked up in its own ``Embedding(n_zones, embedding_dim)``; the two vectors and the
    numeric features are concatenated and go through ``blocks`` (layers named as
    ``dense_network``) to one linear output (batch, 1). ``seed`` as in ``dense_network``.
    """
    import keras
    from keras import ops

    n_inputs = check_int("n_inputs", n_inputs, minimum=3)
    n_zones = check_int("n_zones", n_zones, minimum=2)
    embedding_dim = check_int("embedding_dim", embedding_dim, minimum=1)
    seeds = LayerSeeds(seed)
    inputs = keras.Input(shape=(n_inputs,), name="inputs")
    numeric = inputs[:, : n_inputs - 2]
    vectors = []
    for offset, side in ((2, "pickup"), (1, "dropoff")):
        ids = ops.clip(ops.cast(inputs[:, n_inputs - offset], "int32"), 0, n_zones - 1)
        # Keras' default embedding initializer: uniform on [-0.05, 0.05].
        init = keras.initializers.RandomUniform(-0.05, 0.05, seed=seeds.next())
        layer = keras.layers.Embedding(
            n_zones, embedding_dim, embeddings_initializer=init, name=f"{side}_zone_embedding"
        )
        vectors.append(layer(ids))
    x = keras.layers.Concatenate(name="features")([numeric, *vectors])
    x = dense_blocks(x, blocks, seeds)
    outputs = seeds.dense(1, activation=None, name="output")(x)
    return keras.Model(inputs, outputs, name=name)
