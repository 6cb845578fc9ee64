"""Command-line options that tests/test_cli.py does not cover: each changes what it says.

``--notes``, ``--seed``, ``--scaling`` and ``--validation`` on the Hitters lab (checked in
the settings saved to results.json and in the numbers), ``doctor`` and
``worked-example --task classification``.
"""

from __future__ import annotations

import json

import pytest

from nnlabs.cli import main
from nnlabs.labs import hitters

BASE = ["run", "hitters", "--epochs", "2", "--no-cache"]


def _run(tmp_path_factory, *options: str) -> dict:
    out = tmp_path_factory.mktemp("cli")
    assert main([*BASE, *options, "--out", str(out)]) == 0
    return json.loads((out / "hitters_results.json").read_text())


def _mae(results: dict, model: str) -> float:
    return next(row["MAE"] for row in results["table"] if row["Model"] == model)


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> dict:
    return _run(tmp_path_factory)


def test_default_settings_are_the_sound_protocol(default):
    settings = default["settings"]
    assert (settings["validation"], settings["scaling"]) == ("split", "train")
    assert settings["seed"] == 13 and settings["standardize_target"] is True
    assert settings["epochs"] == 2


@pytest.mark.slow
def test_notes_applies_the_notes_protocol(default, tmp_path_factory, capsys):
    notes = _run(tmp_path_factory, "--notes")
    assert "Table 11.32" in capsys.readouterr().out
    settings = notes["settings"]
    assert (settings["validation"], settings["scaling"]) == ("test", "all")
    assert settings["standardize_target"] is False
    assert {k: settings[k] for k in hitters.NOTES_PROTOCOL} == hitters.NOTES_PROTOCOL
    assert _mae(notes, hitters.NN) != _mae(default, hitters.NN)
    # An explicit option wins over the protocol's value.
    mixed = _run(tmp_path_factory, "--notes", "--validation", "split")
    assert (mixed["settings"]["validation"], mixed["settings"]["scaling"]) == ("split", "all")


@pytest.mark.slow
def test_seed_draws_another_split(default, tmp_path_factory):
    seeded = _run(tmp_path_factory, "--seed", "7")
    assert seeded["settings"]["seed"] == 7
    assert seeded["extras"]["n_test"] == default["extras"]["n_test"] == 87
    # Another test set, so another linear-regression MAE (which no seed of training moves).
    assert _mae(seeded, hitters.LM) != pytest.approx(_mae(default, hitters.LM))


@pytest.mark.slow
def test_scaling_all_changes_the_network_not_the_linear_models(default, tmp_path_factory):
    scaled = _run(tmp_path_factory, "--scaling", "all")
    assert scaled["settings"]["scaling"] == "all"
    # Least squares and the (internally standardizing) Lasso do not care how the inputs
    # were scaled; the network does.
    assert _mae(scaled, hitters.LM) == pytest.approx(_mae(default, hitters.LM), rel=1e-9)
    assert _mae(scaled, hitters.LASSO) == pytest.approx(_mae(default, hitters.LASSO), rel=1e-6)
    assert _mae(scaled, hitters.NN) != _mae(default, hitters.NN)


@pytest.mark.slow
def test_validation_test_monitors_the_test_rows(default, tmp_path_factory):
    monitored = _run(tmp_path_factory, "--validation", "test")
    assert monitored["settings"]["validation"] == "test"
    # Early stopping watched the test rows: the restored epoch's validation MAE is the
    # network's test MAE. With validation rows carved from the training set it is not.
    best = min(row["val_mean_absolute_error"] for row in monitored["history"])
    assert best == pytest.approx(_mae(monitored, hitters.NN), rel=1e-4)
    carved = min(row["val_mean_absolute_error"] for row in default["history"])
    assert carved != pytest.approx(_mae(default, hitters.NN), rel=1e-4)


@pytest.mark.parametrize("option", ["--seed", "--epochs"])
def test_a_non_integer_option_is_one_line_and_status_2(option, capsys):
    assert main(["run", "hitters", option, "x"]) == 2
    err = capsys.readouterr().err
    assert err == f"nnlabs: error: {option} must be an integer; got 'x'\n"


def test_an_unknown_option_is_one_line_and_status_2(capsys):
    assert main(["run", "hitters", "--bogus", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnlabs: error: unrecognized arguments: --bogus") and err.count("\n") == 1


def test_negative_seed_is_one_line_and_status_2(capsys):
    assert main(["run", "hitters", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err == "nnlabs: error: seed must be an integer >= 0; got -1\n"


def test_doctor_reports_backend_devices_and_versions(capsys):
    import keras

    import nnlabs

    assert main(["doctor"]) == 0
    lines = dict(
        line.split(": ", 1) for line in capsys.readouterr().out.splitlines() if ": " in line
    )
    report = {key.strip(): value for key, value in lines.items()}
    assert report["nnlabs"] == nnlabs.__version__
    assert report["keras"] == keras.__version__
    assert report["backend"] == keras.backend.backend()
    assert "CPU" in report["devices"]
    assert {"python", "platform", "numpy", "tensorflow"} <= set(report)


def test_worked_example_classification_is_the_softmax_network(capsys):
    assert main(["worked-example", "--task", "classification"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Worked example (§11.4): classification, observation i = 1")
    assert "softmax output (Flop, Hit)" in out
    assert "P̂(Hit)" in out and "0.963" in out  # the notes' softmax probability
    assert "-log P̂(Hit)" in out and "½(y_i - ŷ_i)²" not in out
    assert main(["worked-example", "--task", "classification", "--observation", "2"]) == 0
    assert "observation i = 2" in capsys.readouterr().out
    assert main(["worked-example", "--task", "ranking"]) == 2
    assert "task must be one of 'regression', 'classification'; got 'ranking'" in (
        capsys.readouterr().err
    )
