"""The figures of a lab's result: pure functions of a ``LabResult``, each returning a Figure.

Every function takes the result a lab returned (``nnlabs.labs.run``) and draws one
matplotlib ``Figure`` without a screen (no pyplot, so no window and no global state):

* ``intervals_figure``: each model's metric with its 95% interval and each paired
  difference with the zero line ("can these models be told apart?");
* ``history_figure``: the network's training and validation curves, the restored best
  epoch (``best_epoch``) and the learning-rate reductions (``lr_reductions``) marked;
* regression: ``predicted_actual_figure`` and ``residuals_figure``;
* classification: ``roc_figure``, ``calibration_figure`` and ``confusion_figure``;
* ``lasso_cv_figure``: the Lasso's cross-validation curve, as ``plot(cv.glmnet)``;
* ``importance_figure`` and ``shap_figure``: the §11.16 explanations.

``lab_figures(result)`` returns every figure the result has the data for, and
``figure_svg`` / ``save_png`` write one out. A figure asked of a result that lacks its
data raises ``ParameterError`` naming what is missing.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from nnlabs.errors import ParameterError
from nnlabs.evaluation.intervals import bootstrap_draws
from nnlabs.io import atomic_path

LEVEL = 0.95
MAX_DRAWS = 1000  # bootstrap resamples of a model's metric on one split (for the figure)
_HIGHER = ("auc", "accuracy", "acc", "r2", "f1", "precision", "recall")
_METRIC_NAMES = {
    "mean_absolute_error": "mean absolute error",
    "mae": "mean absolute error",
    "loss": "loss",
    "auc": "AUC",
    "accuracy": "accuracy",
}
_CV_MEASURES = {
    "mae": "mean absolute error",
    "mse": "mean squared error",
    "deviance": "binomial deviance",
    "class": "misclassification error",
}


# ---- helpers ---------------------------------------------------------------------------


def higher_is_better(metric: str) -> bool:
    """Whether a larger value of ``metric`` (``"AUC"``, ``"MAE"``, ``"val_auc"``) is better."""
    name = metric.lower().removeprefix("val_")
    return any(name == h or name.startswith(h + "_") for h in _HIGHER)


def _colors(result) -> dict[str, Any]:
    """One colour per model, in table order, the same in every figure."""
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return {name: cmap(i % 10) for i, name in enumerate(result.models)}


def _figure(width: float = 7.5, height: float = 4.5, **kwargs: Any) -> Figure:
    return Figure(figsize=(width, height), dpi=100, layout="constrained", **kwargs)


def _need(result, attribute: str, figure: str) -> Any:
    value = getattr(result, attribute, None)
    if value is None or (isinstance(value, pd.DataFrame) and value.empty):
        raise ParameterError(
            f"result must have {attribute} for the {figure} figure; got none "
            f"(lab {getattr(result, 'lab', '?')!r})"
        )
    return value


def _task(result) -> str:
    return result.spec.task


def _need_task(result, task: str, figure: str) -> pd.DataFrame:
    predictions = _need(result, "predictions", figure)
    found = _task(result)
    if found != task:
        raise ParameterError(
            f"the {figure} figure needs a {task} lab; got lab {result.lab!r} ({found})"
        )
    return predictions


def _metric_label(metric: str) -> str:
    base = metric.removeprefix("val_")
    return _METRIC_NAMES.get(base, base.replace("_", " "))


# ---- intervals -------------------------------------------------------------------------


def model_intervals(result) -> pd.DataFrame:
    """Each model's interval metric with its 95% interval.

    Columns ``metric``, ``Model``, ``estimate``, ``low``, ``high``, ``method``. With
    repeats these are the means and corrected resampled t intervals of
    ``result.uncertainty``; with one split, percentile intervals of a bootstrap over the
    test rows (``settings.bootstrap_draws`` resamples, at most ``MAX_DRAWS``, seed 0).
    """
    spec = result.spec
    if result.repeat_scores is not None:
        frame = _uncertainty_by_metric(result, spec).set_index(["metric", "Model"])
        method = f"corrected resampled t over {result.settings.repeats} repeats"
        return pd.DataFrame(
            [
                {
                    "metric": metric,
                    "Model": name,
                    "estimate": frame.loc[(metric, name), "mean"],
                    "low": frame.loc[(metric, name), "low"],
                    "high": frame.loc[(metric, name), "high"],
                    "method": method,
                }
                for metric in spec.interval_metrics
                for name in result.models
            ]
        )
    predictions = _need(result, "predictions", "intervals")
    scorers = spec.scorers(result.settings)
    draws = min(result.settings.bootstrap_draws, MAX_DRAWS)
    rows = []
    for metric in spec.interval_metrics:
        for name in result.models:
            estimate, low, high = _bootstrap(
                predictions["y"].to_numpy(),
                predictions[name].to_numpy(),
                scorers[metric],
                draws,
            )
            rows.append(
                {
                    "metric": metric,
                    "Model": name,
                    "estimate": estimate,
                    "low": low,
                    "high": high,
                    "method": f"bootstrap over test rows, one split, {draws:,} resamples",
                }
            )
    return pd.DataFrame(rows)


def difference_intervals(result) -> pd.DataFrame:
    """Each paired difference ``a - b`` of the lab's comparisons with its 95% interval.

    Columns ``metric``, ``Comparison``, ``estimate``, ``low``, ``high``.
    """
    spec = result.spec
    frame = _uncertainty_by_metric(result, spec)
    if "Comparison" in frame:  # one split: the paired bootstrap table
        return pd.DataFrame(
            {
                "metric": frame["metric"],
                "Comparison": frame["Comparison"],
                "estimate": frame["difference"],
                "low": frame["low"],
                "high": frame["high"],
            }
        ).reset_index(drop=True)
    names = [f"{a} - {b}" for a, b in spec.comparisons]
    rows = frame[frame["Model"].isin(names)]
    return pd.DataFrame(
        {
            "metric": rows["metric"],
            "Comparison": rows["Model"],
            "estimate": rows["mean"],
            "low": rows["low"],
            "high": rows["high"],
        }
    ).reset_index(drop=True)


def _uncertainty_by_metric(result, spec) -> pd.DataFrame:
    frame = _need(result, "uncertainty", "intervals")
    if "metric" not in frame:
        frame = frame.assign(metric=spec.interval_metrics[0])
    return frame


def _bootstrap(y: np.ndarray, p: np.ndarray, scorer, draws: int, seed: int = 0):
    import sklearn

    y, p = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (y, p))
    with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
        values = bootstrap_draws(scorer, y, [p], draws, seed)[0]
        estimate = float(scorer(y, p))
    values = values[np.isfinite(values)]
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(values, [tail, 1 - tail]) if len(values) else (np.nan, np.nan)
    return estimate, float(low), float(high)


def intervals_figure(result) -> Figure:
    """Left: each model's metric with its 95% interval; right: each paired difference
    with its 95% interval and the zero line. One row of panels per interval metric."""
    models = model_intervals(result)
    diffs = difference_intervals(result)
    metrics = list(dict.fromkeys(models["metric"]))
    colors = _colors(result)
    fig = _figure(11, 1.2 + 2.6 * len(metrics))
    axes = fig.subplots(len(metrics), 2, squeeze=False)
    for row, metric in enumerate(metrics):
        better = "higher" if higher_is_better(metric) else "lower"
        _interval_panel(
            axes[row, 0],
            models[models["metric"] == metric],
            "Model",
            [colors[m] for m in models.loc[models["metric"] == metric, "Model"]],
        )
        axes[row, 0].set_xlabel(f"{metric} ({better} is better)")
        axes[row, 0].set_title(f"{metric} of each model, 95% interval", loc="left")
        part = diffs[diffs["metric"] == metric]
        _interval_panel(axes[row, 1], part, "Comparison", ["0.25"] * len(part))
        axes[row, 1].axvline(0, color="firebrick", linestyle="--", linewidth=1)
        axes[row, 1].set_xlabel(f"difference in {metric} (a - b); 0 = no difference")
        axes[row, 1].set_title("paired differences, 95% interval", loc="left")
    method = models["method"].iloc[0] if len(models) else ""
    fig.suptitle(f"Can the models be told apart? ({method})")
    return fig


def _interval_panel(ax, frame: pd.DataFrame, label: str, colors: list) -> None:
    y = np.arange(len(frame))[::-1]
    est = frame["estimate"].to_numpy(dtype=float)
    low = frame["low"].to_numpy(dtype=float)
    high = frame["high"].to_numpy(dtype=float)
    for yi, e, lo, hi, c in zip(y, est, low, high, colors, strict=True):
        if np.isfinite(lo) and np.isfinite(hi):
            ax.plot([lo, hi], [yi, yi], color=c, linewidth=2.5, solid_capstyle="butt")
        ax.plot([e], [yi], "o", color=c, markersize=7)
    ax.set_yticks(y, [_wrap(str(v)) for v in frame[label]])
    ax.set_ylim(-0.7, len(frame) - 0.3)
    ax.grid(axis="x", alpha=0.3)


def _wrap(text: str, width: int = 28) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# ---- training history -----------------------------------------------------------------


def _early_stopping(result):
    """The network's EarlyStopping callback (a fresh instance from its factory), or None."""
    network = result.estimators[result.network]
    factory = getattr(network, "callbacks", None)
    if not callable(factory):
        return None
    found = [c for c in factory() if type(c).__name__ == "EarlyStopping"]
    return found[0] if found else None


