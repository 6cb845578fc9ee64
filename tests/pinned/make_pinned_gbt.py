"""Write tests/pinned/gbt_rows.json: the gradient-boosted trees' rows of every pinned case.

The trees joined every lab's table after tables.json was pinned; their rows (table,
intervals, Keras AUC) are pinned here, separately, so tables.json stays the record of
the numbers before the refactor. Run ``python tests/pinned/make_pinned_gbt.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pinned.make_pinned import CASES, compute  # noqa: E402

GBT = "Gradient-boosted trees"
QUIET = {"explain": False, "disaggregate": False}  # the analyses change no pinned number


def _is_gbt(label) -> bool:
    return isinstance(label, str) and GBT in label


def _rows(frame: dict | None, keep) -> dict | None:
    """The rows of a column dict (``to_dict(orient="list")``) whose label passes ``keep``."""
    if frame is None:
        return None
    labels = frame["Comparison"] if "Comparison" in frame else frame["Model"]
    picked = [i for i, label in enumerate(labels) if keep(label)]
    return {k: [v[i] for i in picked] for k, v in frame.items()}


def split(summary: dict) -> tuple[dict, dict]:
    """(the summary without the trees' rows, the trees' rows)."""
    before, trees = dict(summary), {}
    for key in ("table", "uncertainty"):
        if summary.get(key) is not None:
            before[key] = _rows(summary[key], lambda label: not _is_gbt(label))
            trees[key] = _rows(summary[key], _is_gbt)
    if "keras_auc" in summary:
        before["keras_auc"] = {k: v for k, v in summary["keras_auc"].items() if k != GBT}
        trees["keras_auc"] = summary["keras_auc"].get(GBT)
    return before, trees


if __name__ == "__main__":
    pinned = {name: split(compute(name, **QUIET))[1] for name in CASES}
    (HERE / "gbt_rows.json").write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'gbt_rows.json'}")
