"""Cross-check nnlabs against the notes' own R code; see crosscheck/README.md.

Runs crosscheck/hitters.R, movies.R and nyc311.R (the notes' code with exports added),
recomputes the same numbers with nnlabs' public API, prints one line per check with
its tolerance, and exits with status 1 when any check fails (2 when R or an R package is
missing). Usage: ``python crosscheck/compare.py [--out DIR]``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
R_PACKAGES = ("glmnet", "dplyr", "forcats", "lubridate", "tidyr", "pROC", "jsonlite")
SETUP = "bash environments/r-setup.sh dplyr forcats lubridate tidyr pROC"
# The notes' printed numbers (Tables 11.32 and 11.35, section 11.11.6.1).
NOTES = {
    "hitters_lm": 254.7,
    "hitters_lasso": 253.1,
    "movies": (333, 166, 167),
    "movies_accuracy": "91.6%",
    "movies_auc": "0.972",
}


@dataclass
class Check:
    """One comparison: the R value, nnlabs' value, the tolerance and the verdict."""

    lab: str
    what: str
    r: Any
    nnlabs: Any
    tolerance: str
    ok: bool


class Checks(list):
    """The checks made so far; ``close`` and ``equal`` add one each."""

    def close(self, lab: str, what: str, r: float, py: float, *, abs_tol=0.0, rel_tol=0.0):
        diff = abs(float(r) - float(py))
        ok = math.isfinite(diff) and diff <= max(abs_tol, rel_tol * abs(float(r)))
        parts = [f"abs {abs_tol:g}" if abs_tol else "", f"rel {rel_tol:g}" if rel_tol else ""]
        self.append(Check(lab, what, r, py, " / ".join(p for p in parts if p), ok))

    def equal(self, lab: str, what: str, r: Any, py: Any) -> None:
        self.append(Check(lab, what, r, py, "equal", r == py))


def require_r() -> None:
    """Exit with status 2 and a clear message when Rscript or an R package is missing."""
    if shutil.which("Rscript") is None:
        sys.exit(f"crosscheck: Rscript is not on PATH; install R and its packages: {SETUP}")
    probe = (
        "p <- c(" + ", ".join(f'"{p}"' for p in R_PACKAGES) + "); "
        "cat(p[!vapply(p, requireNamespace, logical(1), quietly = TRUE)])"
    )
    found = subprocess.run(
        ["Rscript", "-e", probe], capture_output=True, text=True, check=False, env=_r_env()
    )
    missing = found.stdout.split()
    if found.returncode != 0 or missing:
        sys.exit(
            f"crosscheck: R package(s) missing: {' '.join(missing) or found.stderr[-500:]}; "
            f"install them with: {SETUP}"
        )


def _r_env() -> dict[str, str]:
    # UTC (R would otherwise ask timedatectl) and code-point collation, so that R's
    # factor levels, and so its design-matrix columns, come in nnlabs' order (errata N4).
    return {**os.environ, "TZ": "UTC", "LC_COLLATE": "C"}


