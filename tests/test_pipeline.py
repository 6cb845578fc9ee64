"""The lab pipeline: a lab is a declaration that one runner, the CLI and the registry serve.

A tiny lab (a simulated two-column regression, linear regression against a small
network) is declared here in a few lines and runs through the runner, ``nnlabs run
toy`` and ``nnlabs run all``; the cache key follows what trains a network; shared
settings fail the same way in every lab.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from nnlabs import ParameterError, labs
from nnlabs.cli import main
from nnlabs.design.transformers import Columns
from nnlabs.evaluation.metrics import mae
from nnlabs.labs.spec import LabData, LabSettings, LabSpec, Model
from nnlabs.models.baselines import LinearRegression
from nnlabs.models.estimators import NetworkClassifier, NetworkRegressor
from nnlabs.models.networks import DenseBlock, dense_network
from nnlabs.validation import Interval, Rule

BUILTIN = ("hitters", "movies", "nyc311", "taxi")


# ---------------------------------------------------------------------- the toy lab


@dataclass(frozen=True)
class ToySettings(LabSettings):
    """Two predictors, y = 3 x1 - 2 x2 + noise; a one-layer network."""

    n_rows: int = 300
    units: tuple[int, ...] = (8,)
    epochs: int = 3

    _parameter_constraints: ClassVar[dict[str, Rule]] = {"n_rows": Interval(int, 20, None)}


def _load(settings: ToySettings) -> LabData:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((settings.n_rows, 2))
    y = 3 * x[:, 0] - 2 * x[:, 1] + rng.normal(0, 0.5, settings.n_rows)
    rows = pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1]})
    return LabData(y=y, rows=rows, extras={"source": "simulated"})


def _design(data: LabData, settings) -> dict:
    return {"x": Columns(("x1", "x2"))}  # the raw columns as they are


def _network(settings: ToySettings, seed: int) -> NetworkRegressor:
    def build(n_inputs: int):
        model = dense_network(n_inputs, [DenseBlock(u) for u in settings.units])
        model.compile(optimizer="adam", loss="mse", metrics=["mean_absolute_error"])
        return model

    return NetworkRegressor(build, epochs=settings.epochs, validation_fraction=0.2, seed=seed)


TOY = LabSpec(
    name="toy",
    title="Toy: test-set MAE",
    settings=ToySettings,
    load=_load,
    design=_design,
    models={
        "LM": Model(lambda s, seed: LinearRegression()),
        "NN": Model(_network, network=True),
    },
    scorers=lambda s: {"MAE": mae},
    interval_metrics=("MAE",),
    comparisons=(("NN", "LM"),),
    network="NN",
    history_metric="mean_absolute_error",
    notes_protocol={"scaling": "all"},
)


@pytest.fixture
def toy():
    labs.register(TOY)
    yield TOY
    labs.unregister("toy")


def test_a_declared_lab_runs_through_the_runner(toy, tmp_path):
    result = labs.run("toy", cache=False, out_dir=tmp_path)
    assert list(result.table["Model"]) == ["LM", "NN"]
    assert result.table.set_index("Model").loc["LM", "MAE"] < 0.6
    assert result.extras["n_train"] + result.extras["n_test"] == 300
    assert result.extras["source"] == "simulated"
    assert list(result.uncertainty["Comparison"]) == ["NN - LM"]
    saved = json.loads((tmp_path / "toy_results.json").read_text())
    assert saved["settings"]["n_rows"] == 300 and len(saved["history"]) == 3
    # Every model is a pipeline from the raw rows: the test rows give the predictions.
    predicted = result.predict(result.test_data)
    for name in ("LM", "NN"):
        np.testing.assert_array_equal(predicted[name], result.predictions[name])
    new = pd.DataFrame({"x1": [1.0], "x2": [0.0]})
    loaded = labs.load_lab(tmp_path)
    pd.testing.assert_frame_equal(loaded.predict(new), result.predict(new))
    assert loaded.predict(new, model="LM").iloc[0, 0] == pytest.approx(3.0, abs=0.3)
    # What the run cost, by phase (bench/speed.py reads them): positive, and the fits'
    # sum within the splits' wall time.
    timings = result.timings
    assert set(timings["fit"]) == {"LM", "NN"} and saved["timings"]["fit"].keys() == {"LM", "NN"}
    phases = ("data", "design", "analyses", "splits", "intervals", "verdict_and_card", "save")
    assert all(timings[k] > 0 for k in phases) and all(v > 0 for v in timings["fit"].values())
    assert sum(timings["fit"].values()) + timings["design"] <= timings["splits"]


def test_a_declared_lab_runs_from_the_cli_and_in_run_all(toy, tmp_path, capsys, monkeypatch):
    out = str(tmp_path)
    assert main(["run", "toy", "--epochs", "2", "--n-rows", "100", "--out", out, "--no-cache"]) == 0
    printed = capsys.readouterr().out
    assert "Toy: test-set MAE" in printed and "toy_model" in printed
    assert (tmp_path / "toy_model" / "nn.keras").is_file()
    assert json.loads((tmp_path / "toy_results.json").read_text())["settings"]["n_rows"] == 100
    # `run all` runs every registered lab; keep it to the toy one here.
    monkeypatch.setattr(labs, "names", lambda: ["toy"])
    assert main(["run", "all", "--epochs", "1", "--out", out, "--no-cache", "--notes"]) == 0
    saved = json.loads((tmp_path / "toy_results.json").read_text())
    assert saved["settings"]["epochs"] == 1 and saved["settings"]["scaling"] == "all"


def test_registry_rejects_duplicates_and_unknown_models(toy):
    assert "toy" in labs.names()
    with pytest.raises(ParameterError, match="a lab named 'toy' is registered already"):
        labs.register(TOY)
    with pytest.raises(ParameterError, match="lab 'bad': no model named XX"):
        dataclasses.replace(TOY, name="bad", comparisons=(("XX", "LM"),))
    with pytest.raises(ParameterError, match="cannot be removed"):
        labs.unregister("hitters")


# ---------------------------------------------------------------------- the cache key


def test_cache_reuses_repeat_0_when_repeats_grow_and_retrains_when_epochs_change(toy, tmp_path):
    first = labs.run("toy", repeats=1, cache=tmp_path)
    assert first.models["NN"]["model"].cache_hit_ is False
    more = labs.run("toy", repeats=3, cache=tmp_path)
    assert more.models["NN"]["model"].cache_hit_ is True  # repeat 0 is the same network
    assert more.repeat_scores.query("repeat == 1")["MAE"].tolist() == first.table["MAE"].tolist()
    again = labs.run("toy", repeats=3, bootstrap_draws=50, cache=tmp_path)
    assert again.models["NN"]["model"].cache_hit_ is True  # reporting settings do not retrain
    longer = labs.run("toy", epochs=4, cache=tmp_path)
    assert longer.models["NN"]["model"].cache_hit_ is False
    assert len(longer.history) == 4


# ------------------------------------------------------------ shared settings, same errors

SHARED_BAD = [
    ({"epochs": 0}, "epochs must be an integer >= 1; got 0"),
    ({"epochs": 2.5}, "epochs must be an integer >= 1; got 2.5"),
    ({"batch_size": -1}, "batch_size must be an integer >= 1; got -1"),
    ({"repeats": 0}, "repeats must be an integer >= 1; got 0"),
    ({"seed": -1}, "seed must be an integer >= 0; got -1"),
    ({"network_seed": "a"}, "network_seed must be an integer >= 0; got 'a'"),
    ({"lasso_folds": 2}, "lasso_folds must be an integer >= 3; got 2"),
    ({"test_fraction": 1.0}, "test_fraction must be a number in (0, 1); got 1.0"),
    ({"validation_fraction": 0}, "validation_fraction must be a number in (0, 1); got 0"),
    ({"learning_rate": 0.0}, "learning_rate must be a number in (0, 10]; got 0.0"),
    ({"scaling": "none"}, "scaling must be one of 'train', 'all'; got 'none'"),
    ({"validation": "x"}, "validation must be one of 'split', 'test'; got 'x'"),
    ({"units": (8, 0)}, "units must be an integer >= 1; got 0"),
    ({"dropout": (0.1,) * 9}, "dropout must have one value per hidden layer"),
    ({"bootstrap_draws": 5}, "bootstrap_draws must be an integer >= 10; got 5"),
]


@pytest.mark.parametrize(("bad", "message"), SHARED_BAD, ids=[next(iter(b)) for b, _ in SHARED_BAD])
def test_a_bad_shared_setting_fails_alike_in_every_lab(bad, message):
    seen = set()
    for lab in BUILTIN:
        with pytest.raises(ParameterError) as caught:
            labs.run(lab, cache=False, **bad)
        assert message in str(caught.value), lab
        seen.add(str(caught.value).split(" (units")[0])
    assert len(seen) == 1, seen


def test_every_lab_shares_the_base_settings_and_declares_a_rule_for_each_field():
    shared = {f.name for f in dataclasses.fields(LabSettings)}
    for lab in BUILTIN:
        described = labs.describe(lab)
        names = {f["name"] for f in described["settings"]}
        assert shared <= names, lab
        assert all(f["kind"] and f["rule"] for f in described["settings"]), lab


def test_settings_normalize_sequences_to_tuples():
    settings = labs.get("hitters").settings(units=[16, 8], dropout=np.array([0.1, 0.0]))
    assert settings.units == (16, 8) and settings.dropout == (0.1, 0.0)
    assert hash(settings)


# ------------------------------------------------------------------------------ remnants


def test_network_classifier_threshold_is_a_parameter():
    params = NetworkClassifier(lambda n: None, threshold=0.3).get_params()
    assert params["threshold"] == 0.3
    with pytest.raises(ParameterError, match="threshold must be a number in"):
        NetworkClassifier(lambda n: None, threshold=2.0).fit(np.zeros((4, 1)), [0, 1, 0, 1])
