"""What every lab answers of §11.16: explanations, subgroups, the 5% verdict, a model card.

Two hooks of the runner call this module, apart from its loop over repeats:

* ``analyze_split(spec, context)`` on the first split: permutation importance of every
  model and SHAP values of the networks on test rows (``settings.explain``), metrics by
  subgroup and, for a classifier, Table 11.38's fairness differences
  (``settings.disaggregate``);
* ``finish(spec, result, first)`` once the result is assembled: the verdict of the notes'
  rule and the model card.

The verdict. Table 11.37: "Is the performance gap between neural network and best
linear model < 5%? Use the linear model"; §11.16.1 adds gradient-boosted trees as the
baseline for tabular data. For each network, the best simpler model (every model of the
table that is not a network: LM, Lasso, gradient-boosted trees) is the one with the
better mean metric over the repeats (on the first split with one repeat). The relative
gap is the network's improvement over it, as a fraction of the simpler model's metric:
``(simpler - network) / simpler`` for an error (MAE), ``(network - simpler) / simpler``
for a score. Classification labs use the AUC: it does not depend on the 0.5 threshold,
it is what the notes' own rule names ("if a logistic regression achieves the same AUC
as your neural network ... deploy the logistic regression"), and accuracy on a small
test set moves in steps of one row (1.2% of 83 movies). The interval is the corrected
resampled t interval over the repeats' gaps, or with one split a paired bootstrap of
the gap over the test rows. Under 5% (the whole interval): use the simpler model; at
least 5% (the whole interval): the network passes the rule; an interval across 5% is
reported as undecided rather than resolved by the point estimate.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import sklearn

from nnlabs.design.transformers import design_columns
from nnlabs.evaluation.explain import permutation_importance, prediction_function, shap_values
from nnlabs.evaluation.fairness import fairness_table, subgroup_metrics
from nnlabs.evaluation.intervals import bootstrap_draws, summarize_repeats

if TYPE_CHECKING:  # the declaration is read, not imported: the labs import this module
    from nnlabs.labs.spec import LabSpec, SplitContext

THRESHOLD = 0.05  # the notes' "< 5%"
LEVEL = 0.95


def primary_metric(spec: LabSpec) -> tuple[str, bool]:
    """The metric the verdict and the importance use, and whether greater is better.

    Regression: the first interval metric (MAE), lower is better. Classification: AUC
    when the lab scores it (see the module docstring), higher is better.
    """
    if spec.task == "classification":
        names = list(spec.scorers(spec.settings()))
        return ("AUC" if "AUC" in names else spec.interval_metrics[0]), True
    return spec.interval_metrics[0], False


def network_names(spec: LabSpec) -> list[str]:
    """The lab's networks: the saved one first, then any other."""
    others = [n for n, m in spec.models.items() if m.network and n != spec.network]
    return [spec.network, *others]


def simpler_names(spec: LabSpec) -> list[str]:
    """The models the 5% rule compares a network with: every model that is not a network."""
    return [n for n, m in spec.models.items() if not m.network]


# ---- the first split -----------------------------------------------------------------


def analyze_split(spec: LabSpec, context: SplitContext) -> dict[str, Any]:
    """Importance, SHAP, subgroup and fairness tables of one split (as DataFrames).

    Returns a dict with ``importance``, ``shap``, ``subgroups``, ``fairness`` (each a
    DataFrame or None when switched off or not applicable) and ``seconds`` (time of
    each part).
    """
    settings = context.settings
    out: dict[str, Any] = {"seconds": {}}
    if settings.explain:
        start = time.perf_counter()
        out["importance"] = _importance(spec, context)
        out["seconds"]["importance"] = time.perf_counter() - start
        start = time.perf_counter()
        out["shap"] = _shap(spec, context)
        out["seconds"]["shap"] = time.perf_counter() - start
    if settings.disaggregate and spec.subgroups is not None:
        start = time.perf_counter()
        groups = spec.subgroups(context.data, context.split)
        out["subgroups"] = _subgroups(spec, context, groups)
        if spec.task == "classification":
            out["fairness"] = fairness_table(
                context.design.y_test,
                context.predictions,
                groups,
                threshold=getattr(settings, "threshold", 0.5),
                n_boot=settings.fairness_draws,
                seed=settings.seed,
                min_group_size=settings.min_group_size,
            )
        out["seconds"]["subgroups"] = time.perf_counter() - start
    return out


