"""The benchmark suite's own logic: the rate card, the report's verdicts, merged results.

The benchmarks themselves run in ``make bench``; these tests only check what decides
their figures' meaning, with hand-made inputs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from bench import report
from bench import run as bench_run
from bench.synthetic_month import metered_fare


def test_metered_fare_follows_the_rate_card():
    # $3.00 + $0.70 per fifth of a mile; a mile at free-flow speed has no slow minutes.
    one_mile = metered_fare(np.array([1.0]), np.array([60.0 / 17.0]))
    assert one_mile[0] == pytest.approx(3.0 + 0.7 * 5)
    # Standing still for ten minutes: ten slow-traffic units.
    assert metered_fare(np.array([0.0]), np.array([10.0]))[0] == pytest.approx(3.0 + 0.7 * 10)


def _taxi_fit(speed: float, low: float, high: float, n: int = 5) -> dict:
    from bench.taxi_fit import equivalence

    differences = list(np.linspace(low, high, n))
    return {
        "process_s": [10.0] * n,
        "startup_s": [2.0] * n,
        "fit_s": [8.0] * n,
        "epochs_run": [30] * n,
        "test_mae": {"mean": 1.0, "low": 0.9, "high": 1.1},
        "ratio_whole_process": [speed] * n,
        "ratio_steady_epoch": [speed] * n,
        "ratio_whole_process_median": speed,
        "ratio_steady_median": speed,
        "mae_equivalence": equivalence(differences, 1.0),
    }


def _peak_row(batch: int, kind: str, variant: str, fraction: float) -> dict:
    return {
        "net": "taxi",
        "batch": batch,
        "kind": kind,
        "variant": variant,
        "samples_per_s": 1000,
        "gflops": 1.0,
        "fraction_of_peak": fraction,
        "vs_notes": 1.0,
        "vs_notes_rounds": [1.0],
        "rounds": 1,
    }


def _results() -> dict:
    def section(result):
        return {"command": "c", "date": "d", "machine": {"nproc": 2}, "result": result}

    return {
        "sections": {
            "taxi_fit": section(
                {
                    "summary": {
                        "nnlabs (jax)": _taxi_fit(2.4, -0.01, 0.01),
                        "nnlabs (tensorflow)": _taxi_fit(1.3, -0.01, 0.01),
                        "notes (tensorflow)": {
                            "process_s": [20.0],
                            "startup_s": [2.0],
                            "fit_s": [18.0],
                            "epochs_run": [30],
                            "test_mae": {"mean": 1.0, "low": 0.9, "high": 1.1},
                        },
                    }
                }
            ),
            "throughput": section(
                {
                    "summary": [
                        _peak_row(512, "tensorflow", "keras_fit", 0.10),
                        _peak_row(512, "jax", "nnlabs", 0.30),
                        _peak_row(4096, "tensorflow", "nnlabs", 0.35),
                    ],
                    "rounds": [],
                    "skipped": {},
                }
            ),
            "dataprep": section({"skipped": "no sample"}),
        }
    }


TAXI_ROW = "| taxi net, batch 512: nnlabs fit vs notes-style fit (separate processes), "


def test_report_judges_targets_from_the_stored_figures():
    text = report.render(_results())
    rows = {line.split(" | ")[0]: line for line in text.splitlines() if line.startswith("| ")}
    assert "| met |" in rows[TAXI_ROW + "nnlabs (jax)"]
    assert "equivalent" in rows[TAXI_ROW + "nnlabs (jax)"]
    assert "**not met**" in rows[TAXI_ROW + "nnlabs (tensorflow)"]  # 1.3x
    assert "best 30.0% (jax, nnlabs)" in rows["| taxi net, batch 512, share of sgemm peak"]
    assert "**not met**" in rows["| taxi net, batch 4096, share of sgemm peak"]  # 35% < 40%
    assert "no sample" in rows["| 3M-row month to training arrays"]
    assert "missing: torch" in rows["| Keras backends reported"]
    assert "not run (`python -m bench.run --only glmnet`)" in text


def test_report_does_not_call_a_speedup_with_a_different_mae_met():
    results = _results()
    results["sections"]["taxi_fit"]["result"]["summary"]["nnlabs (jax)"] = _taxi_fit(3.0, 0.1, 0.2)
    text = report.render(results)
    jax_row = next(line for line in text.splitlines() if "nnlabs (jax) |" in line)
    assert "**not met**" in jax_row


def test_mae_equivalence_needs_enough_seeds_and_an_interval_inside_the_margin():
    from bench.taxi_fit import MARGIN, MIN_SEEDS, equivalence

    tight = [0.001, -0.001, 0.002, -0.002, 0.0]
    assert equivalence(tight, 1.0)["verdict"] == "equivalent"
    assert equivalence(tight[: MIN_SEEDS - 1], 1.0)["verdict"].startswith("not shown: 4 seeds")
    wide = [0.05, -0.05, 0.06, -0.06, 0.0]  # mean 0, but the interval leaves +-2%
    assert equivalence(wide, 1.0)["verdict"] == "not shown: the interval leaves the margin"
    assert equivalence(tight, 1.0)["margin"] == MARGIN


def test_the_speed_target_needs_both_the_whole_process_and_the_steady_ratio():
    results = _results()
    row = _taxi_fit(2.4, -0.01, 0.01)
    row["ratio_steady_median"] = 1.5  # whole process 2.4x, steady epochs only 1.5x
    results["sections"]["taxi_fit"]["result"]["summary"]["nnlabs (jax)"] = row
    text = report.render(results)
    jax_row = next(line for line in text.splitlines() if "nnlabs (jax) |" in line)
    assert "**not met**" in jax_row


def test_a_section_rerun_keeps_the_others_and_records_failures(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    bench_run.save({"sections": {"dataprep": {"result": {"kept": 1}}}}, path)

    def fake_runner(module):
        def run(quick):
            if module == "bench.glmnet_compare":
                raise RuntimeError("Rscript exploded")
            return {"quick": quick}

        return run

    monkeypatch.setattr(bench_run, "_runner", fake_runner)
    bench_run.run_sections(["streaming", "glmnet"], quick=True, results_path=path)
    stored = json.loads(path.read_text())["sections"]
    assert stored["dataprep"] == {"result": {"kept": 1}}
    assert stored["streaming"]["result"] == {"quick": True}
    assert stored["streaming"]["command"] == "python -m bench.run --only streaming --quick"
    assert stored["glmnet"]["result"]["error"] == "RuntimeError: Rscript exploded"
    assert not list(tmp_path.glob("*.tmp"))


def _stream_run(mode: str, seed: int, rows: int, epochs: list[float], peak: float, mae: float):
    return {
        "mode": mode,
        "seed": seed,
        "train_rows": rows,
        "train_files": 3 if mode == "stream" else 1,
        "lab_would_stream_mib": rows / 1024,
        "stream_max_buffer_mib": None if mode == "memory" else 28.0,
        "prepare_s": 1.0,
        "epoch_s": epochs,
        "peak_above_warm_mib": peak,
        "peak_rss_mib": 1000.0 + peak,
        "test_mae": mae,
    }


def test_streaming_judges_peak_memory_and_scales_epoch_time_by_rows():
    from bench.streaming import summarize

    runs = [
        _stream_run("memory", 42, 1000, [12.0, 10.0], 800.0, 0.90),
        _stream_run("stream_one", 42, 1000, [13.0, 11.0], 150.0, 0.91),
        _stream_run("stream", 42, 3000, [40.0, 27.0], 390.0, 1.2),
    ]
    s = summarize(runs, 512)
    # the steady epoch (after the first): 27 s for 3x the rows of a 10 s epoch
    assert s["epoch_ratio_vs_scaled_memory"] == [0.9]
    assert s["same_month_epoch_ratio"] == [1.1]
    assert s["stream_within_budget"] and s["peak_above_warm_stream_mib"] == 390.0
    assert s["same_month_mae_equivalence"]["verdict"].startswith("not shown: 1 seeds")
    runs[2]["peak_above_warm_mib"] = 600.0
    assert not summarize(runs, 512)["stream_within_budget"]
    text = report.render({"sections": {"streaming": _entry(runs)}})
    row = next(line for line in text.splitlines() if "streaming several" in line)
    assert "**not met**" in row and "600.0 MiB peak" in row


def _entry(runs: list[dict]) -> dict:
    from bench.streaming import FULL, summarize

    result = {"settings": FULL, "backend": "jax", "runs": runs, "summary": summarize(runs, 512)}
    return {"command": "c", "date": "d", "machine": "m", "result": result}


ROOT = Path(__file__).resolve().parents[1]
# A decimal figure: not part of a longer dotted number such as a version (4.1.6).
DECIMAL = re.compile(r"(?<![\d.])\d[\d,]*\.\d+(?![\d.]*\d)")


def _stored_report() -> str:
    return report.render(json.loads((ROOT / "bench" / "results.json").read_text()))


def test_benchmarks_md_is_the_report_of_the_stored_results():
    assert (ROOT / "BENCHMARKS.md").read_text() == _stored_report()


def test_the_performance_notes_quote_only_figures_of_the_stored_results():
    """docs/performance.md: every decimal figure outside code spans is one BENCHMARKS.md
    shows (rendered from bench/results.json), so none is left from an older run."""
    prose = re.sub(r"`[^`]*`", "", (ROOT / "docs" / "performance.md").read_text())
    shown = _stored_report()
    figures = sorted(set(DECIMAL.findall(prose)))
    assert figures, "the notes quote no figures at all"
    assert [f for f in figures if f not in shown] == []
