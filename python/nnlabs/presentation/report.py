"""One self-contained HTML report per lab run.

``write_report(result, path)`` renders ``result`` (a ``LabResult``) with the Jinja2
template shipped in ``nnlabs/presentation/templates/report.html.j2``: the comparison table with the
notes' figures beside the run's, the verdict of the notes' 5% rule, the figures of
``nnlabs.presentation.figures`` (embedded as base64 PNG), the intervals, the subgroup and fairness
tables, the model card and the provenance (settings, seeds, the command, package
versions, data files with their SHA-256, date and machine). The page needs no network:
no external script, style sheet, font or image.

``LabResult.report(path)``, ``nnlabs report LAB`` and ``nnlabs run`` call it.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import io
import math
import os
import platform
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from nnlabs.errors import ParameterError
from nnlabs.io import atomic_write, atomic_write_text, check_writable_dir

# What each figure shows, in words a student can act on (the report's captions).
CAPTIONS = {
    "intervals": (
        "Left: each model's test metric with its 95% interval. Right: each paired "
        "difference between two models with its 95% interval; an interval that crosses "
        "the dashed zero line means the data cannot tell those two models apart."
    ),
    "history": (
        "The network's metric on its training rows and on its validation rows by epoch. "
        "The dashed green line marks the epoch whose weights were kept (early stopping "
        "restores the best validation epoch); dotted grey lines mark learning-rate "
        "reductions."
    ),
    "predicted_actual": (
        "Each model's prediction for every test row against the actual value; points on "
        "the line are exact."
    ),
    "residuals": (
        "Residuals (actual minus predicted) against the fitted value. A funnel or a curve "
        "means the errors depend on the prediction; a flat band around zero is good."
    ),
    "roc": (
        "ROC curves of every model on the test rows: the true positive rate against the "
        "false positive rate as the threshold moves; the area under it is the AUC."
    ),
    "calibration": (
        "Mean predicted probability against the observed share of the positive class, in "
        "bins with equal numbers of test rows; a well-calibrated model lies on the diagonal."
    ),
    "confusion": "Counts of test rows by predicted and actual class at the lab's threshold.",
    "lasso_cv": (
        "The Lasso's cross-validated error against log(lambda), with one-standard-error "
        "bars. lambda.min gives the smallest error; lambda.1se is the largest lambda within "
        "one standard error of it (a sparser model). The top axis counts the nonzero "
        "coefficients. The table uses lambda.min."
    ),
    "importance": (
        "Permutation importance: how much worse each model's test metric gets when one "
        "input's values are shuffled (mean of the shuffles, bar = one sd). It describes "
        "what the model relies on, not what causes the outcome."
    ),
    "shap": (
        "SHAP values of the network: for each explained test row, how much each input "
        "moved its prediction from the average prediction, coloured by the input's value."
    ),
}
TITLES = {
    "intervals": "Can the models be told apart?",
    "history": "Training history",
    "predicted_actual": "Predicted against actual",
    "residuals": "Residuals against fitted values",
    "roc": "ROC curves",
    "calibration": "Calibration",
    "confusion": "Confusion matrices",
    "lasso_cv": "The Lasso's cross-validation curve",
    "importance": "Permutation importance",
    "shap": "SHAP summary",
}
_PACKAGES = (
    "nnlabs",
    "keras",
    "tensorflow",
    "jax",
    "torch",
    "numpy",
    "pandas",
    "scikit-learn",
    "scipy",
    "shap",
    "matplotlib",
    "jinja2",
)


# ---- provenance ---------------------------------------------------------------------------


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of the file at ``path``, as 64 hexadecimal digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_files(result) -> list[dict[str, Any]]:
    """The data files the run read (``extras["data_files"]``): name, path, size, SHA-256."""
    out = []
    for name in result.extras.get("data_files", []):
        path = Path(name)
        entry: dict[str, Any] = {"name": path.name, "path": str(path)}
        if path.is_file():
            entry.update(bytes=path.stat().st_size, sha256=sha256_file(path))
        else:
            entry.update(bytes=None, sha256="(file no longer there)")
        out.append(entry)
    return out


def python_command(result) -> str:
    """The Python call that reruns the lab: ``nnlabs.labs.run("lab", setting=value...)``
    with every setting that differs from the lab's default."""
    defaults = type(result.settings)()
    changed = [
        f"{f.name}={getattr(result.settings, f.name)!r}"
        for f in dataclasses.fields(result.settings)
        if getattr(result.settings, f.name) != getattr(defaults, f.name)
    ]
    return f"nnlabs.labs.run({', '.join([repr(result.lab), *changed])})"


