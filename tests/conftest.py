"""Shared test set-up: a private cache folder, quiet TensorFlow, the real-data folder, a
read-only folder, and the count of fuzz cases printed at the end of the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Before nnlabs (and so Keras) is imported by any test module.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Idle OpenMP threads sleep instead of spinning: on a busy machine, spinning threads
# slowed the gradient-boosted trees' small fits tenfold (nnlabs.models.trees).
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
os.environ["NNLABS_CACHE_DIR"] = tempfile.mkdtemp(prefix="nnlabs-test-cache-")


@pytest.fixture
def data_dir() -> Path:
    """The real-data folder from NNLABS_DATA_DIR; skips the test when it is not set."""
    value = os.environ.get("NNLABS_DATA_DIR")
    if not value or not Path(value).is_dir():
        pytest.skip("NNLABS_DATA_DIR is not set to a folder of real data")
    return Path(value)


@pytest.fixture
def read_only_dir(tmp_path):
    """A folder no one may write into: mode 0500, and immutable when running as root."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    immutable = False
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("chattr"):
        immutable = (
            subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        )
    try:
        try:
            (folder / "probe").touch()
        except OSError:
            pass
        else:
            (folder / "probe").unlink()
            pytest.skip("cannot make a read-only folder here (root without chattr)")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o700)


def pytest_terminal_summary(terminalreporter) -> None:
    """After the run: how many generated cases each fuzz test (tests/test_fuzz.py) tried."""
    fuzz = sys.modules.get("_fuzz")
    if fuzz is None or not fuzz.CASES:
        return
    total = sum(fuzz.CASES.values())
    terminalreporter.write_sep("-", f"fuzz: {total:,} cases over {len(fuzz.CASES)} entry points")
    for name, count in sorted(fuzz.CASES.items()):
        terminalreporter.write_line(f"{count:6,d}  {name}")
