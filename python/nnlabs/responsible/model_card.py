"""A model card per lab run (§11.16.2, "Documentation and transparency"), as data and Markdown.

The card documents what the notes ask for: (1) the training data, its source and
exclusions; (2) the architecture and training procedure; (3) held-out metrics,
disaggregated by subgroup; (4) known failure modes. It is generated from the run (the
settings, the fitted network, the table, intervals, subgroup tables and verdict), plus
the lab's own entries (``LabSpec.model_card``): its data description, exclusions and
failure modes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from nnlabs.evaluation.explain import shap_summary

if TYPE_CHECKING:  # read, not imported (see nnlabs.responsible)
    from nnlabs.labs.spec import LabSpec

CAVEAT = (
    "Permutation importance and SHAP values explain the model's predictions, not the "
    "process that generated the data: a large value says the model relies on an input, "
    "not that the input causes the outcome (§11.16.2)."
)


def build_card(spec: LabSpec, result) -> dict[str, Any]:
    """The card of ``result`` as a JSON-ready dict (sections in the notes' order)."""
    own = spec.model_card(result) if spec.model_card is not None else {}
    settings = result.settings
    e = result.extras
    network = result.estimators[result.network]
    card: dict[str, Any] = {
        "lab": result.lab,
        "title": result.title,
        "model": result.network,
        "compared_with": [m for m in result.models if m != result.network],
        "data": {
            "source": own.get("source", e.get("source", "see the lab's documentation")),
            "description": own.get("data", ""),
            "rows": int(e.get("n_train", 0)) + int(e.get("n_test", 0)),
            "training_rows": e.get("n_train"),
            "test_rows": e.get("n_test"),
            "exclusions": list(own.get("exclusions", [])),
        },
        "architecture": _architecture(settings, network),
        "training": _training(settings, result),
        "metrics": _records(result.table),
        "intervals": _records(result.uncertainty),
        "subgroups": _records(_subgroup_view(result)),
        "fairness": _records(getattr(result, "fairness", None)),
        "verdict": [] if result.verdict is None else list(result.verdict["text"]),
        "explanations": _explanations(result),
        "failure_modes": list(own.get("failure_modes", [])),
        "intended_use": own.get("intended_use", "Teaching: the labs of §11.11."),
        "caveats": [CAVEAT],
        "compute": {
            "fit_seconds": e.get("fit_seconds", {}),
            "analysis_seconds": e.get("analysis_seconds", {}),
        },
    }
    return card


def _architecture(settings, network) -> dict[str, Any]:
    out: dict[str, Any] = {"hidden_units": list(settings.units)}
    for name in ("dropout", "batch_norm", "embedding_dim"):
        if hasattr(settings, name):
            value = getattr(settings, name)
            out[name] = list(value) if isinstance(value, tuple) else value
    keras_model = getattr(network, "model_", None)
    if keras_model is not None:
        out["parameters"] = int(keras_model.count_params())
        out["layers"] = [layer.__class__.__name__ for layer in keras_model.layers]
    return out


def _training(settings, result) -> dict[str, Any]:
    validation = (
        f"last {settings.validation_fraction:.0%} of the training rows"
        if settings.validation == "split"
        else "the test rows (the notes' protocol; biases the test metric)"
    )
    out = {
        "optimizer": f"Adam, learning rate {settings.learning_rate:g}",
        "max_epochs": settings.epochs,
        "epochs_run": len(result.history),
        "batch_size": settings.batch_size,
        "validation": validation,
        "early_stopping_patience": getattr(settings, "patience", None),
        "scaling": settings.scaling,
        "seed": settings.network_seed,
        "repeats": settings.repeats,
    }
    return out


def _subgroup_view(result) -> pd.DataFrame | None:
    frame = getattr(result, "subgroups", None)
    if frame is None or frame.empty:
        return None
    return frame


def _explanations(result) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if getattr(result, "importance", None) is not None:
        imp = result.importance
        top = imp[imp["Model"] == result.network].head(5)
        out["importance_top"] = _records(top[["feature", "importance", "sd", "metric"]])
    if getattr(result, "shap", None) is not None:
        summary = shap_summary(result.shap)
        part = result.shap[result.shap["Model"] == result.network]
        out["shap_top"] = _records(summary[summary["Model"] == result.network].head(5))
        if len(part):
            out["shap_max_local_error"] = float(part["max_local_error"].max())
    return out


def _records(frame) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


# ---- Markdown -------------------------------------------------------------------------


def render_markdown(card: dict[str, Any], digits: int = 3) -> str:
    """The card as a one-page Markdown document."""
    d = card["data"]
    lines = [
        f"# Model card: {card['lab']}",
        "",
        f"*{card['title']}*",
        "",
        f"Model documented: **{card['model']}**; compared with "
        f"{', '.join(card['compared_with']) or 'nothing'}.",
        f"Intended use: {card['intended_use']}",
        "",
        "## 1. Training data",
        "",
        f"- Source: {d['source']}",
    ]
    if d.get("description"):
        lines.append(f"- {d['description']}")
    lines.append(
        f"- Rows: {d['rows']:,} ({_n(d['training_rows'])} training, {_n(d['test_rows'])} test)"
    )
    lines += [f"- Exclusion: {x}" for x in d["exclusions"]]
    a, t = card["architecture"], card["training"]
    lines += [
        "",
        "## 2. Architecture and training",
        "",
        f"- Hidden units: {a['hidden_units']}"
        + "".join(f"; {k}: {a[k]}" for k in ("dropout", "batch_norm", "embedding_dim") if k in a),
    ]
    if "parameters" in a:
        lines.append(f"- Parameters: {a['parameters']:,}")
    lines += [
        f"- {t['optimizer']}; batch size {t['batch_size']}; at most {t['max_epochs']} epochs, "
        f"{t['epochs_run']} run"
        + (
            f"; early stopping patience {t['early_stopping_patience']}"
            if t["early_stopping_patience"]
            else ""
        ),
        f"- Validation (early stopping): {t['validation']}; scaling: {t['scaling']}; "
        f"seed {t['seed']}; repeats {t['repeats']}",
        "",
        "## 3. Held-out metrics",
        "",
        _table(card["metrics"], digits),
    ]
    if card["intervals"]:
        lines += ["", "95% intervals:", "", _table(card["intervals"], digits)]
    if card["verdict"]:
        lines += ["", "The notes' rule (Table 11.37, gap under 5%: use the simpler model):", ""]
        lines += [f"- {v}" for v in card["verdict"]]
    if card["subgroups"]:
        lines += [
            "",
            "### By subgroup",
            "",
            "Groups with `small` = True have too few test rows for a reliable metric.",
            "",
            _table(card["subgroups"], digits),
        ]
    if card["fairness"]:
        lines += [
            "",
            "### Fairness (Table 11.38), differences between groups",
            "",
            _table(card["fairness"], digits),
        ]
    ex = card["explanations"]
    if ex:
        lines += ["", "### What the model relies on", ""]
        if ex.get("importance_top"):
            lines += ["Permutation importance (top 5):", "", _table(ex["importance_top"], digits)]
        if ex.get("shap_top"):
            lines += ["", "Mean |SHAP| (top 5):", "", _table(ex["shap_top"], digits)]
        if "shap_max_local_error" in ex:
            lines.append(
                f"\nSHAP local accuracy: largest |base + sum - prediction| = "
                f"{ex['shap_max_local_error']:.2e}"
            )
    lines += ["", "## 4. Known failure modes", ""]
    lines += [f"- {x}" for x in card["failure_modes"]] or ["- none recorded"]
    lines += ["", "## Caveats", ""] + [f"- {x}" for x in card["caveats"]]
    c = card["compute"]
    if c["fit_seconds"] or c["analysis_seconds"]:
        lines += ["", "## Compute", ""]
        lines += [f"- fit {k}: {v:.1f} s" for k, v in c["fit_seconds"].items()]
        lines += [f"- analysis {k}: {v:.1f} s" for k, v in c["analysis_seconds"].items()]
    return "\n".join(lines) + "\n"


def _n(value) -> str:
    return "?" if value is None else f"{value:,}"


def _table(records: list[dict[str, Any]], digits: int) -> str:
    if not records:
        return "(none)"
    columns = list(records[0])
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(_cell(r.get(c), digits) for c in columns) + " |" for r in records]
    return "\n".join([head, rule, *body])


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:,.{digits}f}"
    return str(value).replace("|", "/")