def package_versions() -> dict[str, str]:
    """Installed versions of nnlabs and what it runs on (absent packages left out)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def provenance(result, *, command: str | None = None) -> dict[str, Any]:
    """What it takes to rerun ``result``: settings, seeds, command, versions, data, date, machine.

    ``command`` is the command line that ran the lab (``nnlabs run ...``); None gives the
    equivalent Python call (``python_command``).
    """
    import keras

    settings = dataclasses.asdict(result.settings)
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": command or python_command(result),
        "settings": settings,
        "seeds": {k: v for k, v in settings.items() if "seed" in k},
        "backend": keras.backend.backend(),
        "versions": package_versions(),
        "source": str(result.extras.get("source", "")),
        "data_files": data_files(result),
        "machine": {
            "host": platform.node(),
            "system": platform.platform(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "python": sys.executable,
        },
    }


# ---- tables ---------------------------------------------------------------------------------


def comparison_table(result) -> pd.DataFrame:
    """The comparison table with the notes' figure beside each metric it has
    (``<metric> (notes)``, NaN where the notes have no such model)."""
    notes = result.spec.notes_table
    table = result.table.copy()
    if not notes:
        return table
    metrics = [c for c in table.columns if c != "Model"]
    out = table[["Model"]].copy()
    for metric in metrics:
        out[metric] = table[metric]
        if any(metric in row for row in notes.values()):
            out[f"{metric} (notes)"] = [
                notes.get(m, {}).get(metric, math.nan) for m in table["Model"]
            ]
    return out


def _cells(frame: pd.DataFrame | None, digits: int) -> dict[str, Any] | None:
    """A frame as ``{"columns", "numeric", "rows"}`` for the template: the column names,
    whether each is numeric (right-aligned), and the rows as text."""
    if frame is None or frame.empty:
        return None
    if frame.index.name is not None:
        frame = frame.reset_index()
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
    ]
    rows = [[_text(v, digits) for v in row] for row in frame.itertuples(index=False)]
    return {"columns": [str(c) for c in frame.columns], "numeric": numeric, "rows": rows}


def _text(value: Any, digits: int) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return "–" if math.isnan(value) else f"{value:,.{digits}f}"
    return str(value)


# ---- figures ---------------------------------------------------------------------------------


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def _pngs(result) -> dict[str, bytes]:
    """Every figure of ``result`` as PNG bytes, by name, each drawn and encoded once."""
    from nnlabs.presentation.figures import lab_figures

    return {name: _png(fig) for name, fig in lab_figures(result).items()}


def _figures(pngs: dict[str, bytes]) -> list[dict[str, str]]:
    return [
        {
            "name": name,
            "title": TITLES.get(name, name),
            "caption": CAPTIONS.get(name, ""),
            "png": base64.b64encode(png).decode("ascii"),
        }
        for name, png in pngs.items()
    ]


# ---- the page ------------------------------------------------------------------------------


def render_report(result, *, command: str | None = None) -> str:
    """The report of ``result`` as one self-contained HTML page (a string)."""
    return _render(result, command, _pngs(result))


def _render(result, command: str | None, pngs: dict[str, bytes]) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("nnlabs.presentation", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    digits = result.digits
    table = comparison_table(result)
    context = {
        "result": result,
        "table": _cells(table, digits),
        "has_notes": any(str(c).endswith("(notes)") for c in table.columns),
        "verdict": [] if result.verdict is None else list(result.verdict["text"]),
        "uncertainty": _cells(result.uncertainty, digits),
        "subgroups": _cells(result.subgroups, digits),
        "fairness": _cells(result.fairness, 3),
        "figures": _figures(pngs),
        "card": result.model_card or {},
        "footer": list(result.footer),
        "provenance": provenance(result, command=command),
    }
    return env.get_template("report.html.j2").render(**context)


def report_path(result, path: str | os.PathLike[str] | None) -> Path:
    """Where ``write_report`` writes: ``path`` if it ends in ``.html``, else
    ``<path>/<lab>_report.html``; None: beside the result's saved files."""
    if path is None:
        saved = result.files.get("results")
        if saved is None:
            raise ParameterError(
                "path must be a folder or an .html file when the result was not saved "
                "(run it with out_dir); got None"
            )
        return Path(saved).parent / f"{result.lab}_report.html"
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise ParameterError(f"path must be a folder or an .html file path; got {path!r}")
    target = Path(path).expanduser()
    if target.suffix.lower() in (".html", ".htm"):
        check_writable_dir(target.parent, "path")
        return target
    check_writable_dir(target, "path")
    return target / f"{result.lab}_report.html"


def write_report(
    result, path: str | os.PathLike[str] | None = None, *, command: str | None = None
) -> Path:
    """Render the report of ``result`` and write it atomically; return its path.

    ``path``: an ``.html`` file, or a folder (the report is ``<lab>_report.html`` in it);
    None: the folder the result was saved to. ``command``: the command line shown in the
    provenance (None: the equivalent Python call).
    """
    target = report_path(result, path)
    html = render_report(result, command=command)
    written = atomic_write_text(target, html)
    result.files["report"] = written
    return written


def write_run(
    result, out_dir: str | os.PathLike[str], *, command: str | None = None
) -> dict[str, Path]:
    """Save ``result`` to ``out_dir`` with its history plot and report, as ``nnlabs run``.

    Writes what ``LabResult.save`` writes (results, model card, the fitted lab), then
    ``<lab>_history.png`` and ``<lab>_report.html``. Returns the paths by kind, also
    recorded in ``result.files``.
    """
    result.save(out_dir)
    start = time.perf_counter()
    out = Path(out_dir)
    pngs = _pngs(result)  # the history plot beside the report is the report's own figure
    plot = atomic_write(
        out / f"{result.lab}_history.png", lambda tmp: tmp.write_bytes(pngs["history"])
    )
    result.files["plot"] = plot
    html = _render(result, command, pngs)
    result.files["report"] = atomic_write_text(report_path(result, out), html)
    result.timings["report"] = time.perf_counter() - start
    return dict(result.files)


__all__ = [
    "CAPTIONS",
    "comparison_table",
    "data_files",
    "package_versions",
    "provenance",
    "python_command",
    "render_report",
    "report_path",
    "sha256_file",
    "write_report",
    "write_run",
]