def _columns(spec: LabSpec, context: SplitContext, name: str, width: int):
    """Design-column names and the raw input each comes from, for model ``name``'s
    matrix (from its fitted design); ``x[0]``, ``x[1]``... when the design does not say."""
    input_name = spec.models[name].input
    design = context.designs.get(input_name)
    names, inputs = design_columns(design) if design is not None else ([], [])
    if len(names) != width:
        generic = [f"{input_name}[{j}]" for j in range(width)]
        return generic, generic
    return names, inputs


def _sample(n: int, size: int | None, seed: int) -> np.ndarray:
    if size is None or size >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=size, replace=False))


def _importance(spec: LabSpec, context: SplitContext) -> pd.DataFrame:
    settings = context.settings
    metric_name, greater = primary_metric(spec)
    metric = spec.scorers(settings)[metric_name]
    rows = _sample(len(context.design.y_test), settings.importance_rows, settings.seed)
    y = context.design.y_test[rows]
    blocks = []
    for name, model in context.models.items():
        x = context.design.test[spec.models[name].input][rows]
        table = permutation_importance(
            prediction_function(model, spec.task),
            x,
            y,
            metric,
            inputs=_columns(spec, context, name, x.shape[1])[1],
            greater_is_better=greater,
            n_repeats=settings.importance_repeats,
            seed=settings.seed,
        )
        table.insert(0, "Model", name)
        table.insert(1, "rank", np.arange(1, len(table) + 1))
        blocks.append(table.assign(metric=metric_name, rows=len(rows)))
    return pd.concat(blocks, ignore_index=True)


def _shap(spec: LabSpec, context: SplitContext) -> pd.DataFrame:
    """Long form: one row per (network, explained test row, column)."""
    settings = context.settings
    test_rows = _sample(len(context.design.y_test), settings.shap_rows, settings.seed)
    blocks = []
    for name in network_names(spec):
        input_name = spec.models[name].input
        train = context.design.train[input_name]
        background = train[_sample(len(train), settings.shap_background, settings.seed + 1)]
        x = context.design.test[input_name][test_rows]
        design_names, inputs = _columns(spec, context, name, x.shape[1])
        found = shap_values(
            prediction_function(context.models[name], spec.task),
            x,
            background,
            columns=design_names,
            samples=settings.shap_samples,
            seed=settings.seed,
        )
        values = found["values"].to_numpy()
        m, p = values.shape
        blocks.append(
            pd.DataFrame(
                {
                    "Model": name,
                    "row": np.repeat(context.split.test[test_rows], p),
                    "column": np.tile(design_names, m),
                    "feature": np.tile(inputs, m),
                    "value": x.reshape(-1),
                    "shap": values.reshape(-1),
                    "base_value": np.repeat(found["base_values"], p),
                    "prediction": np.repeat(found["prediction"], p),
                    "max_local_error": found["max_local_error"],
                    "background_rows": len(background),
                    "samples": found["samples"],
                    "seconds": found["seconds"],
                }
            )
        )
    return pd.concat(blocks, ignore_index=True)


def _subgroups(spec: LabSpec, context: SplitContext, groups: pd.DataFrame) -> pd.DataFrame:
    scorers = spec.scorers(context.settings)
    metrics = {m: scorers[m] for m in spec.interval_metrics}
    return subgroup_metrics(
        context.design.y_test,
        context.predictions,
        groups,
        metrics,
        min_group_size=context.settings.min_group_size,
    )


# ---- after the repeats -----------------------------------------------------------------


