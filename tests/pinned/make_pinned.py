"""Write tests/pinned/tables.json: the numbers every lab gives at tiny settings.

Run once on the code before a refactor (``python tests/pinned/make_pinned.py``); the test
``tests/test_pinned.py`` then requires the refactored code to give the same numbers.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import nnlabs  # noqa: E402
from _fixtures_labs import synthetic_trips, synthetic_zones  # noqa: E402

# name -> (lab, run keyword arguments); every run uses cache=False.
CASES = {
    "hitters": ("hitters", {"epochs": 3}),
    "hitters_notes": (
        "hitters",
        {"epochs": 3, "validation": "test", "scaling": "all", "standardize_target": False},
    ),
    "hitters_repeats": ("hitters", {"epochs": 2, "repeats": 2}),
    "movies": ("movies", {"epochs": 3, "lasso_folds": 3, "bootstrap_draws": 50}),
    "movies_repeats": ("movies", {"epochs": 2, "lasso_folds": 3, "repeats": 2}),
    "nyc311": ("nyc311", {"simulated_rows": 3000, "epochs": 2}),
    "nyc311_repeats": ("nyc311", {"simulated_rows": 2000, "epochs": 1, "repeats": 2}),
    "taxi": ("taxi", {"epochs": 2, "rows": 1200}),
}


def taxi_inputs() -> dict:
    return {"data": synthetic_trips(1500), "zones": synthetic_zones()}


def summary(result) -> dict:
    """The numbers of a LabResult that a refactor must not change."""
    out = {
        "table": result.table.to_dict(orient="list"),
        "uncertainty": None
        if result.uncertainty is None
        else result.uncertainty.to_dict(orient="list"),
        "history_rows": len(result.history),
        "history_last": {k: float(v) for k, v in result.history.iloc[-1].items()},
    }
    for key in (
        "n_train",
        "n_test",
        "lasso_lambda",
        "lm_notes_artefact",
        "class_counts",
        "test_hits",
        "parameters",
        "keras_auc",
        "best_epoch",
        "n_usable",
    ):
        if key in result.extras:
            out[key] = result.extras[key]
    if "nested_r2" in result.extras:
        out["nested_r2"] = result.extras["nested_r2"].to_dict(orient="list")
    return json.loads(
        json.dumps(out, default=lambda v: v.item() if isinstance(v, np.generic) else str(v))
    )


def run_case(name: str, **settings):
    """The LabResult of case ``name``; ``settings`` add reporting settings (the §11.16
    analyses' switches), which change no number pinned here."""
    lab, kwargs = CASES[name]
    extra = taxi_inputs() if lab == "taxi" else {}
    if lab == "nyc311":  # pinned before the lumping moved to the training rows (errata N9)
        from nnlabs.labs.nyc311 import NYC311Settings, notes_lump_levels

        extra = {"lump_levels": notes_lump_levels(NYC311Settings(**kwargs))}
    return nnlabs.labs.run(lab, cache=False, **kwargs, **extra, **settings)


def compute(name: str, **settings) -> dict:
    return summary(run_case(name, **settings))


if __name__ == "__main__":
    pinned = {name: compute(name) for name in CASES}
    (HERE / "tables.json").write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
    print(f"wrote {HERE / 'tables.json'}")
