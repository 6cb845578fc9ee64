"""The result every lab returns: its table and analyses, its fitted lab; printed and saved.

The result imports no renderer: its figures and report are functions of it in
``nnlabs.presentation``.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from nnlabs.io import atomic_write_text, json_records, jsonable, make_writable_dir
from nnlabs.responsible.model_card import render_markdown


@dataclass
class LabResult:
    """A lab's outcome.

    Attributes:
        lab: the lab's name (``"hitters"``).
        title: a one-line caption, as the notes' table caption.
        table: the comparison table in the notes' shape (one row per model) on the
            first split.
        history: the network's training history on that split (one row per epoch).
        models: each model of the table (by name) as a fitted pipeline from the lab's
            raw rows (``sklearn.pipeline.Pipeline``: ``"schema"``, ``"design"``,
            ``"model"``); ``models[name]["model"]`` is the estimator itself.
        settings: the frozen settings dataclass the lab ran with.
        network: the key in ``models`` of the Keras network that is saved and plotted.
        metric: the history column plotted (``"mean_absolute_error"``...).
        uncertainty: intervals: a paired bootstrap on one split, or the repeats summary.
        repeat_scores: per-repeat scores (columns ``repeat``, ``Model``, metrics).
        extras: lab-specific tables (confusion matrices, nested R², ...).
        files: paths written by ``save`` (and the figures and report written beside).
        digits: decimals shown when printing, as the notes round (1 for Hitters).
        footer: lines printed under the intervals (the lab's own notes).
        importance: permutation importance of every model on test rows (one row per
            model and input: ``importance`` mean worsening of the metric, ``sd``).
        shap: SHAP values of the networks, long form (one row per network, explained
            test row and design column; ``base_value + sum(shap) = prediction``).
        subgroups: each model's metrics by subgroup, with ``n`` and a ``small`` flag.
        fairness: a classifier's Table 11.38 differences between groups, with intervals.
        verdict: the notes' 5% rule for each network (``nnlabs.responsible.analysis``).
        model_card: the run's model card as a dict (``nnlabs.responsible.model_card``).
        predictions: the first split's test rows: ``row`` (index in the lab's rows),
            ``y`` (the response) and one column per model with its prediction
            (P(class 1) for a classifier); what the report's figures are drawn from.
        spec: the ``LabSpec`` the lab was run from (its task, metrics, comparisons and
            the notes' figures, which the figures and the report read).
        fitted: the first split's ``FittedLab``: the models as pipelines from raw rows,
            their row schema; ``predict`` and ``save`` use it.
        test_data: the first split's test rows as loaded (the raw columns and the
            response), in ``predictions`` order: ``predict(test_data)`` gives
            ``predictions``' model columns.
        timings: wall seconds by phase of the run (``data``, ``design``, ``fit`` by
            model, ``analyses``, ``splits``, ``intervals``, ``verdict_and_card``,
            ``save``; ``report`` once ``write_run`` has written it).
    """

    lab: str
    title: str
    table: pd.DataFrame
    history: pd.DataFrame
    models: dict[str, Any]
    settings: Any
    network: str
    metric: str
    uncertainty: pd.DataFrame | None = None
    repeat_scores: pd.DataFrame | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    digits: int = 4
    footer: list[str] = field(default_factory=list)
    importance: pd.DataFrame | None = None
    shap: pd.DataFrame | None = None
    subgroups: pd.DataFrame | None = None
    fairness: pd.DataFrame | None = None
    verdict: pd.DataFrame | None = None
    model_card: dict[str, Any] | None = None
    predictions: pd.DataFrame | None = None
    spec: Any = None
    fitted: Any = None
    test_data: pd.DataFrame | None = None
    timings: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [self.title, _format(self.table, self.digits)]
        if self.verdict is not None and len(self.verdict):
            parts += [f"Verdict: {text}" for text in self.verdict["text"]]
        if self.uncertainty is not None:
            parts += ["", "Uncertainty (95% intervals):", _format(self.uncertainty, self.digits)]
        if self.footer:
            parts += ["", *self.footer]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"<LabResult {self.lab}: {len(self.table)} models>\n{self}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the table, history, intervals, extras and settings."""
        out: dict[str, Any] = {
            "lab": self.lab,
            "title": self.title,
            "settings": jsonable(dataclasses.asdict(self.settings)),
            "table": json_records(self.table),
            "history": json_records(self.history),
        }
        if self.uncertainty is not None:
            out["uncertainty"] = json_records(self.uncertainty)
        if self.repeat_scores is not None:
            out["repeat_scores"] = json_records(self.repeat_scores)
        out["extras"] = {k: jsonable(v) for k, v in self.extras.items()}
        for name in ("importance", "shap", "subgroups", "fairness", "verdict"):
            value = getattr(self, name)
            if value is not None:
                out[name] = json_records(value)
        if self.model_card is not None:
            out["model_card"] = jsonable(self.model_card)
        out["timings"] = jsonable(self.timings)
        return out

    @property
    def estimators(self) -> dict[str, Any]:
        """Each model's fitted estimator (the last step of its pipeline), by name."""
        return {name: pipe["model"] for name, pipe in self.models.items()}

    def predict(self, rows: pd.DataFrame, model=None, type: str | None = None) -> pd.DataFrame:
        """Predict new raw ``rows`` with the lab's models (``FittedLab.predict``).

        ``rows`` has the lab's raw columns (``fitted.schema.table()``); one column per
        model, for a classifier P(class 1) and the class (``type`` picks one).
        """
        return self.fitted.predict(rows, model=model, type=type)

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``<lab>_results.json``, ``<lab>_model_card.md`` and the fitted lab
        ``<lab>_model/`` (``FittedLab.save``; ``nnlabs.load_lab`` reads it back).

        Each file is written to a temporary name and renamed, so an interrupted save
        leaves no half-written file. Returns (and records in ``files``) the paths. The
        history plot and the report are the presentation layer's
        (``nnlabs.presentation.report.write_run``).
        """
        out = make_writable_dir(out_dir, "out_dir")
        files = {"model": self.fitted.save(out / f"{self.lab}_model")}
        text = json.dumps(self.to_dict(), indent=2, allow_nan=True)
        files["results"] = atomic_write_text(out / f"{self.lab}_results.json", text)
        if self.model_card is not None:
            card = render_markdown(self.model_card, self.digits)
            files["model_card"] = atomic_write_text(out / f"{self.lab}_model_card.md", card)
        self.files.update(files)
        return files


def _format(frame: pd.DataFrame, digits: int) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:,.{digits}f}")