def verdict(spec: LabSpec, result, first) -> pd.DataFrame:
    """The notes' 5% rule for each network: one row per network (see the module docstring).

    Columns: ``network``, ``simpler`` (the best simpler model), ``metric``,
    ``network_value``, ``simpler_value`` (means over repeats, or the first split),
    ``relative_gap``, ``low``, ``high``, ``method``, ``threshold``, ``decision`` (one of
    ``"use the simpler model"``, ``"the network passes"``, ``"undecided"``) and ``text``.
    """
    metric, greater = primary_metric(spec)
    simpler = simpler_names(spec)
    settings = result.settings
    if not simpler:
        return pd.DataFrame()
    repeats = result.repeat_scores
    if repeats is not None:
        means = repeats.groupby("Model")[metric].mean()
    else:
        means = first.scores.set_index("Model")[metric]
    best = means[simpler].idxmax() if greater else means[simpler].idxmin()
    rows = []
    for network in network_names(spec):
        if repeats is not None:
            wide = repeats.pivot(index="repeat", columns="Model", values=metric)
            gaps = _gap(wide[network].to_numpy(), wide[best].to_numpy(), greater)
            frame = pd.DataFrame({"repeat": wide.index, "Model": "gap", metric: gaps})
            n = first.extras["n_train"] + first.extras["n_test"]
            summary = summarize_repeats(
                frame, metric, comparisons=[], test_fraction=first.extras["n_test"] / n
            ).iloc[0]
            gap, low, high = float(summary["mean"]), float(summary["low"]), float(summary["high"])
            method = f"corrected resampled t over {len(wide)} repeats"
        else:
            scorer = spec.scorers(settings)[metric]
            gap, low, high = _bootstrap_gap(
                first.y_test,
                first.predictions[network],
                first.predictions[best],
                scorer,
                greater,
                settings.bootstrap_draws,
            )
            method = "paired bootstrap over test rows (one split)"
        decision, text = _decide(network, best, gap, low, high, metric)
        rows.append(
            {
                "network": network,
                "simpler": best,
                "metric": metric,
                "network_value": float(means[network]),
                "simpler_value": float(means[best]),
                "relative_gap": gap,
                "low": low,
                "high": high,
                "method": method,
                "threshold": THRESHOLD,
                "decision": decision,
                "text": text,
            }
        )
    return pd.DataFrame(rows)


def _gap(network: np.ndarray, simpler: np.ndarray, greater: bool) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (network - simpler) / simpler if greater else (simpler - network) / simpler


def _bootstrap_gap(y, pred_net, pred_simple, scorer, greater, n_boot, seed=0):
    y, a, b = (np.asarray(v, dtype=np.float64).reshape(-1) for v in (y, pred_net, pred_simple))
    observed = float(_gap(np.array([scorer(y, a)]), np.array([scorer(y, b)]), greater)[0])
    # Thousands of calls where a scorer has no row-wise form: scikit-learn's validation
    # would dominate.
    with sklearn.config_context(skip_parameter_validation=True, assume_finite=True):
        scores = bootstrap_draws(scorer, y, (a, b), n_boot, seed)
    return observed, *_percentiles(_gap(scores[0], scores[1], greater))


def _percentiles(draws: np.ndarray) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if not len(draws):
        return float("nan"), float("nan")
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(draws, [tail, 1 - tail])
    return float(low), float(high)


def _decide(network: str, simpler: str, gap: float, low: float, high: float, metric: str):
    # gap > 0: the network is better than the simpler model by that fraction of its metric;
    # a signed "improvement" reads right both ways ("better by -24.8%" did not).
    head = (
        f"{network} vs {simpler} (the best simpler model), {metric}: "
        f"the network's improvement {gap:+.1%}"
    )
    if np.isfinite(low) and np.isfinite(high):
        head += f" [95% interval {low:+.1%}, {high:+.1%}]"
        if high < THRESHOLD:
            return "use the simpler model", f"{head}; under 5%: use the simpler model ({simpler})."
        if low >= THRESHOLD:
            return "the network passes", f"{head}; at least 5%: the network passes the rule."
        return "undecided", (
            f"{head}; the interval straddles 5%: the data do not decide between the "
            f"network and {simpler}."
        )
    if gap < THRESHOLD:
        return "use the simpler model", f"{head} (no interval); under 5%: use {simpler}."
    return "the network passes", f"{head} (no interval); at least 5%: the network passes."


def finish(spec: LabSpec, result, first) -> None:
    """Set ``result.verdict`` and ``result.model_card`` (after the repeats)."""
    from nnlabs.responsible.model_card import build_card

    start = time.perf_counter()
    result.verdict = verdict(spec, result, first)
    result.model_card = build_card(spec, result)
    seconds = dict(result.extras.get("analysis_seconds", {}))
    seconds["verdict_and_card"] = time.perf_counter() - start
    result.extras["analysis_seconds"] = seconds


def with_fields(result, analysis: dict[str, Any]):
    """Copy a split's analysis tables onto the result."""
    for name in ("importance", "shap", "subgroups", "fairness"):
        setattr(result, name, analysis.get(name))
    result.extras["analysis_seconds"] = dict(analysis.get("seconds", {}))
    return result


__all__ = [
    "THRESHOLD",
    "analyze_split",
    "finish",
    "network_names",
    "primary_metric",
    "simpler_names",
    "verdict",
]
