"""What every benchmark shares: where files go, the machine's description, timing, children.

Every figure in ``bench/results.json`` carries the command that produced it, the machine
(``nproc``, CPU model, memory) and the date, so ``BENCHMARKS.md`` can quote them.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "_work"  # gitignored: synthetic data, logs
RESULTS = BENCH / "results.json"
REPORT = ROOT / "BENCHMARKS.md"
REAL_SAMPLE_NAME = "yellow_tripdata_2023-01_head100k.parquet"
# Marks the one JSON line a child benchmark prints for its parent.
RESULT_PREFIX = "BENCH_RESULT "


def machine() -> dict[str, Any]:
    """The machine, as quoted next to each figure: cores, CPU model, memory, Python."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024**2, 1)
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gib": mem_gib,
        "system": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
    }


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def load_average() -> list[float] | None:
    """The 1/5/15-minute load averages (the machine is shared: noise shows here)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def median(values: Sequence[float]) -> float:
    """The median of ``values`` as a float."""
    return float(statistics.median(values))


def interleaved(candidates: dict[str, Callable[[], float]], rounds: int) -> dict[str, list[float]]:
    """Call each candidate once per round, in turn, and collect what each returns.

    On a shared machine the load drifts over minutes; alternating the candidates puts
    each round's figures under about the same load, so per-round ratios are fair.
    """
    out: dict[str, list[float]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            out[name].append(float(fn()))
    return out


def paired_ratios(numerator: Sequence[float], denominator: Sequence[float]) -> list[float]:
    """Per-round ratios ``numerator[i] / denominator[i]``."""
    return [a / b for a, b in zip(numerator, denominator, strict=True)]


def emit(result: dict[str, Any]) -> None:
    """Print a child's result as the marked JSON line its parent reads."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def run_child(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    log: Path | None = None,
) -> dict[str, Any]:
    """Run a child process that ends by calling ``emit``; return its result.

    The child's stderr and stdout go to ``log`` (under ``bench/_work/logs``) so a failure
    can be read afterwards. Raises RuntimeError with the log's tail when no result came.
    """
    full_env = dict(os.environ)
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    full_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT), str(ROOT / "python"), full_env.get("PYTHONPATH", "")) if p
    )
    if env:
        full_env.update(env)
        if "NNLABS_BACKEND" in env:
            # Keras reads KERAS_BACKEND when first imported, whoever imports it first.
            full_env["KERAS_BACKEND"] = env["NNLABS_BACKEND"]
    start = time.perf_counter()
    proc = subprocess.run(
        list(argv),
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - start
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        text = f"$ {shlex.join(argv)}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
        log.write_text(text)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result = json.loads(line[len(RESULT_PREFIX) :])
            result.setdefault("child_wall_s", round(wall, 3))
            return result
    tail = (proc.stderr or proc.stdout)[-2000:]
    raise RuntimeError(f"{shlex.join(argv)} exited {proc.returncode} without a result:\n{tail}")


def epoch_timer():
    """A Keras callback that records each epoch's wall-clock seconds in ``.seconds``."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.seconds: list[float] = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def proc_status_mib(field: str) -> float:
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), MiB (Linux).

    A child's peak is ``VmHWM``, not ``ru_maxrss``: Linux carries ``ru_maxrss`` over from
    the parent across fork and exec, so a child of a large process reports its parent's.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak() -> float:
    """Reset ``VmHWM`` to the current resident set (Linux >= 4.0); return that, MiB."""
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    return proc_status_mib("VmRSS")


def python_module(module: str, *args: str) -> list[str]:
    """argv that runs ``python -m module args`` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def logs_dir() -> Path:
    """``bench/_work/logs``, created if needed: each child's stdout and stderr go here."""
    path = WORK / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path | None:
    """``NNLABS_DATA_DIR`` (the real data, read-only), or None when unset."""
    value = os.environ.get("NNLABS_DATA_DIR")
    return Path(value) if value else None


def real_sample() -> Path | None:
    """The real 100k-row yellow sample, if the data folder has it."""
    base = data_dir()
    if base is None:
        return None
    for candidate in (base / "nyc_taxi" / REAL_SAMPLE_NAME, base / REAL_SAMPLE_NAME):
        if candidate.exists():
            return candidate
    return None
