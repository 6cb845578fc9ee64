"""Train/test splits: seeded random ones, and explicit ones given by index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlabs.errors import ParameterError
from nnlabs.validation import check_float, check_int


@dataclass(frozen=True)
class Split:
    """Zero-based row indices of a train/test split of ``n`` rows."""

    train: np.ndarray
    test: np.ndarray

    @property
    def n(self) -> int:
        return len(self.train) + len(self.test)


def random_split(n: int, test_fraction: float, seed: int) -> Split:
    """Draw ``floor(n * test_fraction)`` test rows at random, the rest for training.

    Truncation (not rounding) matches the notes' ``trunc(n / 3)`` and
    ``trunc(n * 0.25)``; the training rows come back in random order so that Keras'
    ``validation_split`` (which takes the last rows) takes a random subset.
    """
    n = check_int("n", n, minimum=2)
    test_fraction = check_float(
        "test_fraction", test_fraction, 0.0, 1.0, low_inclusive=False, high_inclusive=False
    )
    n_test = int(np.floor(n * test_fraction))
    if n_test < 1 or n_test >= n:
        raise ParameterError(
            f"test_fraction must leave at least one training and one test row; got "
            f"{test_fraction} of n = {n}"
        )
    order = np.random.default_rng(seed).permutation(n)
    return Split(train=order[n_test:], test=np.sort(order[:n_test]))


def explicit_split(n: int, train: np.ndarray | None, test: np.ndarray) -> Split:
    """Validate zero-based ``test`` (and optional ``train``) indices for ``n`` rows.

    When ``train`` is None it is every row not in ``test``. Indices must be integers in
    [0, n), unique, and the two sets disjoint.
    """
    n = check_int("n", n, minimum=2)
    test_idx = _as_index("test_index", test, n)
    if train is None:
        mask = np.ones(n, dtype=bool)
        mask[test_idx] = False
        train_idx = np.flatnonzero(mask)
    else:
        train_idx = _as_index("train_index", train, n)
    overlap = np.intersect1d(train_idx, test_idx)
    if overlap.size:
        raise ParameterError(
            f"train_index and test_index must be disjoint; {overlap.size} row(s) are in both, "
            f"first {int(overlap[0])}"
        )
    if train_idx.size == 0 or test_idx.size == 0:
        raise ParameterError("train_index and test_index must each hold at least one row")
    return Split(train=train_idx, test=test_idx)


def _as_index(name: str, values, n: int) -> np.ndarray:
    rule = f"{name} must be a vector of integer row indices"
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError) as exc:  # e.g. ragged nested lists
        raise ParameterError(f"{rule}; could not read it ({exc})") from exc
    if arr.ndim != 1:
        raise ParameterError(f"{rule}; got {arr.ndim} dimension(s)")
    if arr.size and np.issubdtype(arr.dtype, np.floating):
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            raise ParameterError(f"{rule}; got {arr[~whole][0]!r}")
    elif arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ParameterError(f"{rule}; got {arr.dtype}")
    if arr.size and (arr.min() < 0 or arr.max() >= n):
        raise ParameterError(
            f"{name} must hold zero-based row indices in [0, {n}); got values from "
            f"{int(arr.min())} to {int(arr.max())}"
        )
    arr = arr.astype(np.int64)
    if np.unique(arr).size != arr.size:
        raise ParameterError(f"{name} must not repeat a row index")
    return arr
