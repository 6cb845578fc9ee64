"""The result every lab returns, and how it is printed and saved."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs.io import atomic_path, atomic_write_text, make_writable_dir


@dataclass
class LabResult:
    """A lab's outcome.

    Attributes:
        lab: the lab's name (``"hitters"``).
        title: a one-line caption, as the notes' table caption.
        table: the comparison table in the notes' shape (one row per model) on the
            first split.
        history: the network's training history on that split (one row per epoch).
        models: the fitted estimators by table name.
        settings: the frozen settings dataclass the lab ran with.
        network: the key in ``models`` of the Keras network that is saved and plotted.
        metric: the history column plotted (``"mean_absolute_error"``...).
        uncertainty: intervals: a paired bootstrap on one split, or the repeats summary.
        repeat_scores: per-repeat scores (columns ``repeat``, ``Model``, metrics).
        extras: lab-specific tables (confusion matrices, nested R², ...).
        files: paths written by ``save``.
        digits: decimals shown when printing, as the notes round (1 for Hitters).
        saved_models: further models ``save`` writes, file kind -> key in ``models``
            (``{"embedding_model": ...}`` gives ``<lab>_embedding_model.keras``).
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
    saved_models: dict[str, str] = field(default_factory=dict)
    footer: list[str] = field(default_factory=list)
    importance: pd.DataFrame | None = None
    shap: pd.DataFrame | None = None
    subgroups: pd.DataFrame | None = None
    fairness: pd.DataFrame | None = None
    verdict: pd.DataFrame | None = None
    model_card: dict[str, Any] | None = None
    predictions: pd.DataFrame | None = None
    spec: Any = None

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
            "settings": _jsonable(dataclasses.asdict(self.settings)),
            "table": _records(self.table),
            "history": _records(self.history),
        }
        if self.uncertainty is not None:
            out["uncertainty"] = _records(self.uncertainty)
        if self.repeat_scores is not None:
            out["repeat_scores"] = _records(self.repeat_scores)
        out["extras"] = {k: _jsonable(v) for k, v in self.extras.items()}
        for name in ("importance", "shap", "subgroups", "fairness", "verdict"):
            value = getattr(self, name)
            if value is not None:
                out[name] = _records(value)
        if self.model_card is not None:
            out["model_card"] = _jsonable(self.model_card)
        return out

    def save(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``<lab>_history.png``, ``<lab>_model.keras``, ``saved_models``,
        ``<lab>_results.json`` and ``<lab>_model_card.md``.

        Each file is written to a temporary name and renamed, so an interrupted save
        leaves no half-written file. Returns (and records in ``files``) the paths.
        """
        out = make_writable_dir(out_dir, "out_dir")
        from nnlabs.presentation.figures import history_figure, save_png

        files = {"plot": save_png(history_figure(self), out / f"{self.lab}_history.png")}
        for kind, name in {"model": self.network, **self.saved_models}.items():
            target = out / f"{self.lab}_{kind}.keras"
            with atomic_path(target) as tmp:
                self.models[name].model_.save(tmp)
            files[kind] = target
        text = json.dumps(self.to_dict(), indent=2, allow_nan=True)
        files["results"] = atomic_write_text(out / f"{self.lab}_results.json", text)
        if self.model_card is not None:
            from nnlabs.responsible.model_card import render_markdown

            card = render_markdown(self.model_card, self.digits)
            files["model_card"] = atomic_write_text(out / f"{self.lab}_model_card.md", card)
        self.files.update(files)
        return files

    def report(self, path: str | Path | None = None, *, command: str | None = None) -> Path:
        """Write the run's self-contained HTML report and return its path.

        ``path``: an ``.html`` file, or a folder (the report is ``<lab>_report.html`` in
        it); None: the folder ``save`` wrote to. ``command``: the command line shown
        under provenance (None: the equivalent ``nnlabs.labs.run(...)`` call). See
        ``nnlabs.presentation.report``.
        """
        from nnlabs.presentation.report import write_report

        return write_report(self, path, command=command)


def _format(frame: pd.DataFrame, digits: int) -> str:
    return frame.to_string(index=False, float_format=lambda v: f"{v:,.{digits}f}")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame.index.name is not None:  # row labels of a labelled table (confusion matrix)
        frame = frame.reset_index()
    return _jsonable(frame.to_dict(orient="records"))


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return _records(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    return value
