"""Parallel repeats: ``nnlabs run LAB --repeats 8 --n-jobs 2`` against ``--n-jobs 1``.

Each variant runs as a whole fresh process (imports, data, every repeat), in alternating
order (1, 2, 1, 2, ...), with the cache off; the speed-up is the ratio of median wall
times, and the tables the two print must be equal, character for character. Quick mode
runs ``--epochs 2 --repeats 4``, one round.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import _common

LABS = ("hitters", "movies")
FULL = {"rounds": 2, "args": ("--repeats", "8"), "timeout_s": 7200}
QUICK = {"rounds": 1, "args": ("--repeats", "4", "--epochs", "2"), "timeout_s": 1800}


def _run(lab: str, n_jobs: int, args: tuple[str, ...], out: Path, timeout: float) -> dict:
    argv = [
        str(Path(sys.executable).with_name("nnlabs")),
        "run",
        lab,
        *args,
        "--n-jobs",
        str(n_jobs),
        "--no-cache",
        "--out",
        str(out),
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr[-1500:]}")
    # The table and intervals: everything before the list of files written.
    table = proc.stdout.split("\n  plot:")[0]
    return {"wall_s": round(wall, 1), "table": table}


def run(quick: bool = False) -> dict[str, Any]:
    """Time each lab serially and with two jobs, alternating; return the figures."""
    mode = QUICK if quick else FULL
    out: dict[str, Any] = {"command_args": list(mode["args"]), "cores": os.cpu_count(), "labs": {}}
    with tempfile.TemporaryDirectory(prefix="bench-parallel-") as tmp:
        for lab in LABS:
            walls: dict[int, list[float]] = {1: [], 2: []}
            tables: set[str] = set()
            for r in range(mode["rounds"]):
                for jobs in (1, 2):
                    print(f"  {lab} --n-jobs {jobs} ({r + 1}/{mode['rounds']})", flush=True)
                    got = _run(lab, jobs, mode["args"], Path(tmp), mode["timeout_s"])
                    walls[jobs].append(got["wall_s"])
                    tables.add(got["table"])
            serial, parallel = _common.median(walls[1]), _common.median(walls[2])
            out["labs"][lab] = {
                "wall_s": {"n_jobs=1": walls[1], "n_jobs=2": walls[2]},
                "speedup": round(serial / parallel, 2),
                "identical_tables": len(tables) == 1,
            }
    return out
