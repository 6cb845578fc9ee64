"""The numbers of every lab at tiny settings, pinned before the lab pipeline was refactored.

tests/pinned/tables.json was written by tests/pinned/make_pinned.py on the code before
the refactor; the same runs must give the same tables, intervals, histories and extras.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pinned.make_pinned import CASES, compute

PINNED = json.loads((Path(__file__).parent / "pinned" / "tables.json").read_text())


def _assert_close(got, want, path: str) -> None:
    if isinstance(want, dict):
        assert set(got) == set(want), path
        for key in want:
            _assert_close(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _assert_close(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert (math.isnan(want) and math.isnan(got)) or got == pytest.approx(
            want, rel=1e-6, abs=1e-9
        ), path
    else:
        assert got == want, path


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_lab_numbers_are_unchanged(name):
    _assert_close(compute(name), PINNED[name], name)