def best_epoch(result) -> int | None:
    """The epoch (1-based) whose weights the network kept, or None.

    Keras' ``EarlyStopping(restore_best_weights=True)`` restores the weights of the
    first epoch with the best monitored value at the end of training; without that
    callback the last epoch's weights are kept, and the last epoch is returned.
    """
    history = _need(result, "history", "history")
    if history.empty:
        return None
    stopper = _early_stopping(result)
    if stopper is None or not getattr(stopper, "restore_best_weights", False):
        return int(history["epoch"].iloc[-1])
    monitor = stopper.monitor
    if monitor not in history:
        return None
    values = history[monitor].to_numpy(dtype=float)
    mode = getattr(stopper, "mode", "auto")
    higher = mode == "max" or (mode == "auto" and higher_is_better(monitor))
    index = int(np.nanargmax(values) if higher else np.nanargmin(values))
    return int(history["epoch"].iloc[index])


def lr_reductions(history: pd.DataFrame) -> list[int]:
    """The first epochs (1-based) run at a lowered learning rate (ReduceLROnPlateau).

    Reads the ``learning_rate`` column Keras logs (the rate each epoch trained with); an
    epoch is listed when its rate is below the previous epoch's. Empty without that column.
    """
    if "learning_rate" not in history or len(history) < 2:
        return []
    rate = history["learning_rate"].to_numpy(dtype=float)
    lowered = np.flatnonzero(rate[1:] < rate[:-1]) + 1
    return [int(history["epoch"].iloc[i]) for i in lowered]


