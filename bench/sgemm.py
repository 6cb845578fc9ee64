"""The machine's single-precision matrix-multiply peak, measured with NumPy (sgemm).

``peak_gflops()`` times square float32 products of a few sizes and returns the best
rate. Training figures are quoted as a fraction of this number measured in the same
process a moment before, because the load on a shared machine moves both.
"""

from __future__ import annotations

import time

import numpy as np

SIZES = (1024, 2048, 3072)
# Each size is timed for about this many seconds, best repetition kept.
SECONDS_PER_SIZE = 0.6
SEED = 0


def peak_gflops(sizes: tuple[int, ...] = SIZES, seconds: float = SECONDS_PER_SIZE) -> float:
    """Best sgemm rate in GFLOP/s (2 n^3 FLOP per n x n product) over ``sizes``."""
    rng = np.random.default_rng(SEED)
    best = 0.0
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        out = np.empty((n, n), dtype=np.float32)
        np.matmul(a, b, out=out)  # warm-up: thread pool and caches
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            np.matmul(a, b, out=out)
            best = max(best, 2.0 * n**3 / (time.perf_counter() - start) / 1e9)
    return best


if __name__ == "__main__":
    print(f"sgemm peak: {peak_gflops():.1f} GFLOP/s")
