"""Small inputs for whole-lab tests: analyses sizes, synthetic taxi trips and a zone lookup."""

from __future__ import annotations

import numpy as np
import pandas as pd

# The §11.16 analyses at sizes that keep a whole-lab test to seconds.
ANALYSES = {
    "importance_repeats": 2,
    "importance_rows": 200,
    "shap_rows": 3,
    "shap_background": 5,
    "shap_samples": 32,
    "fairness_draws": 50,
}

MANHATTAN = (161, 162, 230, 236, 237, 48)
OTHER = (132, 138, 1, 79, 7)


def synthetic_zones() -> pd.DataFrame:
    """A stand-in for TLC's lookup: 265 zones, the airports and a few Manhattan ones real."""
    ids = np.arange(1, 266)
    borough = np.where(ids % 2 == 0, "Brooklyn", "Queens").astype(object)
    service = np.full(len(ids), "Boro Zone", dtype=object)
    borough[np.isin(ids, MANHATTAN)] = "Manhattan"
    service[np.isin(ids, MANHATTAN)] = "Yellow Zone"
    airports = np.isin(ids, (132, 138))
    borough[airports], service[airports] = "Queens", "Airports"
    borough[0], service[0] = "EWR", "EWR"
    borough[263], borough[264] = "Unknown", "N/A"
    return pd.DataFrame(
        {"LocationID": ids, "Borough": borough, "Zone": "z", "service_zone": service}
    )


def synthetic_trips(n: int, seed: int = 0) -> pd.DataFrame:
    """Trips shaped like read_trips' output; fares follow a meter, JFK trips are flat $70."""
    rng = np.random.default_rng(seed)
    zones = np.array(MANHATTAN + OTHER)
    pu, do = rng.choice(zones, n), rng.choice(zones, n)
    distance = rng.gamma(2.0, 1.5, n) + 0.2
    duration = distance * rng.uniform(2.5, 5.0, n) + 2.0
    fare = 3.0 + 2.5 * distance + 0.3 * duration + rng.normal(0, 0.5, n)
    fare = np.where((pu == 132) | (do == 132), 70.0, fare)
    return pd.DataFrame(
        {
            "fare_amount": fare.astype(np.float32),
            "trip_distance": distance.astype(np.float32),
            "passenger_count": rng.integers(1, 5, n).astype(np.int16),
            "PULocationID": pu.astype(np.int16),
            "DOLocationID": do.astype(np.int16),
            "hour_of_day": rng.integers(0, 24, n).astype(np.int16),
            "day_of_week": rng.integers(1, 8, n).astype(np.int16),
            "duration_min": duration.astype(np.float32),
        }
    )