def history_figure(result) -> Figure:
    """The network's training and validation metric by epoch, the kept epoch marked.

    The title names the network and says what the curve is; the x-axis ends at the last
    epoch run, so an early stop is not mistaken for a plateau.
    """
    history = _need(result, "history", "history")
    metric = result.metric
    fig = _figure(8, 4.5)
    ax = fig.subplots()
    validation = "validation rows"
    if getattr(result.settings, "validation", "split") == "test":
        validation = "test rows (the notes' protocol: early stopping on them)"
    for column, label, color in (
        (metric, "training rows", "tab:blue"),
        (f"val_{metric}", validation, "tab:orange"),
    ):
        if column in history:
            ax.plot(history["epoch"], history[column], label=label, color=color)
    best = best_epoch(result)
    if best is not None:
        ax.axvline(best, color="tab:green", linestyle="--", linewidth=1.2)
        column = f"val_{metric}" if f"val_{metric}" in history else metric
        value = history.loc[history["epoch"] == best, column]
        if len(value):
            ax.plot([best], [value.iloc[0]], "o", color="tab:green", clip_on=False, zorder=5)
        ax.plot([], [], color="tab:green", linestyle="--", label=f"weights kept: epoch {best}")
    for i, epoch in enumerate(lr_reductions(history)):
        ax.axvline(epoch, color="0.5", linestyle=":", linewidth=1)
        if i == 0:
            ax.plot([], [], color="0.5", linestyle=":", label="learning rate lowered from here")
    ax.set_xlim(history["epoch"].min(), max(history["epoch"].max(), history["epoch"].min() + 1))
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel(_metric_label(metric))
    ax.set_title(f"Training history of {result.network}: {_metric_label(metric)} by epoch")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return fig


