"""One small lab run for tests/test_determinism.py: ``python _determinism_run.py OUT.json``.

Runs the movies lab (3 epochs, 3 Lasso folds, no cache, a short bootstrap) on the backend
named by ``NNLABS_BACKEND``; writes the backend's name and the result's JSON form, less
its wall times, to OUT.json.
"""

from __future__ import annotations

import json
import sys

from nnlabs import labs

# Wall times the result records (fits, analyses): the only figures that may differ.
TIMINGS = ("seconds", "fit_seconds", "analysis_seconds", "phase_seconds", "timings")


def without_timings(value):
    """``value`` (a JSON-ready result) with every timing entry removed, at any depth."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if k not in TIMINGS}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


def main(out: str) -> None:
    import keras

    result = labs.run("movies", epochs=3, lasso_folds=3, bootstrap_draws=20, cache=False)
    record = {"backend": keras.backend.backend(), "result": without_timings(result.to_dict())}
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(record, fh, indent=1, sort_keys=True, allow_nan=True)


if __name__ == "__main__":
    main(sys.argv[1])
