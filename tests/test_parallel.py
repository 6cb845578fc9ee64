"""Repeats in parallel: ``n_jobs`` in Python and the CLI, and a Dask cluster, equal serial runs.

Each repeat seeds its own split and network, so where it runs does not change a number.
"""

from __future__ import annotations

import pandas as pd
import pytest

from nnlabs import ParameterError, labs
from nnlabs.cli import main

RUN = {"epochs": 2, "repeats": 3, "cache": False}


@pytest.fixture(scope="module")
def serial():
    return labs.run("hitters", **RUN)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.repeat_scores, b.repeat_scores, check_exact=True)
    pd.testing.assert_frame_equal(a.uncertainty, b.uncertainty, check_exact=True)
    pd.testing.assert_frame_equal(a.history, b.history, check_exact=True)


@pytest.mark.slow
def test_two_processes_give_the_serial_result_repeat_by_repeat(serial):
    _same(labs.run("hitters", n_jobs=2, **RUN), serial)


@pytest.mark.slow
def test_cli_prints_the_same_table_with_n_jobs(serial, tmp_path, capsys):
    argv = ["run", "hitters", "--epochs", "2", "--repeats", "3", "--no-cache"]
    assert main([*argv, "--n-jobs", "2", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert str(serial) in printed


@pytest.mark.slow
def test_a_dask_cluster_on_loopback_gives_the_serial_result(serial):
    # The dask extra (`make test` installs it); missing, this fails rather than skips.
    import distributed
    import joblib

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        joblib.parallel_config(backend="dask"),
    ):
        result = labs.run("hitters", n_jobs=2, **RUN)
        assert len(client.scheduler_info()["workers"]) == 2
    _same(result, serial)


def test_n_jobs_is_checked():
    with pytest.raises(ParameterError, match="n_jobs must be a nonzero integer"):
        labs.run("hitters", n_jobs=0, cache=False)
    with pytest.raises(ParameterError, match=r"n_jobs must be an integer; got 1\.5"):
        labs.run("hitters", n_jobs=1.5, cache=False)


def test_cli_rejects_a_bad_n_jobs(capsys):
    assert main(["run", "hitters", "--n-jobs", "two"]) == 2
    assert "--n-jobs must be an integer; got 'two'" in capsys.readouterr().err