# ---- regression -----------------------------------------------------------------------


def predicted_actual_figure(result) -> Figure:
    """Each model's test prediction against the actual value, with the identity line."""
    predictions = _need_task(result, "regression", "predicted vs actual")
    names = list(result.models)
    fig = _figure(3.2 * len(names) + 0.5, 3.8)
    axes = fig.subplots(1, len(names), sharex=True, sharey=True, squeeze=False)[0]
    y = predictions["y"].to_numpy(dtype=float)
    colors = _colors(result)
    low, high = _range(y, *(predictions[n] for n in names))
    for ax, name in zip(axes, names, strict=True):
        ax.scatter(y, predictions[name], s=8, alpha=0.5, color=colors[name], rasterized=True)
        ax.plot([low, high], [low, high], color="0.3", linewidth=1)
        ax.set_title(_wrap(name, 30), fontsize="medium")
        ax.set_xlabel("actual")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("predicted")
    fig.suptitle("Test rows: predicted against actual (on the line = exact)")
    return fig


def residuals_figure(result) -> Figure:
    """Each model's residual (actual - predicted) against its fitted value, zero line."""
    predictions = _need_task(result, "regression", "residuals")
    names = list(result.models)
    fig = _figure(3.2 * len(names) + 0.5, 3.8)
    axes = fig.subplots(1, len(names), sharey=True, squeeze=False)[0]
    y = predictions["y"].to_numpy(dtype=float)
    colors = _colors(result)
    for ax, name in zip(axes, names, strict=True):
        fitted = predictions[name].to_numpy(dtype=float)
        ax.scatter(fitted, y - fitted, s=8, alpha=0.5, color=colors[name], rasterized=True)
        ax.axhline(0, color="0.3", linewidth=1)
        ax.set_title(_wrap(name, 30), fontsize="medium")
        ax.set_xlabel("fitted (predicted) value")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("residual (actual - predicted)")
    fig.suptitle("Test rows: residuals against fitted values (no pattern = good)")
    return fig


def _range(*arrays) -> tuple[float, float]:
    values = np.concatenate([np.asarray(a, dtype=float) for a in arrays])
    values = values[np.isfinite(values)]
    return float(values.min()), float(values.max())


# ---- classification -------------------------------------------------------------------


