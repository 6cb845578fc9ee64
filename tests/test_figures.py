"""The figures of a lab's result (nnlabs.presentation.figures): axes, labels and what each marks.

Two small runs serve every test: Hitters (regression, with learning-rate reductions
provoked by ``lr_patience=1`` and a large learning rate) and the movies (classification).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from _fixtures_labs import ANALYSES
from nnlabs import ParameterError, labs
from nnlabs.presentation import figures

SMALL = {"bootstrap_draws": 50, **ANALYSES}


@pytest.fixture(scope="module")
def hitters_result():
    return labs.run("hitters", epochs=12, patience=4, lr_patience=1, learning_rate=0.05, **SMALL)


@pytest.fixture(scope="module")
def movies_result():
    return labs.run("movies", epochs=4, lasso_folds=3, **SMALL)


def _texts(fig) -> str:
    """Every title, label and tick label of the figure, joined."""
    parts = [fig.get_suptitle()] if fig.get_suptitle() else []
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_title("left"), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        legend = ax.get_legend()
        if legend is not None:
            parts += [t.get_text() for t in legend.get_texts()]
    return " | ".join(parts)


def _vertical_lines(ax, color: str, style: str) -> list[float]:
    from matplotlib.colors import to_rgba

    return [
        float(line.get_xdata()[0])
        for line in ax.get_lines()
        if len(line.get_xdata()) == 2
        and line.get_xdata()[0] == line.get_xdata()[1]
        and to_rgba(line.get_color()) == to_rgba(color)
        and line.get_linestyle() == style
    ]


# ---- the result carries what the figures need ---------------------------------------------


def test_result_has_the_test_predictions(hitters_result):
    p = hitters_result.predictions
    assert list(p.columns) == ["row", "y", *hitters_result.models]
    assert len(p) == hitters_result.extras["n_test"]
    mae = (p["y"] - p["Lasso"]).abs().mean()
    table = hitters_result.table.set_index("Model")["MAE"]
    assert mae == pytest.approx(table["Lasso"])


# ---- training history ----------------------------------------------------------------


def test_history_marks_the_best_epoch_and_is_titled_as_a_history(hitters_result):
    history = hitters_result.history
    expected = int(history.loc[history["val_mean_absolute_error"].idxmin(), "epoch"])
    assert figures.best_epoch(hitters_result) == expected
    fig = figures.history_figure(hitters_result)
    ax = fig.axes[0]
    assert _vertical_lines(ax, "tab:green", "--") == [expected]
    assert ax.get_title().startswith("Training history of Neural Network (2-layer)")
    assert "Table" not in ax.get_title()
    assert ax.get_xlabel() == "epoch"
    assert ax.get_ylabel() == "mean absolute error"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["training rows", "validation rows", f"weights kept: epoch {expected}"]
    assert ax.get_xlim()[1] == history["epoch"].max()


def test_history_marks_every_learning_rate_reduction(hitters_result):
    reductions = figures.lr_reductions(hitters_result.history)
    assert reductions  # lr_patience=1 and a large rate lower it within a few epochs
    rate = hitters_result.history["learning_rate"].to_numpy()
    assert len(reductions) == int(np.sum(rate[1:] < rate[:-1]))
    ax = figures.history_figure(hitters_result).axes[0]
    assert _vertical_lines(ax, "0.5", ":") == [float(e) for e in reductions]


def test_lr_reductions_reads_the_learning_rate_column():
    history = pd.DataFrame({"epoch": [1, 2, 3, 4, 5], "learning_rate": [1, 1, 0.5, 0.5, 0.25]})
    assert figures.lr_reductions(history) == [3, 5]
    assert figures.lr_reductions(history.drop(columns="learning_rate")) == []


def test_best_epoch_of_a_classifier_maximizes_its_auc(movies_result):
    history = movies_result.history
    expected = int(history.loc[history["val_auc"].idxmax(), "epoch"])
    assert figures.best_epoch(movies_result) == expected


def test_saved_history_png_is_the_history_figure(hitters_result, tmp_path):
    from PIL import Image

    from nnlabs.presentation.report import write_run

    files = write_run(hitters_result, tmp_path)  # what `nnlabs run` writes
    assert {"plot", "report", "model", "results"} <= set(files)
    with Image.open(files["plot"]) as image:
        assert image.size == (880, 495)  # 8 x 4.5 inches at 110 dpi
        assert len(set(image.convert("RGB").getdata())) > 50


# ---- intervals ---------------------------------------------------------------------------


def test_intervals_figure_has_each_model_and_each_difference(movies_result):
    spec = labs.get("movies")
    fig = figures.intervals_figure(movies_result)
    assert len(fig.axes) == 2 * len(spec.interval_metrics)
    text = _texts(fig)
    for name in movies_result.models:
        assert name in text.replace("\n", " ")
    for a, b in spec.comparisons:
        assert f"{a} - {b}" in text.replace("\n", " ")
    assert "AUC (higher is better)" in text
    for ax in fig.axes[1::2]:  # the differences: a zero line
        assert _vertical_lines(ax, "firebrick", "--") == [0.0]
    models = figures.model_intervals(movies_result)
    assert (models["low"] <= models["estimate"]).all()
    assert (models["estimate"] <= models["high"]).all()
    auc = models[models["metric"] == "AUC"].set_index("Model")["estimate"]
    pd.testing.assert_series_equal(
        auc, movies_result.table.set_index("Model")["AUC"], check_names=False
    )


def test_intervals_over_repeats_are_the_repeats_summary():
    result = labs.run(
        "hitters", epochs=2, repeats=2, explain=False, disaggregate=False, bootstrap_draws=50
    )
    models = figures.model_intervals(result)
    summary = result.uncertainty.set_index("Model")
    assert list(models["Model"]) == list(result.models)
    np.testing.assert_allclose(models["low"], summary.loc[list(result.models), "low"])
    diffs = figures.difference_intervals(result)
    spec = labs.get("hitters")
    assert list(diffs["Comparison"]) == [f"{a} - {b}" for a, b in spec.comparisons]
    fig = figures.intervals_figure(result)
    assert "corrected resampled t over 2 repeats" in fig.get_suptitle()
    assert set(figures.lab_figures(result)) == {
        "intervals", "history", "predicted_actual", "residuals", "lasso_cv",
    }  # fmt: skip


def test_difference_intervals_match_the_uncertainty_table(hitters_result):
    diffs = figures.difference_intervals(hitters_result)
    u = hitters_result.uncertainty
    np.testing.assert_allclose(diffs["estimate"], u["difference"])
    assert list(diffs["Comparison"]) == list(u["Comparison"])


# ---- regression and classification ----------------------------------------------------------


def test_regression_figures(hitters_result):
    n = len(hitters_result.models)
    fig = figures.predicted_actual_figure(hitters_result)
    assert len(fig.axes) == n
    assert fig.axes[0].get_xlabel() == "actual" and fig.axes[0].get_ylabel() == "predicted"
    assert len(fig.axes[0].collections[0].get_offsets()) == len(hitters_result.predictions)
    fig = figures.residuals_figure(hitters_result)
    assert fig.axes[0].get_ylabel() == "residual (actual - predicted)"
    p = hitters_result.predictions
    points = fig.axes[1].collections[0].get_offsets()
    np.testing.assert_allclose(points[:, 1], p["y"] - p["Lasso"])
    as_classifier = dataclasses.replace(hitters_result, lab="movies", spec=labs.get("movies"))
    with pytest.raises(ParameterError, match="regression lab"):
        figures.predicted_actual_figure(as_classifier)


def test_classification_figures(movies_result):
    fig = figures.roc_figure(movies_result)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    auc = movies_result.table.set_index("Model")["AUC"]
    for name in movies_result.models:
        assert f"{name} (AUC {auc[name]:.3f})" in labels
    assert ax.get_xlabel().startswith("false positive rate")
    fig = figures.calibration_figure(movies_result)
    assert fig.axes[0].get_ylabel() == "observed share of Hit (bin)"
    fig = figures.confusion_figure(movies_result)
    assert len(fig.axes) == len(movies_result.models)
    nn = fig.axes[1]
    counts = np.asarray(nn.get_images()[0].get_array())
    expected = movies_result.extras["confusion"]["Neural Network (3-layer)"].to_numpy()
    np.testing.assert_array_equal(counts, expected)
    assert [t.get_text() for t in nn.get_xticklabels()] == ["Flop", "Hit"]
    with pytest.raises(ParameterError, match="n_bins"):
        figures.calibration_figure(movies_result, n_bins=1)


# ---- the Lasso's CV curve and the explanations --------------------------------------------


def test_lasso_cv_figure_marks_lambda_min_and_1se(hitters_result):
    lasso = hitters_result.models["Lasso"]["model"]
    fig = figures.lasso_cv_figure(hitters_result)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "log(lambda)"
    assert ax.get_ylabel() == "mean absolute error (10-fold CV)"
    marked = _vertical_lines(ax, "0.3", "--")
    np.testing.assert_allclose(marked, np.log([lasso.lambda_min_, lasso.lambda_1se_]))
    assert {t.get_text() for t in ax.texts} == {" lambda.min", " lambda.1se"}
    points = ax.get_lines()[0].get_ydata()
    np.testing.assert_allclose(points, lasso.cv_mean_)


def test_lasso_cv_figure_needs_a_lasso(hitters_result):
    linear = hitters_result.models["Linear Regression"]
    without = dataclasses.replace(hitters_result, models={"Linear Regression": linear})
    with pytest.raises(ParameterError, match="cross-validated Lasso"):
        figures.lasso_cv_figure(without)


def test_importance_and_shap_figures(hitters_result):
    fig = figures.importance_figure(hitters_result, top=5)
    assert len(fig.axes) == len(hitters_result.models)
    imp = hitters_result.importance
    lasso = imp[imp["Model"] == "Lasso"].nlargest(5, "importance")
    shown = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert shown == list(lasso["feature"])[::-1]
    fig = figures.shap_figure(hitters_result)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "SHAP value (effect on the prediction)"
    rows = hitters_result.shap["row"].nunique()
    assert f"({rows} test rows explained)" in ax.get_title("left")
    with pytest.raises(ParameterError, match="top"):
        figures.shap_figure(hitters_result, top=0)


def test_a_result_without_an_analysis_has_no_such_figure(hitters_result):
    bare = dataclasses.replace(hitters_result, importance=None, shap=None)
    with pytest.raises(ParameterError, match="result must have importance"):
        figures.importance_figure(bare)
    assert set(figures.lab_figures(bare)) == {
        "intervals", "history", "predicted_actual", "residuals", "lasso_cv",
    }  # fmt: skip


def test_lab_figures_of_a_classifier(movies_result):
    found = figures.lab_figures(movies_result)
    assert list(found) == [
        "intervals", "history", "roc", "calibration", "confusion", "lasso_cv", "importance",
        "shap",
    ]  # fmt: skip
    svg = figures.figure_svg(found["roc"])
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
