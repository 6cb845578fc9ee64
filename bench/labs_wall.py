"""Whole labs: wall time of each lab at the notes' settings, and of ``make run``'s command.

Each lab runs as ``nnlabs run LAB --no-cache --out DIR`` in a fresh process (imports and
data loading included), on TensorFlow (the default) and, in full mode, on JAX. The taxi
lab reads the synthetic full month (a folder in ``bench/_work`` holding it under the
official name next to the real zone lookup), so its 300,000-trip sample is drawn from
3M rows as in the notes. ``make run`` runs ``nnlabs run all --out DIR`` after ``uv
sync``; its command is timed here with an empty ``NNLABS_CACHE_DIR``, i.e. as on a fresh
machine (a second ``make run`` loads every model from the cache).

Quick mode runs every lab with ``--epochs 2`` on TensorFlow only and skips ``make run``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import _common

FULL = {"backends": ("tensorflow", "jax"), "extra": (), "make_run": True}
QUICK = {"backends": ("tensorflow",), "extra": ("--epochs", "2"), "make_run": False}
TIMEOUT_S = 3600


def _nnlabs() -> str:
    return str(Path(sys.executable).with_name("nnlabs"))


def _taxi_data_dir() -> Path | None:
    """A folder with the synthetic month under its official name and the real zone lookup."""
    from bench.dataprep import month_path

    month = month_path()
    base = _common.data_dir()
    if month is None or base is None:
        return None
    zones = next((p for p in base.rglob("taxi_zone_lookup.csv")), None)
    if zones is None:
        return None
    folder = _common.WORK / "taxi_month"
    folder.mkdir(parents=True, exist_ok=True)
    for link, target in (("yellow_tripdata_2023-01.parquet", month), (zones.name, zones)):
        path = folder / link
        if path.is_symlink() or path.exists():
            path.unlink()
        path.symlink_to(target.resolve())
    return folder


def _timed(argv: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.run(
        argv,
        cwd=_common.ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    wall = time.perf_counter() - start
    log.write_text(f"$ {' '.join(argv)}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    out: dict[str, Any] = {
        "command": " ".join(argv),
        "wall_s": round(wall, 2),
        "returncode": proc.returncode,
        "load": _common.load_average(),
    }
    if proc.returncode != 0:
        out["error"] = proc.stderr[-800:]
    return out


def run(quick: bool = False) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    from nnlabs import labs as registry

    mode = QUICK if quick else FULL
    taxi_dir = _taxi_data_dir()
    labs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="nnlabs_bench_") as tmp:
        for backend in mode["backends"]:
            for lab in registry.names():
                argv = [_nnlabs(), "run", lab, "--no-cache", "--out", f"{tmp}/{backend}"]
                argv += list(mode["extra"])
                if lab == "taxi" and taxi_dir is not None:
                    argv += ["--data-dir", str(taxi_dir)]
                print(f"  lab {lab} on {backend}", flush=True)
                log = _common.logs_dir() / f"lab_{lab}_{backend}.log"
                out = _timed(argv, {"NNLABS_BACKEND": backend}, log)
                labs.append({"lab": lab, "backend": backend, **out})
        make_run = None
        if mode["make_run"]:
            cache = Path(tmp) / "cache"
            cache.mkdir()
            argv = [_nnlabs(), "run", "all", "--out", f"{tmp}/make_run"]
            print("  make run's command (empty cache)", flush=True)
            make_run = _timed(
                argv,
                {"NNLABS_CACHE_DIR": str(cache), "NNLABS_BACKEND": "tensorflow"},
                _common.logs_dir() / "make_run.log",
            )
            shutil.rmtree(cache, ignore_errors=True)
    return {
        "labs": labs,
        "make_run": make_run,
        "taxi_month": str(taxi_dir) if taxi_dir else None,
        "mode": "quick" if quick else "full",
    }
