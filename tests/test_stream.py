"""Training from parquet streamed in shuffled minibatches (nnlabs.data.stream)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from _fixtures_months import write_month
from nnlabs import ParameterError
from nnlabs.data import taxi as taxi_data
from nnlabs.data.stream import TripStream, sample_positions
from nnlabs.labs import taxi
from nnlabs.models.estimators import NetworkRegressor

MEMORY_CHILD = Path(__file__).with_name("_stream_memory.py")
# Streamed minus in-memory test MAE (dollars) allowed per seed; measured: under 0.04.
MAE_MARGIN = 0.3


def _month_files(folder: Path, sizes: dict[str, int], row_group: int | None = None) -> list[Path]:
    paths = []
    for k, (month, n) in enumerate(sizes.items()):
        write_month(folder, month, n, seed=k)
        path = folder / f"yellow_tripdata_{month}.parquet"
        if row_group is not None:  # TLC's files hold many row groups
            pq.write_table(pq.read_table(path), path, row_group_size=row_group)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def three_months(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stream")
    return _month_files(folder, {"2023-01": 4000, "2023-02": 4000, "2023-03": 4000}, 1500)


def _arrays(paths, n=None, seed=42):
    frames = [taxi_data.read_trips(p, n=n, seed=seed) for p in paths]
    x = np.concatenate([f[list(taxi.PREDICTORS)].to_numpy(np.float64) for f in frames])
    return x, np.concatenate([f[taxi.RESPONSE].to_numpy(np.float64) for f in frames])


def test_every_kept_row_is_seen_once_an_epoch_in_a_new_order(three_months):
    train = three_months[:2]
    counts = [taxi_data.count_trips(p) for p in train]
    keep = [sample_positions(n, 3000, seed=7) for n in counts]
    stream = TripStream(
        train, batch_size=100, keep=keep, shuffle_rows=700, scan_rows=256, seed=1
    ).fit()
    x_mem, y_mem = _arrays(train, n=3000, seed=7)  # the sample read_trips draws
    rng = np.random.default_rng(0)
    epochs = [list(stream.epoch(rng)) for _ in range(2)]
    for batches in epochs:
        assert len(batches) == stream.steps_per_epoch == 60
        y = np.concatenate([b[1] for b in batches])
        np.testing.assert_allclose(np.sort(y), np.sort(y_mem.astype(np.float32)))
        assert all(len(b[1]) == 100 for b in batches)
    assert not np.array_equal(epochs[0][0][1], epochs[1][0][1])
    assert stream.n_rows_ == 6000 and stream.file_rows_ == counts
    assert stream.max_rows_held_ < 700 + 256
    np.testing.assert_allclose(stream.mean_, x_mem.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(stream.scale_, x_mem.std(axis=0), rtol=1e-5)
    # Rows keep their own target: the batch's standardized predictors map back to a trip.
    x0, y0 = epochs[0][0]
    raw = x0 * stream.scale_ + stream.mean_
    i = int(np.argmin(np.abs(x_mem - raw[0]).sum(axis=1)))
    assert np.abs(x_mem[i] - raw[0]).max() < 1e-3 and y_mem[i] == pytest.approx(y0[0], rel=1e-6)


def test_bad_streams():
    with pytest.raises(ParameterError, match=r"paths must name at least one trip file"):
        TripStream([])
    with pytest.raises(ParameterError, match=r"keep must hold one mask \(or None\) per file"):
        TripStream(["a.parquet"], keep=[None, None])
    with pytest.raises(ParameterError, match=r"batch_size must be an integer >= 1; got 0"):
        TripStream(["a.parquet"], batch_size=0)


def test_a_mask_must_fit_its_file(three_months):
    with pytest.raises(ParameterError, match=r"one value per filtered trip"):
        TripStream(three_months[:1], keep=[np.ones(5, bool)]).fit()


def test_streamed_and_in_memory_fits_agree(three_months):
    train, test = three_months[:2], three_months[2]
    stream = TripStream(train, batch_size=128, shuffle_rows=1024, scan_rows=512).fit()
    x, y = _arrays(train)
    x_test, y_test = _arrays([test])
    x_test = stream.standardize(x_test)
    settings = taxi.TaxiSettings(units=(32, 16), dropout=(0.0, 0.0), learning_rate=0.01)
    baseline = np.abs(np.median(y) - y_test).mean()
    for seed in (0, 1):

        def make(seed=seed):
            build = lambda n: taxi.build_network(settings, n, seed)  # noqa: E731
            return NetworkRegressor(build, epochs=3, batch_size=128, seed=seed)

        memory = make().fit(stream.standardize(x), y)
        streamed = make().fit_stream(stream)
        mae_memory = np.abs(memory.predict(x_test) - y_test).mean()
        mae_stream = np.abs(streamed.predict(x_test) - y_test).mean()
        assert abs(mae_stream - mae_memory) < MAE_MARGIN, (seed, mae_memory, mae_stream)
        assert mae_stream < 0.85 * baseline  # it learned, from rows matched to their fares
        assert len(streamed.history_) == 3


def test_the_stream_and_the_network_must_agree_on_the_batch(three_months):
    stream = TripStream(three_months[:1], batch_size=64).fit()
    with pytest.raises(ParameterError, match=r"stream.batch_size must equal batch_size \(32\)"):
        NetworkRegressor(lambda n: None, batch_size=32).fit_stream(stream)


@pytest.mark.slow
def test_streamed_training_stays_under_a_memory_budget(tmp_path):
    # Measured: 9-47 MiB streamed (pyarrow's mimalloc pool at times keeps ~35 MiB more),
    # about 210 MiB from memory.
    budget_mib = 64
    warm = _month_files(tmp_path / "warm", {"2022-12": 60_000}, 50_000)[0]
    paths = _month_files(tmp_path, {"2023-01": 400_000, "2023-02": 400_000}, 50_000)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    children = {
        mode: subprocess.Popen(
            [sys.executable, str(MEMORY_CHILD), mode, "16384", str(warm), *map(str, paths)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for mode in ("stream", "memory")
    }
    out = {}
    for mode, child in children.items():
        stdout, _ = child.communicate(timeout=300)
        assert child.returncode == 0, stdout
        out[mode] = json.loads(stdout.strip().splitlines()[-1])
    assert out["stream"]["rows"] == out["memory"]["rows"] > 790_000
    # Reading the months into memory needs more than the budget; the stream does not.
    assert out["memory"]["above_start_mib"] > 2 * budget_mib, out
    assert out["stream"]["above_start_mib"] < budget_mib, out
