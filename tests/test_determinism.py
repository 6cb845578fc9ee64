"""Same settings, same numbers: a lab run in two fresh processes gives identical results,
on TensorFlow and on JAX (every metric, history entry and interval, to the last bit)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("_determinism_run.py")


def _require(backend: str) -> None:
    """Skip when the backend's library is missing, except in CI, where that is a failure."""
    if importlib.util.find_spec(backend) is not None:
        return
    message = f"{backend} is not installed (make test installs it: uv sync --extra {backend})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true: {message}")
    pytest.skip(message)


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_two_fresh_processes_give_identical_results(backend, tmp_path):
    _require(backend)
    env = {**os.environ, "NNLABS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("KERAS_BACKEND", None)
    outs = [tmp_path / f"run{i}.json" for i in (1, 2)]
    runs = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), str(out)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in outs
    ]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err[-3000:]
    texts = [out.read_text(encoding="utf-8") for out in outs]
    first = json.loads(texts[0])
    assert first["backend"] == backend
    result = first["result"]
    assert len(result["history"]) >= 1 and {row["Model"] for row in result["table"]} == {
        "Logistic Regression (Lasso)",
        "Neural Network (3-layer)",
        "Gradient-boosted trees",
    }
    # Compared as text, so that every float must match exactly (and NaN matches NaN).
    assert texts[0] == texts[1]


def test_a_missing_backend_fails_under_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: jax is not installed"):
        _require("jax")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="jax is not installed"):
        _require("jax")
