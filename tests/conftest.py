"""Shared test set-up: a private cache folder, quiet TensorFlow, the real-data folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before nnlabs (and so Keras) is imported by any test module.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Idle OpenMP threads sleep instead of spinning: on a busy machine, spinning threads
# slowed the gradient-boosted trees' small fits tenfold (nnlabs.trees).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ["NNLABS_CACHE_DIR"] = tempfile.mkdtemp(prefix="nnlabs-test-cache-")


@pytest.fixture
def data_dir() -> Path:
    """The real-data folder from NNLABS_DATA_DIR; skips the test when it is not set."""
    value = os.environ.get("NNLABS_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("NNLABS_DATA_DIR is not set to a folder of real data")
    return Path(value)
