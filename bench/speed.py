"""A lab in seconds: whole labs against the release before the speed work, and their phases.

- ``whole``: ``nnlabs run LAB --no-cache`` (TensorFlow, the lab's default settings) as
  whole fresh processes, the working tree against ``BASELINE`` (its ``python/`` exported
  with ``git archive`` into ``bench/_work``), from the same environment and in alternating
  order (tree, release, release, tree, ...). Ratio = median release wall / median tree
  wall; the printed tables (title and table, before the verdict) must be identical.
- ``repeats``: ``nnlabs run hitters --no-cache --repeats 20``, one pair (a release run
  takes many minutes).
- ``phases``: each lab once in a fresh process through the public API, by phase: import
  (nnlabs and Keras with its backend), data, design, each model's fit, the §11.16
  analyses, intervals, verdict and card, save and report (``LabResult.timings``).
- ``session``: in one process, as a student in one R or Python session: Hitters, then
  Hitters with another ``units`` (a new network), then that same call again (its network
  from the cache).

Quick mode runs ``--epochs 2``, one round, Hitters only, and skips ``repeats``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import _common

BASELINE = "7207bc3"  # main before issue 21 (fitted labs, issue 20)
LABS = ("hitters", "movies", "nyc311")
FULL = {"labs": LABS, "rounds": 2, "args": (), "repeats": True, "backends": ("tensorflow", "jax")}
QUICK = {
    "labs": ("hitters",),
    "rounds": 1,
    "args": ("--epochs", "2"),
    "repeats": False,
    "backends": ("tensorflow",),
}
TIMEOUT_S = 7200
CHANGED_UNITS = (32, 16)

_MAIN = "import sys; from nnlabs.cli import main; sys.exit(main())"
_PHASES = """
import json, sys, time
start = time.perf_counter()
import keras
import nnlabs.labs
from nnlabs.presentation.report import write_run
imported = time.perf_counter() - start
lab, out, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
result = nnlabs.labs.run(lab, cache=False, **extra)
write_run(result, out)
timings = {"import": imported, **result.timings, "wall": time.perf_counter() - start}
print(sys.argv[4] + json.dumps({"backend": keras.backend.backend(), "timings": timings}))
"""
_SESSION = """
import json, sys, time
import nnlabs.labs
cache, extra = sys.argv[1], json.loads(sys.argv[2])
walls = []
for units in (None, sys.argv[3], sys.argv[3]):
    settings = dict(extra, **({} if units is None else {"units": json.loads(units)}))
    start = time.perf_counter()
    nnlabs.labs.run("hitters", cache=cache, **settings)
    walls.append(time.perf_counter() - start)
print(sys.argv[4] + json.dumps({"walls": walls}))
"""


def release_tree(commit: str = BASELINE) -> Path:
    """The release's ``python/`` folder, exported once into ``bench/_work``."""
    target = _common.WORK / f"release-{commit}"
    if (target / "python" / "nnlabs").is_dir():
        return target / "python"
    target.mkdir(parents=True, exist_ok=True)
    archive = target / "python.tar"
    with archive.open("wb") as fh:
        subprocess.run(
            ["git", "archive", commit, "python"], cwd=_common.ROOT, stdout=fh, check=True
        )
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target / "python"


def _env(python_path: Path) -> dict[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(python_path)}
    env.pop("NNLABS_BACKEND", None)
    env.pop("KERAS_BACKEND", None)
    return env


def _table(stdout: str) -> str:
    """The title and table a run printed: its lines before the verdict or a blank line."""
    lines = []
    for line in stdout.splitlines():
        if not line.strip() or line.startswith("Verdict:"):
            break
        lines.append(line)
    return "\n".join(lines)


def _whole(python_path: Path, argv: list[str], out: Path) -> dict[str, Any]:
    command = [sys.executable, "-c", _MAIN, "run", *argv, "--no-cache", "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(
        command, env=_env(python_path), capture_output=True, text=True, timeout=TIMEOUT_S
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} ({python_path}) failed: {proc.stderr[-1500:]}")
    return {"wall_s": round(wall, 2), "table": _table(proc.stdout)}


def _compare(argv: list[str], rounds: int, tmp: Path) -> dict[str, Any]:
    """Tree and release in alternating order; medians, their ratio, same table or not."""
    trees = {"tree": _common.ROOT / "python", "release": release_tree()}
    walls: dict[str, list[float]] = {"tree": [], "release": []}
    tables: dict[str, set[str]] = {"tree": set(), "release": set()}
    for r in range(rounds):
        order = ("tree", "release") if r % 2 == 0 else ("release", "tree")
        for name in order:
            print(f"  {' '.join(argv)}: {name} ({r + 1}/{rounds})", flush=True)
            got = _whole(trees[name], argv, tmp / name)
            walls[name].append(got["wall_s"])
            tables[name].add(got["table"])
    ratio = _common.median(walls["release"]) / _common.median(walls["tree"])
    return {
        "args": argv,
        "wall_s": walls,
        "speedup": round(ratio, 2),
        "same_table": len(tables["tree"] | tables["release"]) == 1,
    }


def _child(script: str, args: list[str], backend: str = "tensorflow") -> dict[str, Any]:
    env = {**_env(_common.ROOT / "python"), "NNLABS_BACKEND": backend, "KERAS_BACKEND": backend}
    argv = [sys.executable, "-c", script, *args, _common.RESULT_PREFIX]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(_common.RESULT_PREFIX):
            return json.loads(line[len(_common.RESULT_PREFIX) :])
    raise RuntimeError(f"{args} exited {proc.returncode}: {proc.stderr[-1500:]}")


def _settings(args: tuple[str, ...]) -> dict[str, Any]:
    return {"epochs": int(args[args.index("--epochs") + 1])} if "--epochs" in args else {}


def run(quick: bool = False) -> dict[str, Any]:
    """Measure every part of this section (see the module docstring); return the figures."""
    mode = QUICK if quick else FULL
    extra = _settings(mode["args"])
    out: dict[str, Any] = {"baseline": BASELINE, "cores": os.cpu_count(), "whole": []}
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as name:
        tmp = Path(name)
        for lab in mode["labs"]:
            out["whole"].append(_compare([lab, *mode["args"]], mode["rounds"], tmp))
        if mode["repeats"]:
            out["repeats"] = _compare(["hitters", "--repeats", "20"], 1, tmp)
        out["phases"] = {
            lab: _child(_PHASES, [lab, str(tmp / "phases"), json.dumps(extra)])
            for lab in mode["labs"]
        }
        units = json.dumps(list(CHANGED_UNITS))
        out["session"] = {"units": list(CHANGED_UNITS)}
        for backend in mode["backends"]:
            cache = str(tmp / f"cache-{backend}")
            got = _child(_SESSION, [cache, json.dumps(extra), units], backend)
            out["session"][backend] = [round(w, 2) for w in got["walls"]]
    return out


if __name__ == "__main__":
    _common.emit(run(quick="--quick" in sys.argv))
