"""nnlabs' Lasso against R's glmnet on the same matrices and folds (tests/r/glmnet_cv.R).

For Hitters splits of several seeds (gaussian, type.measure = "mae", as the lab) and
simulated movie data of several seeds (binomial, deviance), R's cv.glmnet draws its own
folds after set.seed(); nnlabs' LassoCV / LogisticLassoCV get the same matrices
(bit for bit, as binary files) and R's fold ids, and must agree with glmnet to the digits
it prints: lambda.min (glmnet prints 7 significant digits), the length of the path, and
the test MAE to 3 decimals or the test accuracy exactly and AUC to 3 decimals.

Needs R with glmnet (bash environments/r-setup.sh). Without it the tests skip, except
where CI=true: there they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nnlabs.data import hitters as hitters_data
from nnlabs.data import movies as movies_data
from nnlabs.design.features import fit_scaler
from nnlabs.evaluation.metrics import roc_auc
from nnlabs.labs import hitters, movies
from nnlabs.models.baselines import LassoCV, LogisticLassoCV
from nnlabs.splits import random_split

SCRIPT = Path(__file__).parent / "r" / "glmnet_cv.R"
HITTERS_SEEDS = (13, 14, 15, 16, 17)
MOVIE_SEEDS = (42, 43, 44, 45)


def _r_problem() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not on PATH"
    probe = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('glmnet', quietly = TRUE))"],
        capture_output=True,
        check=False,
    )
    return None if probe.returncode == 0 else "the R package glmnet is not installed"


def _case(folder: Path, x, y, train, test, family: str, measure: str, seed: int) -> dict:
    folder.mkdir(parents=True)
    n, p = len(train), x.shape[1]
    (folder / "case.txt").write_text(f"{n} {p} {len(test)} {family} {measure} {seed}\n")
    for name, rows in (("x_train", train), ("x_test", test)):
        np.asfortranarray(x[rows], dtype=np.float64).T.tofile(folder / f"{name}.bin")
    np.asarray(y[train], dtype=np.float64).tofile(folder / "y_train.bin")
    return {"folder": folder, "x": x, "y": y, "train": train, "test": test, "measure": measure}


@pytest.fixture(scope="module")
def glmnet_runs(tmp_path_factory):
    problem = _r_problem()
    if problem is not None:
        message = f"{problem}; install R's glmnet with: bash environments/r-setup.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    root = tmp_path_factory.mktemp("glmnet")
    cases = {}
    x_df, y = hitters.design(hitters_data.load())
    for seed in HITTERS_SEEDS:
        split = random_split(len(y), 1 / 3, seed)
        x = fit_scaler(x_df.to_numpy(), split.train, "train").transform(x_df.to_numpy())
        cases[f"hitters-{seed}"] = _case(
            root / f"hitters-{seed}", x, y, split.train, split.test, "gaussian", "mae", 100 + seed
        )
    for seed in MOVIE_SEEDS:
        frame = movies_data.simulate(500, seed)
        x_df, labels = movies.design(frame)
        split = random_split(len(labels), 0.25, seed)
        x = fit_scaler(x_df.to_numpy(), split.train, "train").transform(x_df.to_numpy())
        cases[f"movies-{seed}"] = _case(
            root / f"movies-{seed}",
            x,
            labels,
            split.train,
            split.test,
            "binomial",
            "deviance",
            seed,
        )
    proc = subprocess.run(
        ["Rscript", str(SCRIPT), *(str(case["folder"]) for case in cases.values())],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "TZ": "UTC"},
    )
    assert proc.returncode == 0, proc.stderr
    for case in cases.values():
        folder = case["folder"]
        lines = (folder / "result.txt").read_text().splitlines()
        case["r"] = dict(line.split("=", 1) for line in lines)
        case["foldid"] = np.fromfile(folder / "foldid.bin", dtype=np.int32)
        case["pred"] = np.fromfile(folder / "pred.bin", dtype=np.float64)
    return cases


def _agree_on_path(fit, r: dict) -> None:
    assert fit.lambda_min_ == pytest.approx(float(r["lambda_min"]), rel=1e-6)
    assert fit.lambda_1se_ == pytest.approx(float(r["lambda_1se"]), rel=1e-6)
    assert len(fit.lambdas_) == int(r["n_lambda"])


@pytest.mark.parametrize("seed", HITTERS_SEEDS)
def test_lasso_agrees_with_glmnet_on_hitters_splits(glmnet_runs, seed):
    case = glmnet_runs[f"hitters-{seed}"]
    x, y, train, test = case["x"], case["y"], case["train"], case["test"]
    fit = LassoCV(measure="mae", fold_ids=case["foldid"]).fit(x[train], y[train])
    _agree_on_path(fit, case["r"])
    mae_r = np.mean(np.abs(case["pred"] - y[test]))
    mae = np.mean(np.abs(fit.predict(x[test]) - y[test]))
    assert mae == pytest.approx(mae_r, abs=5e-4)


@pytest.mark.parametrize("seed", MOVIE_SEEDS)
def test_logistic_lasso_agrees_with_glmnet_on_movie_data(glmnet_runs, seed):
    case = glmnet_runs[f"movies-{seed}"]
    x, y, train, test = case["x"], case["y"], case["train"], case["test"]
    fit = LogisticLassoCV(measure="deviance", fold_ids=case["foldid"]).fit(x[train], y[train])
    _agree_on_path(fit, case["r"])
    prob = fit.predict_proba(x[test])[:, 1]
    assert np.sum((prob > 0.5) == y[test]) == np.sum((case["pred"] > 0.5) == y[test])
    assert roc_auc(y[test], prob) == pytest.approx(roc_auc(y[test], case["pred"]), abs=5e-4)
    assert np.max(np.abs(prob - case["pred"])) < 1e-6
