"""The cost of the §11.16 analyses: each lab with and without them, in separate processes.

For each lab, ``nnlabs run LAB --no-cache`` runs twice in fresh processes: once with the
analyses (the defaults: permutation importance, SHAP, subgroups, fairness, verdict and
model card) and once with ``--explain false --disaggregate false`` (the verdict and the
card are always built, in well under a second). The share is ``(with - without) / with``
of the two wall times, and, as a figure less exposed to the noise of retraining, the
analyses' own seconds as the run records them (``extras.analysis_seconds``) over the
wall time of the run with them. The goal: at most 25% at the notes' settings.

Quick mode runs every lab with ``--epochs 2`` (the analyses at their default sizes, so
their share is far above a full run's). The taxi lab reads ``NNLABS_DATA_DIR``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import _common

FULL_EXTRA: tuple[str, ...] = ()
QUICK_EXTRA = ("--epochs", "2")
OFF = ("--explain", "false", "--disaggregate", "false")
GOAL = 0.25
TIMEOUT_S = 3600


def _nnlabs() -> str:
    return str(Path(sys.executable).with_name("nnlabs"))


def measure(lab: str, extra: tuple[str, ...], out: Path) -> dict[str, Any]:
    """Wall times of ``lab`` with and without the analyses, and the analyses' own seconds."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    walls: dict[str, float] = {}
    seconds: dict[str, float] = {}
    for mode, flags in (("with", ()), ("without", OFF)):
        folder = out / f"{lab}_{mode}"
        argv = [_nnlabs(), "run", lab, "--no-cache", "--out", str(folder), *extra, *flags]
        start = time.perf_counter()
        proc = subprocess.run(
            argv,
            cwd=_common.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        walls[mode] = time.perf_counter() - start
        log = _common.logs_dir() / f"analyses_{lab}_{mode}.log"
        log.write_text(f"$ {' '.join(argv)}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
        if proc.returncode != 0:
            return {"lab": lab, "error": proc.stderr[-800:], "command": " ".join(argv)}
        if mode == "with":
            saved = json.loads((folder / f"{lab}_results.json").read_text())
            seconds = saved["extras"].get("analysis_seconds", {})
    own = sum(seconds.values())
    # The run with the analyses is a lab at its defaults: its table (with the trees' row)
    # and the §11.16 verdict are what docs/results.md quotes.
    return {
        "lab": lab,
        "wall_with_s": round(walls["with"], 1),
        "wall_without_s": round(walls["without"], 1),
        "share_by_walls": round((walls["with"] - walls["without"]) / walls["with"], 3),
        "analysis_seconds": {k: round(v, 2) for k, v in seconds.items()},
        "share_by_own_seconds": round(own / walls["with"], 3),
        "goal": GOAL,
        "extra": list(extra),
        "load": _common.load_average(),
        "command": " ".join([Path(_nnlabs()).name, "run", lab, "--no-cache", *extra]),
        "table": saved["table"],
        "verdict": [v["text"] for v in saved.get("verdict") or []],
    }


def run(quick: bool = False, labs: list[str] | None = None) -> dict[str, Any]:
    """Run this section at full size (``--epochs 2`` with ``quick``); return its figures."""
    from nnlabs import labs as registry

    extra = QUICK_EXTRA if quick else FULL_EXTRA
    rows = []
    with tempfile.TemporaryDirectory(prefix="nnlabs_analyses_") as tmp:
        for lab in labs or registry.names():
            print(f"  analyses: {lab}", flush=True)
            rows.append(measure(lab, extra, Path(tmp)))
    return {"labs": rows, "mode": "quick" if quick else "full"}


if __name__ == "__main__":
    # python -m bench.analyses [--quick] [LAB ...]: print this section's figures alone.
    args = sys.argv[1:]
    quick = "--quick" in args
    chosen = [a for a in args if a != "--quick"] or None
    print(json.dumps(run(quick=quick, labs=chosen), indent=2))
