"""Taxi trips streamed from parquet files in shuffled minibatches, for training past memory.

A network trained by minibatch SGD only ever looks at one batch, so its training rows
need not fit in memory. ``TripStream`` reads TLC files with ``read_trips``' projection
and pushed-down filter (``nnlabs.data.taxi.trip_scanner``):

1. ``fit()`` makes one pass for the statistics: rows, and per-column sums and sums of
   squares of the predictors and the response (standardization uses the streamed rows
   only, as the lab uses its training rows);
2. each epoch (``epoch``/``batches``) visits the files in a new random order, fills a
   buffer of ``shuffle_rows`` rows from scan batches of ``scan_rows``, shuffles it and
   cuts it into minibatches; the remainder carries over, so every kept row is seen once
   an epoch. Memory holds one buffer, never the data set.

A buffer shuffle is not a full shuffle: rows far apart in the files never meet in one
batch (``docs/scaling.md``). ``keep`` selects rows of each file by position among its
filtered trips, e.g. the sample ``read_trips(n=...)`` would draw (``sample_positions``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from nnlabs.data.taxi import TAXI_COLUMNS, TripFilter, trip_scanner
from nnlabs.errors import NnlabsError, ParameterError
from nnlabs.validation import check_int

__all__ = ["BUFFER_ROW_BYTES", "TripStream", "read_kept", "sample_positions"]

# Bytes one buffered row costs at most: float32 predictors and response (32 bytes for
# the lab's seven predictors), their shuffled copy, and the scan batch it came in.
BUFFER_ROW_BYTES = 3 * 4 * len(TAXI_COLUMNS)
PREDICTORS = tuple(c for c in TAXI_COLUMNS if c != "fare_amount")


def sample_positions(n_trips: int, n: int | None, seed: int) -> np.ndarray | None:
    """A boolean mask (n_trips,) of the trips ``read_trips(n=n, seed=seed)`` keeps.

    ``read_trips`` draws ``n`` of a file's ``n_trips`` filtered trips (in file order)
    with ``default_rng(seed).choice(n_trips, n, replace=False)``; this draws the same
    positions. None (keep every trip) when ``n`` is None or at least ``n_trips``.
    """
    if n is None or n >= n_trips:
        return None
    keep = np.zeros(n_trips, dtype=bool)
    keep[np.random.default_rng(seed).choice(n_trips, size=n, replace=False)] = True
    return keep


def read_kept(
    path: str | os.PathLike[str],
    keep: np.ndarray,
    *,
    color: str | None = None,
    trip_filter: TripFilter | None = None,
    extra_columns: tuple[str, ...] = (),
    scan_rows: int = 65_536,
) -> pd.DataFrame:
    """The trips of one file at the positions ``keep`` marks among its filtered trips.

    ``keep`` (n_trips,) is a boolean mask in file order (``sample_positions``). The file
    is scanned batch by batch, so memory holds the kept rows plus one row group. Columns
    and types as ``read_trips``' (and ``extra_columns``), rows in file order.
    """
    keep = np.asarray(keep, dtype=bool)
    scanner = trip_scanner(
        [path],
        color=color,
        trip_filter=trip_filter,
        extra_columns=extra_columns,
        batch_rows=scan_rows,
        low_memory=True,
    )
    pieces, start = [], 0
    for batch in scanner.to_batches():
        picked = keep[start : start + batch.num_rows]
        if len(picked) != batch.num_rows:
            raise ParameterError(f"keep must have one value per filtered trip of {path}")
        start += batch.num_rows
        if picked.any():
            pieces.append(batch.filter(pa.array(picked)))
    if start != len(keep):
        raise ParameterError(
            f"keep must have one value per filtered trip of {path} ({start:,}); got {len(keep):,}"
        )
    if not pieces:
        return scanner.projected_schema.empty_table().to_pandas()
    return pa.Table.from_batches(pieces).replace_schema_metadata(None).to_pandas()


class TripStream:
    """Shuffled minibatches of filtered taxi trips, read from parquet files as a stream.

    Parameters
    ----------
    paths : TLC trip files (one schema, e.g. one color), read with ``trip_filter``.
    batch_size : rows per minibatch (the last of an epoch may be smaller).
    keep : one boolean mask per file over its filtered trips in file order (None in
        the list, or ``keep=None``, keeps every trip of a file), e.g. ``sample_positions``.
    trip_filter : the row filter; None means ``TripFilter()``.
    color : ``"yellow"``/``"green"``; None detects it from the first file.
    predictors, response : columns of ``TAXI_COLUMNS`` streamed as x (in this order)
        and y. Default: the lab's seven predictors and ``fare_amount``.
    transform : ``transform(x_raw, stream) -> x``: a (b, p) float32 batch of raw
        predictors to the network's inputs (b, q). Default: standardized with the
        streamed rows' means and sds (``standardize``).
    shuffle_rows : rows buffered before a shuffle; the most rows held is about this
        plus ``scan_rows``, whatever the data's size.
    scan_rows : rows per pyarrow scan batch.
    seed : seeds the file order and the shuffles of every epoch.

    Attributes (after ``fit``)
    ----------
    n_rows_ : rows streamed an epoch; ``file_rows_`` filtered trips per file.
    mean_, scale_ : (p,) means and population sds of the predictors (an sd of 0 is 1).
    y_mean_, y_scale_ : mean and population sd of the response.
    n_features_ : columns of ``transform``'s output.
    max_rows_held_ : the most rows the buffer held at once in any epoch so far.
    """

    def __init__(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        batch_size: int = 4096,
        keep: Sequence[np.ndarray | None] | None = None,
        trip_filter: TripFilter | None = None,
        color: str | None = None,
        predictors: Sequence[str] = PREDICTORS,
        response: str = "fare_amount",
        transform: Callable[[np.ndarray, TripStream], np.ndarray] | None = None,
        shuffle_rows: int = 262_144,
        scan_rows: int = 65_536,
        seed: int = 0,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.batch_size = check_int("batch_size", batch_size, minimum=1)
        self.keep = list(keep) if keep is not None else [None] * len(self.paths)
        self.trip_filter = TripFilter() if trip_filter is None else trip_filter
        self.color = color
        self.predictors = tuple(predictors)
        self.response = response
        self.transform = transform
        self.shuffle_rows = check_int("shuffle_rows", shuffle_rows, minimum=1)
        self.scan_rows = check_int("scan_rows", scan_rows, minimum=1)
        self.seed = check_int("seed", seed, minimum=0)
        self._check()

    def _check(self) -> None:
        if not self.paths:
            raise ParameterError("paths must name at least one trip file; got none")
        if len(self.keep) != len(self.paths):
            raise ParameterError(
                f"keep must hold one mask (or None) per file ({len(self.paths)}); "
                f"got {len(self.keep)}"
            )
        unknown = [c for c in (*self.predictors, self.response) if c not in TAXI_COLUMNS]
        if unknown or not self.predictors:
            raise ParameterError(
                f"predictors and response must be columns of {TAXI_COLUMNS}; got {unknown}"
            )

    # ---- the statistics pass ------------------------------------------------------

    def fit(self) -> TripStream:
        """One pass over the kept rows: their count, means and sds; return self."""
        self.file_rows_ = [self._count(k) for k in range(len(self.paths))]
        for path, mask, rows in zip(self.paths, self.keep, self.file_rows_, strict=True):
            if mask is not None and (np.ndim(mask) != 1 or len(mask) != rows):
                raise ParameterError(
                    f"keep: the mask of {path.name} must have one value per filtered trip "
                    f"({rows:,}); got shape {np.shape(mask)}"
                )
        n, sums, squares = 0, 0.0, 0.0
        for k in range(len(self.paths)):
            for x, y in self._file_rows(k):
                xy = np.column_stack([x, y]).astype(np.float64)
                n += len(xy)
                sums = sums + xy.sum(axis=0)
                squares = squares + (xy * xy).sum(axis=0)
        if n == 0:
            names = ", ".join(p.name for p in self.paths)
            raise NnlabsError(f"{names}: no trips to stream after filtering and keep")
        mean = sums / n
        sd = np.sqrt(np.maximum(squares / n - mean * mean, 0.0))
        sd[sd == 0] = 1.0
        self.n_rows_ = n
        self.mean_, self.scale_ = mean[:-1], sd[:-1]
        self.y_mean_, self.y_scale_ = float(mean[-1]), float(sd[-1])
        self.max_rows_held_ = 0
        probe = np.zeros((1, len(self.predictors)), dtype=np.float32)
        self.n_features_ = int(self._transform(probe).shape[1])
        return self

    @property
    def steps_per_epoch(self) -> int:
        """Minibatches an epoch: ``ceil(n_rows_ / batch_size)``."""
        self._check_fitted()
        return math.ceil(self.n_rows_ / self.batch_size)

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Raw predictors (n, p) standardized with the streamed rows' statistics, float32."""
        self._check_fitted()
        return ((np.asarray(x, dtype=np.float64) - self.mean_) / self.scale_).astype(np.float32)

    def with_transform(
        self, transform: Callable[[np.ndarray, TripStream], np.ndarray] | None
    ) -> TripStream:
        """A copy of this fitted stream whose batches go through ``transform``."""
        self._check_fitted()
        other = TripStream.__new__(TripStream)
        other.__dict__.update(self.__dict__)
        other.transform = transform
        probe = np.zeros((1, len(self.predictors)), dtype=np.float32)
        other.n_features_ = int(other._transform(probe).shape[1])
        return other

    # ---- the epochs ------------------------------------------------------------------

    def epoch(self, rng: np.random.Generator) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """One pass: minibatches ``(x (b, q) float32, y (b,) float32)``, each kept row once.

        Files come in an order drawn from ``rng``; ``shuffle_rows`` rows are buffered,
        shuffled and cut into batches, the remainder carried over. ``steps_per_epoch``
        batches in all.
        """
        self._check_fitted()
        xs: list[np.ndarray] = []
        ys: list[np.ndarray] = []
        held = 0
        for k in rng.permutation(len(self.paths)):
            for x, y in self._file_rows(int(k)):
                xs.append(x)
                ys.append(y)
                held += len(y)
                self.max_rows_held_ = max(self.max_rows_held_, held)
                if held >= self.shuffle_rows:
                    yield from self._drain(xs, ys, rng, keep_tail=True)
                    held = sum(len(v) for v in ys)
        yield from self._drain(xs, ys, rng, keep_tail=False)

    def batches(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Endless minibatches, epoch after epoch (for ``keras.Model.fit``)."""
        rng = np.random.default_rng(self.seed)
        while True:
            yield from self.epoch(rng)

    def _drain(self, xs: list, ys: list, rng: np.random.Generator, *, keep_tail: bool):
        if not ys:  # the last buffer was cut into whole batches
            return
        x, y = np.concatenate(xs), np.concatenate(ys)
        xs.clear()
        ys.clear()
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
        stop = (len(y) // self.batch_size) * self.batch_size if keep_tail else len(y)
        for i in range(0, stop, self.batch_size):
            yield self._transform(x[i : i + self.batch_size]), y[i : i + self.batch_size]
        if stop < len(y):
            xs.append(x[stop:])
            ys.append(y[stop:])

    def _file_rows(self, k: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """File ``k``'s kept rows, scan batch by scan batch: raw x (b, p) and y, float32."""
        mask, start = self.keep[k], 0
        for batch in self._batches(k):
            rows = batch.num_rows
            if rows == 0:
                continue
            x = np.column_stack(
                [batch.column(c).to_numpy().astype(np.float32) for c in self.predictors]
            )
            y = batch.column(self.response).to_numpy().astype(np.float32)
            if mask is not None:
                picked = mask[start : start + rows]
                x, y = x[picked], y[picked]
            start += rows
            if len(y):
                yield x, y

    def _count(self, k: int) -> int:
        """File ``k``'s filtered trips, counted scan batch by scan batch."""
        return sum(batch.num_rows for batch in self._batches(k))

    def _batches(self, k: int):
        """File ``k``'s filtered trips as pyarrow record batches of ``scan_rows`` at most."""
        return trip_scanner(
            [self.paths[k]],
            color=self.color,
            trip_filter=self.trip_filter,
            batch_rows=self.scan_rows,
            low_memory=True,
        ).to_batches()

    def _transform(self, x: np.ndarray) -> np.ndarray:
        if self.transform is None:
            return self.standardize(x)
        return np.asarray(self.transform(x, self), dtype=np.float32)

    def _check_fitted(self) -> None:
        if not hasattr(self, "n_rows_"):
            raise NnlabsError("this TripStream is not fitted yet; call fit first")