def roc_figure(result) -> Figure:
    """The ROC curve of every model on the test rows, AUC in the legend."""
    from sklearn.metrics import roc_auc_score, roc_curve

    predictions = _need_task(result, "classification", "ROC")
    y = predictions["y"].to_numpy()
    fig = _figure(5.5, 5)
    ax = fig.subplots()
    colors = _colors(result)
    for name in result.models:
        fpr, tpr, _ = roc_curve(y, predictions[name])
        auc = roc_auc_score(y, predictions[name])
        ax.plot(fpr, tpr, color=colors[name], label=f"{name} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="chance")
    ax.set_xlabel("false positive rate (1 - specificity)")
    ax.set_ylabel("true positive rate (sensitivity)")
    ax.set_title("ROC curves on the test rows")
    ax.set_aspect("equal")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def calibration_figure(result, n_bins: int = 5) -> Figure:
    """Observed share of class 1 (named as the lab names it, e.g. Hit) against the mean
    predicted probability, per bin of equal size (quantiles), for every model; the
    diagonal is perfect calibration."""
    from sklearn.calibration import calibration_curve

    from nnlabs.validation import check_int

    check_int("n_bins", n_bins, minimum=2)
    predictions = _need_task(result, "classification", "calibration")
    y = predictions["y"].to_numpy()
    fig = _figure(5.5, 5)
    ax = fig.subplots()
    colors = _colors(result)
    for name in result.models:
        observed, predicted = calibration_curve(
            y, predictions[name], n_bins=n_bins, strategy="quantile"
        )
        ax.plot(predicted, observed, "o-", color=colors[name], label=name)
    ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="perfect")
    positive = _class_names(result)[1]
    ax.set_xlabel(f"mean predicted probability of {positive} (bin)")
    ax.set_ylabel(f"observed share of {positive} (bin)")
    ax.set_title(f"Calibration on the test rows ({n_bins} bins of equal size)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.legend(loc="upper left", fontsize="small")
    ax.grid(alpha=0.3)
    return fig


def confusion_figure(result) -> Figure:
    """Each model's confusion matrix (predicted x actual) at the lab's threshold."""
    predictions = _need_task(result, "classification", "confusion matrix")
    threshold = float(getattr(result.settings, "threshold", 0.5))
    names = list(result.models)
    classes = _class_names(result)
    fig = _figure(3.3 * len(names) + 0.4, 3.6)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    y = predictions["y"].to_numpy().astype(int)
    for ax, name in zip(axes, names, strict=True):
        predicted = (predictions[name].to_numpy() > threshold).astype(int)
        counts = np.array([[np.sum((predicted == i) & (y == j)) for j in (0, 1)] for i in (0, 1)])
        ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(int(counts.max()), 1))
        for i in (0, 1):
            for j in (0, 1):
                dark = counts[i, j] > counts.max() / 2
                ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                        color="white" if dark else "black", fontsize="large")  # fmt: skip
        ax.set_xticks([0, 1], classes)
        ax.set_yticks([0, 1], classes)
        ax.set_xlabel("actual")
        ax.set_ylabel("predicted")
        accuracy = float(np.mean(predicted == y))
        ax.set_title(f"{_wrap(name, 30)}\naccuracy {accuracy:.1%}", fontsize="medium")
    fig.suptitle(f"Confusion matrices on the test rows (threshold {threshold:g})")
    return fig


def _class_names(result) -> list[str]:
    """The class names of 0 and 1, from the lab's confusion tables when it has them."""
    tables = result.extras.get("confusion")
    if isinstance(tables, dict) and tables:
        table = next(iter(tables.values()))
        if isinstance(table, pd.DataFrame) and len(table.columns) == 2:
            return [str(c) for c in table.columns]
    return ["0", "1"]


# ---- the Lasso's cross-validation curve -------------------------------------------------


def lasso_models(result) -> dict[str, Any]:
    """The fitted glmnet-style CV models of the result (``lambdas_``, ``cv_mean_``...)."""
    return {n: m for n, m in result.estimators.items() if hasattr(m, "cv_mean_")}


