"""Simulated movies for the Hit/Flop lab (§11.11.6.1).

Each movie has six features drawn independently, and a log revenue that is linear in
log(budget), cast score, the three indicators and log(marketing), plus N(0, 0.8²)
noise. Movies are ranked by log revenue into terciles with the semantics of dplyr's
``ntile``; the top tercile is a Hit (1) and the bottom a Flop (0).

The generative model is the notes'; the random numbers are NumPy's, not R's, so the
rows differ from the notes' data while every count that depends only on ``n`` (333
movies, 166 Hits, 167 Flops for n = 500) is the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nnlabs.errors import DataError
from nnlabs.validation import check_choice, check_int

FEATURES = ("budget_m", "cast_score", "sequel", "genre_action", "genre_comedy", "marketing_m")
RESPONSE = "hit"
LABELS = ("terciles", "median")

# Ranges of the uniform features and success probabilities of the 0/1 features.
BUDGET_RANGE = (5.0, 200.0)  # $M production budget
CAST_RANGE = (0.0, 10.0)  # aggregate star-power score
MARKETING_RANGE = (1.0, 80.0)  # $M marketing spend
P_SEQUEL, P_ACTION, P_COMEDY = 0.3, 0.25, 0.20

# Coefficients of the true log revenue, and the sd of its noise.
COEFFICIENTS = {
    "log_budget": 0.8,
    "cast_score": 0.5,
    "sequel": 0.4,
    "genre_action": 0.3,
    "genre_comedy": 0.2,
    "log_marketing": 0.3,
}
NOISE_SD = 0.8


def ntile(x, n: int) -> np.ndarray:
    """Bin ``x`` into ``n`` groups of (almost) equal size, as dplyr's ``ntile(x, n)``.

    Values are ranked with ties broken by position (dplyr's ``row_number``); group
    sizes differ by at most one and the larger groups come first, so
    ``ntile([1, 2, 3, 4, 5, 6, 7], 3)`` is ``[1, 1, 1, 2, 2, 3, 3]``. With fewer values
    than groups the values take groups 1, 2, ... in rank order.

    Args:
        x: a numeric vector of shape (m,), m >= 1, finite (dplyr would return NA for a
            missing value; here it is an error).
        n: the number of groups, an integer >= 1.

    Returns:
        Integer group numbers in 1..n, shape (m,).
    """
    n = check_int("n", n, minimum=1)
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"x must be a numeric vector; could not convert it ({exc})") from exc
    if values.ndim != 1 or values.size == 0:
        raise DataError(f"x must be a non-empty vector; got shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise DataError("x must hold only finite values (dplyr's ntile would give NA)")
    size = values.size
    # 1-based ranks, ties in order of appearance (a stable sort).
    ranks = np.empty(size, dtype=np.int64)
    ranks[np.argsort(values, kind="stable")] = np.arange(1, size + 1)
    n_larger = size % n
    larger_size = -(-size // n)
    smaller_size = size // n
    larger_threshold = larger_size * n_larger
    groups = np.empty(size, dtype=np.int64)
    in_larger = ranks <= larger_threshold
    groups[in_larger] = (ranks[in_larger] - 1) // larger_size + 1
    if smaller_size > 0:
        rest = ranks[~in_larger] - larger_threshold
        groups[~in_larger] = (rest - 1) // smaller_size + n_larger + 1
    return groups


def simulate(n: int = 500, seed: int = 42, *, labels: str = "terciles") -> pd.DataFrame:
    """Simulate ``n`` movies and label them Hit (1) or Flop (0).

    Features: ``budget_m`` ~ U(5, 200), ``cast_score`` ~ U(0, 10), ``sequel`` ~
    Bernoulli(0.3), ``genre_action`` ~ Bernoulli(0.25), ``genre_comedy`` ~
    Bernoulli(0.2), ``marketing_m`` ~ U(1, 80); ``log_revenue`` = 0.8 log(budget) +
    0.5 cast + 0.4 sequel + 0.3 action + 0.2 comedy + 0.3 log(marketing) + N(0, 0.8²).

    Labels:
        ``"terciles"`` (the notes): ``tercile = ntile(log_revenue, 3)``; Hit = tercile 3,
        Flop = tercile 1, and the middle tercile is dropped, so 500 movies give 333 rows
        (166 Hits, 167 Flops). Dropping the middle removes exactly the movies whose
        revenue is closest to the Hit/Flop boundary, the ones hardest to classify, so
        the accuracy and AUC measured on what is left are higher than a model would
        reach on all movies; they describe an easier problem than "will this movie be
        a hit".

        ``"median"``: every movie is kept and Hit = log revenue above the median
        (``ntile(log_revenue, 2) == 2``), an honest but harder task.

    Args:
        n: number of movies simulated, an integer >= 3 (three terciles).
        seed: seed of NumPy's generator; the same seed gives the same frame.
        labels: ``"terciles"`` or ``"median"``.

    Returns:
        A DataFrame with the six feature columns (float; the indicators are 0.0/1.0),
        ``log_revenue``, ``tercile`` (1..3) and ``hit`` (int 0/1), rows in simulation
        order with a fresh 0-based index.
    """
    n = check_int("n", n, minimum=3)
    seed = check_int("seed", seed, minimum=0)
    check_choice("labels", labels, LABELS)
    rng = np.random.default_rng(seed)
    # One feature at a time, in the notes' column order.
    frame = pd.DataFrame(
        {
            "budget_m": rng.uniform(*BUDGET_RANGE, size=n),
            "cast_score": rng.uniform(*CAST_RANGE, size=n),
            "sequel": rng.binomial(1, P_SEQUEL, size=n).astype(np.float64),
            "genre_action": rng.binomial(1, P_ACTION, size=n).astype(np.float64),
            "genre_comedy": rng.binomial(1, P_COMEDY, size=n).astype(np.float64),
            "marketing_m": rng.uniform(*MARKETING_RANGE, size=n),
        }
    )
    c = COEFFICIENTS
    frame["log_revenue"] = (
        c["log_budget"] * np.log(frame["budget_m"])
        + c["cast_score"] * frame["cast_score"]
        + c["sequel"] * frame["sequel"]
        + c["genre_action"] * frame["genre_action"]
        + c["genre_comedy"] * frame["genre_comedy"]
        + c["log_marketing"] * np.log(frame["marketing_m"])
        + rng.normal(0.0, NOISE_SD, size=n)
    )
    frame["tercile"] = ntile(frame["log_revenue"], 3)
    if labels == "median":
        frame[RESPONSE] = (ntile(frame["log_revenue"], 2) == 2).astype(int)
        return frame
    frame = frame[frame["tercile"] != 2].copy()
    frame[RESPONSE] = (frame["tercile"] == 3).astype(int)
    return frame.reset_index(drop=True)
