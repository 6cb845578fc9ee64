"""``nnlabs.models.baselines.LassoCV`` against R's ``cv.glmnet`` on the same matrices.

For the Hitters lab (263 x 20, ``type.measure = "mae"``) and the taxi lab (300,000
sampled trips of the synthetic month, 240,000 x 7 training rows, ``"mse"``) the design
matrices the labs feed their Lasso are written to ``bench/_work/glmnet/<lab>`` as raw
float64, and ``bench/glmnet_fit.R`` runs ``cv.glmnet`` twice: with the folds LassoCV
used (``foldid``: differences then come from the solvers alone) and with R's own random
folds (the notes' situation). Reported: median fit time, lambda.min, test MAE, number of
non-zero coefficients, and the ratios R / Python.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench import _common

TAXI_SAMPLE = 300_000
FULL = {"repeats": 3, "taxi_rows": TAXI_SAMPLE}
QUICK = {"repeats": 1, "taxi_rows": 20_000}
N_FOLDS = 10
R_SCRIPT = _common.BENCH / "glmnet_fit.R"


def _hitters() -> dict[str, Any]:
    from nnlabs.data import hitters as hitters_data
    from nnlabs.labs import hitters

    settings = hitters.HittersSettings()
    x_df, y = hitters.design(hitters_data.load())
    x = x_df.to_numpy(dtype=np.float64)
    return _split_scaled(x, y, settings, "mae")


def _taxi(rows: int) -> dict[str, Any] | None:
    from bench.dataprep import month_path
    from nnlabs.data.taxi import read_trips
    from nnlabs.labs import taxi

    path = month_path()
    if path is None:
        return None
    settings = taxi.TaxiSettings()
    trips = read_trips(path, n=rows, seed=settings.sample_seed)
    x = trips[list(taxi.PREDICTORS)].to_numpy(dtype=np.float64)
    y = trips[taxi.RESPONSE].to_numpy(dtype=np.float64)
    return _split_scaled(x, y, settings, "mse")


def _split_scaled(x: np.ndarray, y: np.ndarray, settings: Any, measure: str) -> dict[str, Any]:
    """The lab's split and training-row scaling of (x, y), as the lab's Lasso sees them."""
    from nnlabs.design.features import fit_scaler
    from nnlabs.splits import random_split

    split = random_split(len(y), settings.test_fraction, settings.seed)
    xs = fit_scaler(x, split.train, settings.scaling).transform(x)
    return {
        "x_train": xs[split.train],
        "y_train": y[split.train],
        "x_test": xs[split.test],
        "y_test": y[split.test],
        "measure": measure,
        "seed": settings.lasso_seed,
    }


def _fold_ids(n: int, seed: int) -> np.ndarray:
    """LassoCV's folds (KFold, shuffled with ``seed``) as glmnet's 1-based foldid."""
    from sklearn.model_selection import KFold

    ids = np.empty(n, dtype=np.int32)
    for k, (_, held) in enumerate(KFold(N_FOLDS, shuffle=True, random_state=seed).split(ids)):
        ids[held] = k + 1
    return ids


def _write(folder: Path, data: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    n, p = data["x_train"].shape
    (folder / "dims.txt").write_text(f"{n} {p} {len(data['y_test'])}\n")
    for name in ("x_train", "x_test"):
        np.asfortranarray(data[name], dtype=np.float64).T.tofile(folder / f"{name}.bin")
    for name in ("y_train", "y_test"):
        np.asarray(data[name], dtype=np.float64).tofile(folder / f"{name}.bin")
    _fold_ids(n, data["seed"]).tofile(folder / "foldid.bin")


def _python_fit(data: dict[str, Any], repeats: int) -> dict[str, Any]:
    from nnlabs.models.baselines import LassoCV

    seconds = []
    for _ in range(repeats):
        model = LassoCV(n_folds=N_FOLDS, measure=data["measure"], seed=data["seed"])
        start = time.perf_counter()
        model.fit(data["x_train"], data["y_train"])
        seconds.append(time.perf_counter() - start)
    pred = model.predict(data["x_test"])
    return {
        "seconds": round(_common.median(seconds), 4),
        "lambda_min": model.lambda_min_,
        "lambda_1se": model.lambda_1se_,
        "lambda_max": float(model.lambdas_[0]),
        "n_lambdas": len(model.lambdas_),
        "test_mae": float(np.mean(np.abs(pred - data["y_test"]))),
        "nonzero": int(np.count_nonzero(model.coef_)),
        "cv_min": float(model.cv_mean_.min()),
    }


def _r_fit(folder: Path, measure: str, repeats: int) -> dict[str, Any]:
    argv = ["Rscript", str(R_SCRIPT), str(folder), measure, str(repeats)]
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr[-1500:]}")
    out: dict[str, Any] = {"rscript_wall_s": round(wall, 3)}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition("=")
        if not _:
            continue
        try:
            out[key] = float(value) if key not in ("glmnet_version", "r_version") else value
        except ValueError:
            out[key] = value
    return out


def _compare(py: dict[str, Any], r: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        "time_ratio_r_over_python": round(r[f"{prefix}_seconds"] / py["seconds"], 3),
        "lambda_min_ratio_r_over_python": round(r[f"{prefix}_lambda_min"] / py["lambda_min"], 4),
        "test_mae_difference_r_minus_python": r[f"{prefix}_test_mae"] - py["test_mae"],
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Run this section at full size (CI-sized with ``quick``); return its figures."""
    from shutil import which

    mode = QUICK if quick else FULL
    if which("Rscript") is None:
        return {"skipped": "Rscript is not on PATH (Debian: r-base-core, r-cran-glmnet)"}
    labs: dict[str, Any] = {}
    datasets = {"hitters": _hitters, "taxi": lambda: _taxi(mode["taxi_rows"])}
    for name, make in datasets.items():
        data = make()
        if data is None:
            labs[name] = {"skipped": "no real taxi sample in NNLABS_DATA_DIR"}
            continue
        print(f"  glmnet {name}: {data['x_train'].shape}", flush=True)
        folder = _common.WORK / "glmnet" / name
        _write(folder, data)
        py = _python_fit(data, mode["repeats"])
        r = _r_fit(folder, data["measure"], mode["repeats"])
        labs[name] = {
            "n_train": int(data["x_train"].shape[0]),
            "p": int(data["x_train"].shape[1]),
            "n_test": len(data["y_test"]),
            "measure": data["measure"],
            "python": py,
            "r": r,
            "same_folds": _compare(py, r, "same_folds"),
            "own_folds": _compare(py, r, "own_folds"),
        }
    return {"labs": labs, "repeats": mode["repeats"]}