def lasso_cv_figure(result) -> Figure:
    """Cross-validated error against log(lambda) with one-standard-error bars, lambda.min
    and lambda.1se marked, and the number of nonzero coefficients on the top axis, as
    R's ``plot(cv.glmnet)`` draws it (the first Lasso of the result)."""
    found = lasso_models(result)
    if not found:
        raise ParameterError(
            f"result must have a cross-validated Lasso for the Lasso CV figure; got models "
            f"{list(result.models)}"
        )
    name, lasso = next(iter(found.items()))
    log_lambda = np.log(lasso.lambdas_)
    fig = _figure(7.5, 4.8)
    ax = fig.subplots()
    ax.errorbar(log_lambda, lasso.cv_mean_, yerr=lasso.cv_se_, fmt="o", color="firebrick",
                ecolor="0.6", markersize=3.5, elinewidth=1, capsize=2)  # fmt: skip
    for value, label in ((lasso.lambda_min_, "lambda.min"), (lasso.lambda_1se_, "lambda.1se")):
        ax.axvline(np.log(value), color="0.3", linestyle="--", linewidth=1)
        ax.text(np.log(value), 1.0, f" {label}", transform=ax.get_xaxis_transform(),
                rotation=90, va="top", ha="right", fontsize="small")  # fmt: skip
    ax.set_xlabel("log(lambda)")
    measure = _CV_MEASURES.get(lasso.measure_, lasso.measure_)
    ax.set_ylabel(f"{measure} ({len(np.unique(lasso.fold_ids_))}-fold CV)")
    nonzero = _nonzero(lasso)
    if nonzero is not None:
        top = ax.secondary_xaxis("top")
        picks = np.unique(np.linspace(0, len(log_lambda) - 1, 8).round().astype(int))
        top.set_xticks(log_lambda[picks], [str(int(nonzero[i])) for i in picks])
        top.set_xlabel("nonzero coefficients")
    ax.set_title(f"{name}: cross-validation curve", loc="left")
    ax.grid(alpha=0.3)
    return fig


def _nonzero(lasso) -> np.ndarray | None:
    path = getattr(lasso, "path_", None)
    if path is None or not hasattr(path, "at"):
        return None
    coef, _ = path.at(lasso.lambdas_)
    return (np.abs(np.asarray(coef)) > 0).sum(axis=0)


# ---- explanations ---------------------------------------------------------------------


def importance_figure(result, top: int = 10) -> Figure:
    """Permutation importance of each model's ``top`` inputs (mean worsening of the
    metric when the input is shuffled, +- one sd over the shuffles)."""
    from nnlabs.validation import check_int

    check_int("top", top, minimum=1)
    importance = _need(result, "importance", "permutation importance")
    names = list(dict.fromkeys(importance["Model"]))
    colors = _colors(result)
    fig = _figure(3.4 * len(names) + 0.6, 0.5 + 0.32 * min(top, _most(importance)) + 1.2)
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names, strict=True):
        part = importance[importance["Model"] == name]
        part = part.sort_values("importance", ascending=False).head(top)[::-1]
        ax.barh(part["feature"].astype(str), part["importance"], xerr=part["sd"],
                color=colors.get(name, "tab:blue"), ecolor="0.4", capsize=2)  # fmt: skip
        ax.axvline(0, color="0.3", linewidth=0.8)
        ax.set_title(_wrap(name, 30), fontsize="medium")
        ax.set_xlabel(f"worsening of {part['metric'].iloc[0]}" if len(part) else "")
        ax.grid(axis="x", alpha=0.3)
    metric = importance["metric"].iloc[0]
    fig.suptitle(f"Permutation importance on test rows: how much worse {metric} gets "
                 f"when an input is shuffled")  # fmt: skip
    return fig


def _most(importance: pd.DataFrame) -> int:
    return int(importance.groupby("Model").size().max())


