"""§11.16 in every lab: the tree baseline, the 5% verdict, explanations, subgroups, cards.

A small lab declared here (a planted signal, a pure-noise column, a factor with three
levels, a group column) runs through the runner with the analyses on at tiny sizes; the
pieces (importance, SHAP, fairness, the trees' validation rows) are also checked alone
against values computed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from nnlabs import ParameterError, labs
from nnlabs.design.transformers import Columns, ModelMatrix
from nnlabs.evaluation.explain import (
    permutation_importance,
    prediction_function,
    shap_summary,
    shap_values,
)
from nnlabs.evaluation.fairness import (
    fairness_differences,
    fairness_table,
    group_rates,
    subgroup_metrics,
)
from nnlabs.evaluation.metrics import mae
from nnlabs.labs.spec import GBT, LabData, LabSettings, LabSpec, Model, gradient_boosted
from nnlabs.models.baselines import LinearRegression
from nnlabs.models.estimators import NetworkRegressor
from nnlabs.models.networks import DenseBlock, dense_network
from nnlabs.models.trees import GradientBoostedClassifier, GradientBoostedRegressor, held_out_rows
from nnlabs.responsible import analysis
from nnlabs.validation import Interval, Rule

TINY = {
    "importance_repeats": 3,
    "shap_rows": 4,
    "shap_background": 8,
    "shap_samples": 32,
    "fairness_draws": 20,
    "bootstrap_draws": 50,
}


# ------------------------------------------------------------------ a lab with a signal


@dataclass(frozen=True)
class SignalSettings(LabSettings):
    n_rows: int = 400
    units: tuple[int, ...] = (8,)
    epochs: int = 2

    _parameter_constraints: ClassVar[dict[str, Rule]] = {"n_rows": Interval(int, 40, None)}


COLUMNS = ["signal", "noise", "colourB", "colourC"]


def _load(settings: SignalSettings) -> LabData:
    rng = np.random.default_rng(1)
    n = settings.n_rows
    colour = rng.integers(0, 3, n)
    rows = pd.DataFrame(
        {
            "signal": rng.standard_normal(n),
            "noise": rng.standard_normal(n),
            "colour": np.array(["A", "B", "C"])[colour],
        }
    )
    y = 4.0 * rows["signal"].to_numpy() + 0.5 * (colour == 1) + rng.normal(0, 0.3, n)
    group = np.where(rng.random(n) < 0.9, "big", "small")
    return LabData(y=y, rows=rows, extras={"columns": COLUMNS}, context={"group": group})


def _design(data: LabData, settings) -> dict:
    # R's coding: colourB and colourC against colour A; both explained as "colour".
    return {"x": ModelMatrix(intercept=True)}


def _columns(data: LabData, settings) -> dict:
    return {"x": Columns(tuple(data.rows.columns))}


def _network(settings: SignalSettings, seed: int) -> NetworkRegressor:
    def build(n_inputs: int):
        model = dense_network(n_inputs, [DenseBlock(u) for u in settings.units])
        model.compile(optimizer="adam", loss="mse", metrics=["mean_absolute_error"])
        return model

    return NetworkRegressor(build, **settings.fit_params(), seed=seed)


SIGNAL = LabSpec(
    name="signal",
    title="Signal: test-set MAE",
    settings=SignalSettings,
    load=_load,
    design=_design,
    models={
        "LM": Model(lambda s, seed: LinearRegression()),
        "NN": Model(_network, network=True),
        GBT: gradient_boosted("squared_error"),
    },
    scorers=lambda s: {"MAE": mae},
    interval_metrics=("MAE",),
    comparisons=(("NN", "LM"), ("NN", GBT), (GBT, "LM")),
    network="NN",
    history_metric="mean_absolute_error",
    subgroups=lambda data, split: pd.DataFrame({"group": data.context["group"][split.test]}),
    model_card=lambda result: {"failure_modes": ["planted: the noise column means nothing"]},
)


@pytest.fixture(scope="module")
def signal_lab():
    labs.register(SIGNAL, replace=True)
    yield SIGNAL
    labs.unregister("signal")


@pytest.fixture(scope="module")
def signal_result(signal_lab, tmp_path_factory):
    out = tmp_path_factory.mktemp("signal")
    return labs.run("signal", cache=False, out_dir=out, **TINY), out


def test_gbt_row_comparisons_and_verdict_in_the_table(signal_result):
    result, _ = signal_result
    assert list(result.table["Model"]) == ["LM", "NN", GBT]
    assert list(result.uncertainty["Comparison"]) == ["NN - LM", f"NN - {GBT}", f"{GBT} - LM"]
    (row,) = result.verdict.to_dict(orient="records")
    assert row["network"] == "NN" and row["metric"] == "MAE"
    means = result.table.set_index("Model")["MAE"]
    assert row["simpler"] == means[["LM", GBT]].idxmin()
    assert row["relative_gap"] == pytest.approx(1 - means["NN"] / means[row["simpler"]])
    assert row["low"] <= row["relative_gap"] <= row["high"]
    assert f"Verdict: {row['text']}" in str(result)


def test_permutation_importance_of_the_lab_ranks_the_signal_first(signal_result):
    result, _ = signal_result
    for model, table in result.importance.groupby("Model"):
        assert table.iloc[0]["feature"] == "signal", model
        assert set(table["feature"]) == {"signal", "noise", "colour"}
    lm = result.importance.query("Model == 'LM'").set_index("feature")
    assert lm.loc["colour", "columns"] == 2
    assert abs(lm.loc["noise", "importance"]) < 0.05 * lm.loc["signal", "importance"]


def test_shap_of_the_lab_network_adds_up_to_its_predictions(signal_result):
    result, _ = signal_result
    shap = result.shap
    assert set(shap["Model"]) == {"NN"} and shap["row"].nunique() == TINY["shap_rows"]
    per_row = shap.groupby("row").agg(
        total=("shap", "sum"), base=("base_value", "first"), pred=("prediction", "first")
    )
    # Local accuracy, to float32 rounding of the network's outputs.
    assert np.allclose(per_row["base"] + per_row["total"], per_row["pred"], rtol=0, atol=1e-4)
    summary = shap_summary(shap)  # the factor's two columns summed per row
    assert sorted(summary["feature"]) == ["colour", "noise", "signal"]
    assert (summary["rows"] == TINY["shap_rows"]).all()


def test_subgroup_counts_add_up_to_the_test_rows_and_small_groups_are_flagged(signal_result):
    result, _ = signal_result
    groups = result.subgroups.query("Model == 'NN'")
    assert groups["n"].sum() == result.extras["n_test"]
    assert groups.set_index("group")["small"].to_dict() == {"big": False, "small": True}
    assert set(result.subgroups["Model"]) == {"LM", "NN", GBT}


def test_results_json_and_model_card_hold_the_analyses(signal_result):
    result, out = signal_result
    saved = json.loads((out / "signal_results.json").read_text())
    for section in ("importance", "shap", "subgroups", "verdict", "model_card"):
        assert saved[section], section
    card = (out / "signal_model_card.md").read_text()
    assert "## 1. Training data" in card and "## 4. Known failure modes" in card
    assert "planted: the noise column means nothing" in card
    assert "| group |" in card.replace("grouping | group", "| group |")
    assert saved["model_card"]["verdict"] == list(result.verdict["text"])
    assert set(result.extras["analysis_seconds"]) >= {"importance", "shap", "subgroups"}


def test_analyses_switch_off_and_their_settings_do_not_retrain(signal_lab, tmp_path):
    first = labs.run("signal", cache=tmp_path, explain=False, disaggregate=False, epochs=1)
    assert first.importance is None and first.shap is None and first.subgroups is None
    assert first.verdict is not None and first.model_card is not None
    again = labs.run("signal", cache=tmp_path, epochs=1, **TINY)
    assert again.models["NN"]["model"].cache_hit_ is True
    assert again.importance is not None


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"explain": "yes"}, "explain must be True or False; got 'yes'"),
        ({"importance_repeats": 1}, "importance_repeats must be an integer >= 2; got 1"),
        ({"shap_rows": 0}, "shap_rows must be an integer >= 1; got 0"),
        ({"importance_rows": 5}, "importance_rows must be an integer >= 10; got 5"),
        ({"fairness_draws": 3}, "fairness_draws must be an integer >= 10; got 3"),
    ],
)
def test_bad_analysis_settings_name_the_setting_rule_and_value(bad, message):
    with pytest.raises(ParameterError, match=message):
        labs.run("hitters", cache=False, **bad)


# ------------------------------------------------------------- the trees and test rows


def _poisoned_run(validation: str, poison: bool):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((200, 3))
    y = x[:, 0] + rng.normal(0, 0.1, 200)
    test = np.arange(150, 200)
    if poison:
        y = y.copy()
        y[test] = 1e6  # labels no fit may use
    spec = LabSpec(
        name="poison",
        title="poison",
        settings=SignalSettings,
        load=lambda s: LabData(y=y, rows=pd.DataFrame(x, columns=["a", "b", "c"])),
        design=_columns,
        models={
            "LM": Model(lambda s, seed: LinearRegression()),
            "NN": Model(_network, network=True),
            GBT: gradient_boosted(),
        },
        scorers=lambda s: {"MAE": mae},
        interval_metrics=("MAE",),
        comparisons=(),
        network="NN",
        history_metric="mean_absolute_error",
    )
    from nnlabs.labs.runner import run_lab

    return run_lab(
        spec,
        test_index=test,
        cache=False,
        validation=validation,
        epochs=1,
        explain=False,
        disaggregate=False,
        bootstrap_draws=10,
    )


@pytest.mark.parametrize("validation", ["split", "test"])
def test_the_trees_never_see_test_rows(validation):
    clean = _poisoned_run(validation, poison=False)
    poisoned = _poisoned_run(validation, poison=True)
    x_test = np.random.default_rng(5).standard_normal((200, 3))[150:]
    a, b = clean.models[GBT]["model"], poisoned.models[GBT]["model"]
    assert a.n_iter_ == b.n_iter_ and a.validation_rows_ == b.validation_rows_ == (120, 150)
    np.testing.assert_array_equal(a.predict(x_test), b.predict(x_test))
    if validation == "test":  # the network validated on the (poisoned) test rows: it changed
        assert clean.history["val_loss"].iloc[-1] != poisoned.history["val_loss"].iloc[-1]


def test_trees_hold_out_the_rows_keras_validation_split_holds_out():
    from keras.src.trainers.data_adapters.array_slicing import train_validation_split

    for n, fraction in [(176, 0.2), (1000, 0.15), (74119, 0.1), (11, 0.3)]:
        _, (validation,) = train_validation_split((np.arange(n),), validation_split=fraction)
        assert held_out_rows(n, fraction) == int(validation[0]), (n, fraction)


def test_tree_estimators_follow_the_contract_and_check_their_arguments():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 2))
    labels = (x[:, 0] > 0).astype(int)
    clf = GradientBoostedClassifier(max_iter=20).fit(x, labels)
    assert clf.predict_proba(x).shape == (120, 2) and set(clf.predict(x)) <= {0, 1}
    assert clf.get_params()["threshold"] == 0.5
    with pytest.raises(ParameterError, match="learning_rate must be a number in"):
        GradientBoostedRegressor(learning_rate=0).fit(x, x[:, 0])
    with pytest.raises(ParameterError, match=r"validation_fraction 0\.6 leaves no training"):
        GradientBoostedRegressor(validation_fraction=0.6).fit(x[:2], x[:2, 0])
    with pytest.raises(ParameterError, match="loss must be one of"):
        GradientBoostedRegressor(loss="huber").fit(x, x[:, 0])


# ----------------------------------------------------------------- the pieces by hand


def test_permutation_importance_finds_the_planted_signal_and_not_the_noise():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((500, 3))
    y = 5 * x[:, 1] + rng.normal(0, 0.1, 500)
    model = LinearRegression().fit(x, y)
    table = permutation_importance(
        prediction_function(model),
        x,
        y,
        mae,
        inputs=["a", "signal", "noise"],
        greater_is_better=False,
        n_repeats=5,
        seed=0,
    )
    assert table.iloc[0]["feature"] == "signal" and table.iloc[0]["importance"] > 3
    others = table.set_index("feature").loc[["a", "noise"], "importance"]
    assert (others.abs() < 0.02).all()
    assert (table["sd"] >= 0).all()


def test_permutation_importance_shuffles_a_factor_as_one_block():
    rng = np.random.default_rng(3)
    level = rng.integers(0, 3, 90)
    x = np.column_stack([level == 1, level == 2, rng.standard_normal(90)]).astype(float)

    def predict(z):  # every row the importance builds must still be one level of the factor
        assert (z[:, :2].sum(axis=1) <= 1).all()
        return 2 * z[:, 0] - z[:, 1]

    table = permutation_importance(
        predict,
        x,
        predict(x),
        mae,
        inputs=["f", "f", "g"],
        greater_is_better=False,
        n_repeats=3,
        seed=1,
    )
    assert list(table["feature"]) == ["f", "g"] and list(table["columns"]) == [2, 1]


def test_kernel_shap_of_a_linear_model_is_its_coefficients_times_the_centred_inputs():
    rng = np.random.default_rng(4)
    w = np.array([2.0, -1.0, 0.5])
    background = rng.standard_normal((10, 3))
    rows = rng.standard_normal((5, 3))
    found = shap_values(lambda z: z @ w, rows, background, columns=list("abc"), samples=64)
    expected = (rows - background.mean(axis=0)) * w
    np.testing.assert_allclose(found["values"].to_numpy(), expected, atol=1e-10)
    assert found["max_local_error"] < 1e-10
    assert found["base_value"] == pytest.approx(float((background @ w).mean()))


def test_fairness_metrics_equal_hand_computed_values():
    #              group a (4 rows)   group b (6 rows)
    y = np.array([1, 1, 0, 0, 1, 1, 1, 0, 0, 0])
    decided = np.array([1, 0, 1, 0, 1, 1, 1, 1, 0, 0])
    labels = np.array(["a"] * 4 + ["b"] * 6)
    rates = group_rates(y, decided, labels).set_index("group")
    # a: selection 2/4, TPR 1/2, FPR 1/2; b: selection 4/6, TPR 3/3, FPR 1/3.
    assert rates.loc["a", ["selection_rate", "tpr", "fpr"]].tolist() == [0.5, 0.5, 0.5]
    assert rates.loc["b", ["selection_rate", "tpr", "fpr"]].tolist() == pytest.approx(
        [4 / 6, 1.0, 1 / 3]
    )
    diffs = fairness_differences(y, decided, labels)
    assert diffs["demographic_parity_difference"] == pytest.approx(4 / 6 - 0.5)
    assert diffs["tpr_difference"] == pytest.approx(0.5)
    assert diffs["fpr_difference"] == pytest.approx(0.5 - 1 / 3)
    assert diffs["equalized_odds_difference"] == pytest.approx(0.5)
    table = fairness_table(
        y,
        {"m": decided * 0.8 + 0.1},
        pd.DataFrame({"g": labels}),
        n_boot=200,
        min_group_size=5,
    ).set_index("metric")
    assert table.loc["tpr_difference", "value"] == pytest.approx(0.5)
    assert table.loc["tpr_difference", "small_groups"] == "a"
    assert (table["low"] <= table["value"] + 1e-12).all() and (
        table["value"] <= table["high"] + 1e-12
    ).all()


def test_subgroup_metrics_count_every_row_once_per_grouping():
    y = np.arange(10.0)
    groups = pd.DataFrame({"g": list("aabbbccccc"), "h": [None] * 3 + ["x"] * 7})
    table = subgroup_metrics(y, {"m": y + 1}, groups, {"MAE": mae}, min_group_size=3)
    assert table.groupby("grouping")["n"].sum().to_dict() == {"g": 10, "h": 10}
    assert "(missing)" in set(table["group"])
    assert table.set_index("group").loc["a", "small"] and (table["MAE"] == 1).all()


def test_the_verdict_says_when_the_interval_straddles_the_threshold():
    assert analysis._decide("NN", "Lasso", 0.02, -0.01, 0.04, "MAE")[0] == "use the simpler model"
    assert analysis._decide("NN", "Lasso", 0.09, 0.06, 0.12, "MAE")[0] == "the network passes"
    decision, text = analysis._decide("NN", "Lasso", 0.06, 0.01, 0.11, "MAE")
    assert decision == "undecided" and "straddles 5%" in text


# ------------------------------------------------------------ the notes' labs' groups


def test_every_lab_declares_groups_whose_counts_add_up_to_its_test_rows():
    from _fixtures_labs import synthetic_trips, synthetic_zones
    from nnlabs.splits import random_split

    trips = synthetic_trips(600).assign(RatecodeID=np.where(np.arange(600) % 10 == 0, 2.0, 1.0))
    inputs = {
        "hitters": {},
        "movies": {},
        "nyc311": {},
        "taxi": {"data": trips, "zones": synthetic_zones()},
    }
    expected = {
        "hitters": {"League", "Division"},
        "movies": {"genre", "sequel"},
        "nyc311": {"borough", "agency"},
        "taxi": {"pickup_borough", "rate_code"},
    }
    for name, given in inputs.items():
        spec = labs.get(name)
        settings = spec.settings(**({"simulated_rows": 3000} if name == "nyc311" else {}))
        data = spec.load(settings, **given)
        split = random_split(len(data.y), settings.test_fraction, settings.seed)
        groups = spec.subgroups(data, split)
        assert set(groups.columns) == expected[name], name
        assert len(groups) == len(split.test), name
        for column in groups:
            assert groups[column].value_counts(dropna=False).sum() == len(split.test)
        assert GBT in spec.models and (spec.network, GBT) in spec.comparisons, name
    assert set(groups["rate_code"]) == {"Standard rate", "JFK"}