def run_r(script: str, *args: str) -> str:
    """Run ``Rscript crosscheck/<script> args``; return its output, raise on failure."""
    proc = subprocess.run(
        ["Rscript", str(HERE / script), *args],
        capture_output=True,
        text=True,
        check=False,
        env=_r_env(),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"Rscript {script} failed (status {proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def _read(out: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(out / name)


def hitters_checks(out: Path, checks: Checks) -> None:
    """Table 11.32's baselines: R's lm and cv.glmnet against nnlabs on the notes' split."""
    from nnlabs.data import hitters as hitters_data
    from nnlabs.labs import hitters
    from nnlabs.models.baselines import LassoCV

    printed = run_r("hitters.R", str(out), str(hitters_data.shipped_path()))
    r = json.loads((out / "hitters.json").read_text())
    lab = "hitters"
    checks.equal(
        lab,
        "R prints the notes' LM MAE",
        f"{NOTES['hitters_lm']}",
        _printed(printed, "Linear regression MAE:"),
    )
    checks.equal(
        lab,
        "R prints the notes' Lasso MAE",
        f"{NOTES['hitters_lasso']}",
        _printed(printed, "Lasso MAE:"),
    )
    test = _read(out, "hitters_testid.csv")["testid"].to_numpy() - 1
    folds = _read(out, "hitters_foldid.csv")["foldid"].to_numpy()
    x_df, y = hitters.design(hitters_data.load())
    train = np.setdiff1d(np.arange(len(y)), test)
    checks.equal(
        lab,
        "rows: all, training, test",
        (r["n"], r["n_train"], r["n_test"]),
        (len(y), len(train), len(test)),
    )
    checks.equal(lab, "design columns", r["p"], x_df.shape[1])

    # The same matrix (R's scale()d model.matrix), split and folds: glmnet's algorithm.
    x_r = _read(out, "hitters_x.csv").to_numpy()
    exact = LassoCV(measure="mae", fold_ids=folds).fit(x_r[train], y[train])
    checks.close(
        lab, "Lasso on R's matrix: lambda.min", r["lambda_min"], exact.lambda_min_, rel_tol=1e-9
    )
    checks.equal(
        lab, "Lasso on R's matrix: lambdas on the path", r["n_lambda"], len(exact.lambdas_)
    )
    checks.equal(
        lab, "Lasso on R's matrix: coordinate-descent passes", r["npasses"], exact.path_.passes
    )
    mae_exact = float(np.mean(np.abs(exact.predict(x_r[test]) - y[test])))
    checks.close(lab, "Lasso on R's matrix: test MAE", r["mae_lasso"], mae_exact, abs_tol=1e-6)

    # The lab itself (its own design matrix and scaling), with R's split and folds.
    result = hitters.run(
        test_index=test, lasso_fold_ids=folds, epochs=1, cache=False, **hitters.NOTES_PROTOCOL
    )
    table = result.table.set_index("Model")["MAE"]
    checks.close(lab, "lab: Linear Regression MAE", r["mae_lm"], table[hitters.LM], abs_tol=1e-6)
    checks.close(
        lab, "lab: Lasso lambda.min", r["lambda_min"], result.extras["lasso_lambda"], rel_tol=1e-9
    )
    checks.close(lab, "lab: Lasso MAE", r["mae_lasso"], table[hitters.LASSO], abs_tol=5e-3)
    checks.equal(
        lab, "lab: Lasso MAE as printed", f"{r['mae_lasso']:.1f}", f"{table[hitters.LASSO]:.1f}"
    )


def movies_checks(out: Path, checks: Checks) -> None:
    """Section 11.11.6: the notes' simulated movies, split and logistic Lasso."""
    from nnlabs.data import movies as movies_data
    from nnlabs.evaluation.metrics import roc_auc
    from nnlabs.labs import movies
    from nnlabs.models.baselines import LogisticLassoCV

    printed = run_r("movies.R", str(out))
    r = json.loads((out / "movies.json").read_text())
    lab = "movies"
    n, hits, flops = NOTES["movies"]
    checks.equal(
        lab,
        "R prints the notes' counts",
        f"Dataset: {n} movies | {hits} Hits | {flops} Flops",
        _printed(printed, "Dataset:", whole=True),
    )
    checks.equal(
        lab,
        "R prints the notes' Lasso",
        f"Accuracy: {NOTES['movies_accuracy']}  AUC: {NOTES['movies_auc']}",
        _printed(printed, "Logistic Lasso --", whole=True).split("-- ")[-1],
    )
    frame = _read(out, "movies.csv")
    _, labels = movies.design(frame)
    checks.equal(
        lab,
        "movies, Hits, Flops (R's data)",
        (r["n_movies"], r["hits"], r["flops"]),
        (len(labels), int(labels.sum()), int((1 - labels).sum())),
    )
    own = movies_data.simulate(500, 42)
    checks.equal(
        lab,
        "movies, Hits, Flops (nnlabs' own simulation)",
        (n, hits, flops),
        (len(own), int(own["hit"].sum()), int((1 - own["hit"]).sum())),
    )

    test = _read(out, "movies_testid.csv")["testid"].to_numpy() - 1
    folds = _read(out, "movies_foldid.csv")["foldid"].to_numpy()
    train = np.setdiff1d(np.arange(len(labels)), test)
    checks.equal(
        lab, "training and test rows", (r["n_train"], r["n_test"]), (len(train), len(test))
    )

    x_r = _read(out, "movies_x.csv").to_numpy()
    exact = LogisticLassoCV(fold_ids=folds).fit(x_r[train], labels[train])
    prob = exact.predict_proba(x_r[test])[:, 1]
    prob_r = _read(out, "movies_prob.csv")["prob"].to_numpy()
    checks.close(
        lab, "Lasso on R's matrix: lambda.min", r["lambda_min"], exact.lambda_min_, rel_tol=1e-9
    )
    checks.equal(
        lab, "Lasso on R's matrix: lambdas on the path", r["n_lambda"], len(exact.lambdas_)
    )
    checks.close(
        lab,
        "Lasso on R's matrix: max |P(Hit) difference|",
        0.0,
        float(np.max(np.abs(prob - prob_r))),
        abs_tol=1e-9,
    )
    n_test = len(test)
    correct_r = round(r["accuracy"] * n_test)
    checks.equal(
        lab,
        f"Lasso on R's matrix: correct of {n_test}",
        correct_r,
        int(np.sum((prob > 0.5) == labels[test])),
    )
    checks.close(
        lab,
        "Lasso on R's matrix: AUC (pROC vs nnlabs)",
        r["auc"],
        roc_auc(labels[test], prob),
        abs_tol=1e-9,
    )

    result = movies.run(
        data=frame, test_index=test, lasso_fold_ids=folds, epochs=1, bootstrap_draws=50, cache=False
    )
    row = result.table.set_index("Model").loc[movies.LASSO]
    checks.close(
        lab, "lab: Lasso lambda.min", r["lambda_min"], result.extras["lasso_lambda"], rel_tol=1e-6
    )
    checks.equal(lab, f"lab: Lasso correct of {n_test}", correct_r, round(row["Accuracy"] * n_test))
    checks.close(lab, "lab: Lasso AUC", r["auc"], row["AUC"], abs_tol=1e-3)
    checks.equal(
        lab,
        "lab: Lasso as printed",
        f"{100 * r['accuracy']:.1f}% {r['auc']:.3f}",
        f"{100 * row['Accuracy']:.1f}% {row['AUC']:.3f}",
    )
    counts = result.extras["class_counts"]
    checks.equal(
        lab,
        "lab: class counts (Hit, Flop)",
        (r["hits"], r["flops"]),
        (counts["Hit"], counts["Flop"]),
    )


def nyc311_checks(out: Path, checks: Checks) -> None:
    """Section 11.11.4 on nnlabs' simulated requests: rows, design, LM, artefact, R²."""
    from nnlabs.data import nyc311 as nyc311_data
    from nnlabs.labs import nyc311
    from nnlabs.splits import random_split

    settings = nyc311.NYC311Settings()
    raw = nyc311_data.simulate(settings.simulated_rows, settings.simulation_seed)
    raw.to_csv(out / "nyc311_raw.csv", index=False, date_format="%Y-%m-%d %H:%M:%S")
    _, y = nyc311.design(nyc311.engineer(raw, settings))
    split = random_split(len(y), settings.test_fraction, settings.seed)  # the lab's split
    (out / "nyc311_split.json").write_text(json.dumps({"train": split.train.tolist()}))
    run_r("nyc311.R", str(out), str(out))
    r = json.loads((out / "nyc311.json").read_text())
    lab = "nyc311"
    result = nyc311.run(epochs=1, cache=False)
    extras = result.extras
    checks.equal(lab, "raw requests", r["n_raw"], len(raw))
    checks.equal(lab, "usable rows after the filter", r["n_rows"], extras["n_usable"])
    checks.equal(
        lab,
        "training and test rows",
        (r["n_train"], r["n_test"]),
        (extras["n_train"], extras["n_test"]),
    )
    checks.equal(lab, "design columns", r["n_cols"], len(extras["columns"]))
    checks.equal(lab, "design column names (C collation)", r["columns"], list(extras["columns"]))
    table = result.table.set_index("Model")["MAE (log-hrs)"]
    checks.close(
        lab, "Linear Regression test MAE", r["mae_lm_test"], table[nyc311.LM], abs_tol=1e-9
    )
    checks.close(
        lab,
        "the notes' predict() artefact",
        r["mae_lm_notes"],
        extras["lm_notes_artefact"],
        abs_tol=1e-9,
    )
    nested = extras["nested_r2"]
    for i, label in enumerate(nested["Predictors"]):
        checks.close(
            lab,
            f"R² {label} (training rows)",
            r["r2_nested"][i],
            nested["R2 (training rows)"].iloc[i],
            abs_tol=1e-9,
        )


def _printed(output: str, prefix: str, whole: bool = False) -> str:
    for line in output.splitlines():
        if line.startswith(prefix):
            return line.strip() if whole else line[len(prefix) :].strip()
    return f"(no line starting {prefix!r})"


def _show(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def report(checks: Checks) -> str:
    """The checks as an aligned text table, failures marked."""
    rows = [("lab", "check", "R", "nnlabs", "tolerance", "")]
    rows += [
        (c.lab, c.what, _show(c.r), _show(c.nnlabs), c.tolerance, "ok" if c.ok else "FAIL")
        for c in checks
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    """Run every cross-check; return 0 when all pass, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep R's exports in this folder")
    args = parser.parse_args(argv)
    require_r()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    out = args.out or Path(tempfile.mkdtemp(prefix="nnlabs-crosscheck-"))
    out.mkdir(parents=True, exist_ok=True)
    checks = Checks()
    start = time.perf_counter()
    try:
        for step in (hitters_checks, movies_checks, nyc311_checks):
            begin = time.perf_counter()
            step(out, checks)
            print(f"crosscheck: {step.__name__} {time.perf_counter() - begin:.0f} s", flush=True)
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    print(report(checks))
    failed = [c for c in checks if not c.ok]
    seconds = time.perf_counter() - start
    print(
        f"crosscheck: {len(checks) - len(failed)} of {len(checks)} checks passed in {seconds:.0f} s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