def shap_figure(result, top: int = 10) -> Figure:
    """SHAP summary of the saved network: for its ``top`` inputs (by mean |SHAP|), each
    explained test row's SHAP value, coloured by the input's value (low blue, high red).

    An input's SHAP value per row is the sum over its design columns (a factor's
    dummies); its colour is its value, or grey for a factor (several design columns,
    whose levels have no order), marked "(factor)".
    """
    from nnlabs.validation import check_int

    check_int("top", top, minimum=1)
    shap = _need(result, "shap", "SHAP")
    part = shap[shap["Model"] == result.network]
    if part.empty:
        part = shap[shap["Model"] == shap["Model"].iloc[0]]
    network = part["Model"].iloc[0]
    per_row = part.groupby(["feature", "row"], sort=False).agg(
        shap=("shap", "sum"), value=("value", "first"), columns=("column", "size")
    )
    order = per_row["shap"].abs().groupby(level="feature").mean().sort_values(ascending=False)
    features = list(order.index[:top])[::-1]
    fig = _figure(7.5, 0.9 + 0.38 * len(features) + 0.8)
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    points = None
    for i, feature in enumerate(features):
        rows = per_row.loc[feature]
        value = rows["value"].to_numpy(dtype=float)
        span = np.ptp(value)
        factor = bool((rows["columns"] > 1).any())
        if factor or span == 0:
            colour = np.full(len(value), 0.5)
        else:
            colour = (value - value.min()) / span
        jitter = rng.uniform(-0.18, 0.18, len(rows))
        points = ax.scatter(rows["shap"], i + jitter, c=colour, cmap="coolwarm", vmin=0,
                            vmax=1, s=14, alpha=0.85)  # fmt: skip
    ax.axvline(0, color="0.3", linewidth=0.8)
    factors = set(per_row.index.get_level_values("feature")[per_row["columns"].to_numpy() > 1])
    ax.set_yticks(range(len(features)), [f"{f} (factor)" if f in factors else f for f in features])
    ax.set_xlabel("SHAP value (effect on the prediction)")
    n_rows = part["row"].nunique()
    ax.set_title(f"SHAP summary of {network} ({n_rows} test rows explained)", loc="left")
    if points is not None:
        bar = fig.colorbar(points, ax=ax, ticks=[0, 1], pad=0.01)
        bar.ax.set_yticklabels(["low", "high"])
        bar.set_label("input value")
    ax.grid(axis="x", alpha=0.3)
    return fig


# ---- all of them, and writing them out ---------------------------------------------------


def lab_figures(result) -> dict[str, Figure]:
    """Every figure the result has the data for, by name, in the report's order."""
    makers: dict[str, Any] = {"intervals": intervals_figure, "history": history_figure}
    task = _task(result) if result.predictions is not None else None
    if task == "regression":
        makers.update(predicted_actual=predicted_actual_figure, residuals=residuals_figure)
    elif task == "classification":
        makers.update(roc=roc_figure, calibration=calibration_figure, confusion=confusion_figure)
    if lasso_models(result):
        makers["lasso_cv"] = lasso_cv_figure
    if result.importance is not None and not result.importance.empty:
        makers["importance"] = importance_figure
    if result.shap is not None and not result.shap.empty:
        makers["shap"] = shap_figure
    return {name: make(result) for name, make in makers.items()}


def figure_svg(fig: Figure) -> str:
    """The figure as an inline SVG element (text kept as paths, no external font)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "nnlabs"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def save_png(fig: Figure, path: str | Path, *, dpi: int = 110) -> Path:
    """Write the figure as a PNG at ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=dpi)
    return Path(path)


__all__ = [
    "best_epoch",
    "calibration_figure",
    "confusion_figure",
    "difference_intervals",
    "figure_svg",
    "higher_is_better",
    "history_figure",
    "importance_figure",
    "intervals_figure",
    "lab_figures",
    "lasso_cv_figure",
    "lasso_models",
    "lr_reductions",
    "model_intervals",
    "predicted_actual_figure",
    "residuals_figure",
    "roc_figure",
    "save_png",
    "shap_figure",
]
