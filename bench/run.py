"""Run the benchmark suite, store its figures in ``bench/results.json``, write BENCHMARKS.md.

    python -m bench.run                 # every section, full size (make bench)
    python -m bench.run --quick         # every section, CI-sized (make bench-quick)
    python -m bench.run --only dataprep glmnet
    python -m bench.run --import-gpu gpu.json   # figures of bench.gpu_taxi from a GPU machine
    python -m bench.run --report-only   # rewrite BENCHMARKS.md from results.json

Each section is stored with the command that produced it, the machine and the date, and
replaces only its own earlier entry, so sections can be rerun one at a time. Quick runs
write ``bench/_work/results_quick.json`` and ``bench/_work/BENCHMARKS_quick.md`` instead,
so a CI-sized check never overwrites the full-size figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import _common, report

SECTIONS: dict[str, str] = {
    "throughput": "bench.throughput",
    "taxi_fit": "bench.taxi_fit",
    "levers": "bench.levers",
    "dataprep": "bench.dataprep",
    "glmnet": "bench.glmnet_compare",
    "streaming": "bench.streaming",
    "labs": "bench.labs_wall",
    "parallel": "bench.parallel",
    "analyses": "bench.analyses",
    "speed": "bench.speed",
}
QUICK_RESULTS = _common.WORK / "results_quick.json"
QUICK_REPORT = _common.WORK / "BENCHMARKS_quick.md"


def _runner(module: str) -> Callable[..., dict[str, Any]]:
    import importlib

    return importlib.import_module(module).run


def load(path: Path) -> dict[str, Any]:
    """The stored results (``{"sections": {}}`` when there are none yet)."""
    if not path.exists():
        return {"sections": {}}
    return json.loads(path.read_text())


def save(results: dict[str, Any], path: Path) -> None:
    """Write ``results`` as JSON through a temporary file, so a crash leaves the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def entry(result: dict[str, Any], command: str, seconds: float) -> dict[str, Any]:
    """A section's figures with where they came from."""
    return {
        "command": command,
        "date": _common.now(),
        "machine": _common.machine(),
        "load_after": _common.load_average(),
        "section_wall_s": round(seconds, 1),
        "result": result,
    }


def run_sections(names: list[str], *, quick: bool, results_path: Path) -> dict[str, Any]:
    """Run ``names`` in order, saving after each so a late failure keeps earlier figures."""
    results = load(results_path)
    flag = " --quick" if quick else ""
    for name in names:
        print(f"[bench] {name}{flag}", flush=True)
        start = time.perf_counter()
        try:
            result = _runner(SECTIONS[name])(quick=quick)
        except Exception as exc:  # keep the other sections' figures; say what failed
            result = {"error": f"{type(exc).__name__}: {exc}"[-3000:]}
            print(f"[bench] {name} failed: {result['error']}", file=sys.stderr, flush=True)
        seconds = time.perf_counter() - start
        command = f"python -m bench.run --only {name}{flag}"
        results["sections"][name] = entry(result, command, seconds)
        save(results, results_path)
        print(f"[bench] {name} done in {seconds:.0f} s", flush=True)
    return results


def import_gpu(path: Path, results_path: Path) -> dict[str, Any]:
    """Store the JSON written by ``bench.gpu_taxi`` on a GPU machine as the ``gpu`` section."""
    result = json.loads(path.read_text())
    if "runs" not in result or "environment" not in result:
        raise SystemExit(f"{path} is not a bench.gpu_taxi result (no 'runs'/'environment')")
    results = load(results_path)
    command = "KERAS_BACKEND=jax python3 -m bench.gpu_taxi --sample SAMPLE --out gpu.json"
    section = entry(result, command, 0.0)
    section["machine"] = result["environment"]
    results["sections"]["gpu"] = section
    save(results, results_path)
    return results


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point (``python -m`` this module); see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized runs")
    parser.add_argument("--only", nargs="+", choices=list(SECTIONS), help="these sections")
    parser.add_argument("--import-gpu", type=Path, metavar="JSON", help="store GPU figures")
    parser.add_argument("--report-only", action="store_true", help="only rewrite the report")
    args = parser.parse_args(argv)
    results_path = QUICK_RESULTS if args.quick else _common.RESULTS
    report_path = QUICK_REPORT if args.quick else _common.REPORT
    if args.import_gpu:
        results = import_gpu(args.import_gpu, results_path)
    elif args.report_only:
        results = load(results_path)
    else:
        if _common.data_dir() is None:
            print("[bench] NNLABS_DATA_DIR is unset: the taxi sections are skipped", flush=True)
        names = args.only or list(SECTIONS)
        results = run_sections(names, quick=args.quick, results_path=results_path)
    report.write(results, report_path)
    print(f"[bench] results in {results_path}, report written to {report_path}", flush=True)


if __name__ == "__main__":
    print("$", shlex.join([sys.executable, "-m", "bench.run", *sys.argv[1:]]), flush=True)
    main()
