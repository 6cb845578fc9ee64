"""Property-based (Hypothesis) tests of the public data entry points on damaged input.

Each entry point gets valid data with random damage (``_fuzz.damaged_frames``: missing and
extra columns, wrong dtypes, NaN and infinities, empty frames, a single row, duplicated
indices, unicode column names) or random arguments (out-of-range and repeated indices,
wrong types). It must either succeed with a sound result or raise an ``NnlabsError``
whose one-line message names the argument or column; a raw pandas, NumPy, scikit-learn
or Keras exception fails the test. ``tests/conftest.py`` prints how many cases ran.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _fuzz import CASES, ODD_VALUES, assert_named_failure, damaged_frames, named
from nnlabs.data import hitters as hitters_data
from nnlabs.data import movies as movies_data
from nnlabs.data import nyc311 as nyc311_data
from nnlabs.labs import hitters, movies, nyc311, taxi
from nnlabs.models.baselines import LassoCV, LogisticLassoCV
from nnlabs.splits import explicit_split

# NNLABS_FUZZ_EXAMPLES=5000 NNLABS_FUZZ_SEED=random runs a deeper, fresh search; by
# default each test tries the same 120 cases on every run, so a failure can be repeated.
FUZZ = settings(
    max_examples=int(os.environ.get("NNLABS_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("NNLABS_FUZZ_SEED") != "random",
    database=None,
)
NAME = "fuzzed"
# Silently dropping the imaginary part of a complex column is a failure too.
pytestmark = pytest.mark.filterwarnings("error::numpy.exceptions.ComplexWarning")
NOT_FRAMES = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.lists(st.floats(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(np.zeros, st.tuples(st.integers(0, 3), st.integers(0, 3))),
)

HITTERS = hitters_data.load(drop_missing=False)
MOVIES = movies_data.simulate(120, seed=3)
NYC311 = nyc311_data.simulate(400, seed=5)
TRIPS = pd.DataFrame(
    {
        "fare_amount": np.linspace(5, 60, 50, dtype=np.float32),
        "trip_distance": np.linspace(0.5, 12, 50, dtype=np.float32),
        "passenger_count": np.tile(np.arange(1, 6, dtype=np.int16), 10),
        "PULocationID": np.tile(np.array([4, 13, 43, 48, 161], dtype=np.int16), 10),
        "DOLocationID": np.tile(np.array([141, 13, 7, 48, 4], dtype=np.int16), 10),
        "hour_of_day": np.arange(50, dtype=np.int16) % 24,
        "day_of_week": (np.arange(50, dtype=np.int16) % 7) + 1,
        "duration_min": np.linspace(3, 50, 50, dtype=np.float32),
    }
)


def _finite(values) -> bool:
    return bool(np.isfinite(np.asarray(values, dtype=np.float64)).all())


def _expect_named_failure(call, names):
    try:
        return call(), None
    except Exception as exc:
        assert_named_failure(exc, names)
        return None, exc


def _frame_names(frame) -> list[str]:
    """The frame's argument name, and its columns' names when it is a frame."""
    return [NAME, *named(list(frame.columns))] if isinstance(frame, pd.DataFrame) else [NAME]


# ------------------------------------------------------------------------------ frames


@FUZZ
@given(frame=st.one_of(damaged_frames(HITTERS), NOT_FRAMES))
def test_hitters_design(frame):
    CASES["nnlabs.labs.hitters.design"] += 1
    out, _ = _expect_named_failure(lambda: hitters.design(frame, name=NAME), _frame_names(frame))
    if out is not None:
        x, y = out
        assert len(x) == len(y) and x.shape[1] >= 1
        assert _finite(x.to_numpy()) and _finite(y)


@FUZZ
@given(frame=st.one_of(damaged_frames(MOVIES), NOT_FRAMES))
def test_movies_design(frame):
    CASES["nnlabs.labs.movies.design"] += 1
    out, _ = _expect_named_failure(lambda: movies.design(frame, name=NAME), _frame_names(frame))
    if out is not None:
        x, labels = out
        assert x.shape == (len(labels), len(movies_data.FEATURES))
        assert _finite(x.to_numpy()) and set(np.unique(labels)) == {0, 1}


@FUZZ
@given(frame=st.one_of(damaged_frames(NYC311, max_rows=120), NOT_FRAMES))
def test_nyc311_engineer(frame):
    CASES["nnlabs.labs.nyc311.engineer"] += 1
    settings_ = nyc311.NYC311Settings(top_complaints=5, top_agencies=4, top_channels=3)
    call = lambda: nyc311.engineer(frame, settings_, name=NAME)  # noqa: E731
    out, _ = _expect_named_failure(call, _frame_names(frame))
    if out is not None:
        assert list(out.columns) == list(nyc311.FEATURES) and len(out) >= 1
        assert _finite(out[nyc311.RESPONSE]) and (out[nyc311.RESPONSE] > 0).all()
        for column in nyc311.NUMERIC:
            assert out[column].dtype == np.int64


@FUZZ
@given(frame=st.one_of(damaged_frames(TRIPS), NOT_FRAMES))
def test_taxi_check_trips(frame):
    CASES["nnlabs.labs.taxi.check_trips"] += 1
    out, _ = _expect_named_failure(lambda: taxi.check_trips(frame, name=NAME), _frame_names(frame))
    if out is not None:
        assert list(out.columns) == list(taxi.taxi_data.TAXI_COLUMNS) and len(out) >= 1
        assert list(out.index) == list(range(len(out)))
        assert _finite(out.to_numpy(dtype=np.float64))


# ----------------------------------------------------------------------------- indices

INDEX_VALUES = st.one_of(
    st.integers(-3, 12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1.5, 2.0, "3", None, True, 2**70]),
)
INDICES = st.one_of(
    st.none(),
    st.lists(st.integers(-3, 12), max_size=12),
    st.lists(INDEX_VALUES, max_size=6),
    st.lists(st.lists(st.integers(0, 5), min_size=2, max_size=2), max_size=3),  # 2-D
    st.text(max_size=4),
    st.integers(-2, 12),
    st.builds(lambda v: np.array(v, dtype=np.float64), st.lists(st.floats(), max_size=5)),
)


@FUZZ
@given(
    n=st.one_of(st.integers(-2, 12), st.sampled_from([2.5, "10", None, True, np.int64(8)])),
    train=INDICES,
    test=INDICES,
)
def test_explicit_split(n, train, test):
    CASES["nnlabs.splits.explicit_split"] += 1
    call = lambda: explicit_split(n, train, test)  # noqa: E731
    split, _ = _expect_named_failure(call, ["n", "train_index", "test_index"])
    if split is not None:
        rows = int(n)
        both = np.concatenate([split.train, split.test])
        assert len(split.test) >= 1 and len(split.train) >= 1
        assert len(np.unique(both)) == len(both) and both.min() >= 0 and both.max() < rows


# ---------------------------------------------------------------------------- baselines

MATRIX_VALUES = st.one_of(
    st.floats(-100, 100, allow_nan=False), ODD_VALUES, st.sampled_from([np.nan, np.inf])
)


@st.composite
def design_inputs(draw, classification: bool):
    """X and y for the Lasso: mostly sound, sometimes with damage of every kind."""
    n = draw(st.sampled_from([0, 1, 2, 5, 12, 20]))
    p = draw(st.sampled_from([0, 1, 3]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(n, p))
    y = (rng.random(n) > 0.5).astype(np.int64) if classification else rng.normal(size=n)
    x_obj, y_obj = x.astype(object), y.astype(object)
    for _ in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from(["x", "y"]))
        if target == "x" and x.size:
            x_obj[draw(st.integers(0, n - 1)), draw(st.integers(0, p - 1))] = draw(MATRIX_VALUES)
        elif target == "y" and n:
            y_obj[draw(st.integers(0, n - 1))] = draw(MATRIX_VALUES)
    shape = draw(st.sampled_from(["ok", "ok", "ok", "frame", "1d", "3d", "short_y", "2d_y"]))
    X, Y = x_obj, y_obj
    if shape == "frame":
        names = draw(st.lists(st.text(min_size=1, max_size=3), min_size=p, max_size=p))
        X = pd.DataFrame(x_obj, columns=names, index=[0] * n)  # duplicated index
        Y = pd.Series(y_obj, index=[0] * n)
    elif shape == "1d":
        X = x_obj.reshape(-1)
    elif shape == "3d":
        X = x_obj.reshape(n, p, 1)
    elif shape == "short_y":
        Y = y_obj[: max(n - 1, 0)]
    elif shape == "2d_y":
        Y = np.column_stack([y_obj, y_obj])
    if draw(st.booleans()):  # often a plain float matrix, as the labs pass it
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    return X, Y


LASSO_ARGS = ["X", "y", "n_folds", "lambda"]


@FUZZ
@given(data=design_inputs(classification=False))
def test_lasso_cv_fit(data):
    CASES["nnlabs.models.baselines.LassoCV.fit"] += 1
    X, y = data
    model = LassoCV(n_folds=3, n_lambdas=4)
    fitted, _ = _expect_named_failure(lambda: model.fit(X, y), LASSO_ARGS)
    if fitted is not None:
        assert np.isfinite(fitted.coef_).all() and np.isfinite(fitted.intercept_)
        assert _finite(fitted.predict(np.asarray(X, dtype=np.float64)))


@FUZZ
@given(data=design_inputs(classification=True))
def test_logistic_lasso_cv_fit(data):
    CASES["nnlabs.models.baselines.LogisticLassoCV.fit"] += 1
    X, y = data
    model = LogisticLassoCV(n_folds=3, n_lambdas=3)
    fitted, _ = _expect_named_failure(lambda: model.fit(X, y), LASSO_ARGS)
    if fitted is not None:
        proba = fitted.predict_proba(np.asarray(X, dtype=np.float64))
        assert _finite(proba) and ((proba >= 0) & (proba <= 1)).all()


# ------------------------------------------------------- what the properties must catch


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: hitters.design(HITTERS.drop(columns="Salary"), name=NAME), "'Salary'"),
        (lambda: movies.design(MOVIES.assign(hit=2), name=NAME), "column 'hit'"),
        (lambda: taxi.check_trips(TRIPS.assign(PULocationID=-1.0), name=NAME), "zone ids"),
        (lambda: explicit_split(5, None, [7]), "test_index"),
        (lambda: LassoCV(n_folds=3).fit(np.full((6, 2), np.nan), np.ones(6)), "X must"),
    ],
)
def test_the_checks_name_what_is_wrong(call, message):
    with pytest.raises(Exception) as info:
        call()
    assert_named_failure(info.value, [message])
