# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 3: NYC taxi fares (Lasso, the notes' network, zone embeddings)
#
# This notebook follows §11.11.5 of the notes: the metered fare of a taxi trip from its
# distance, duration, time and pickup and dropoff zones, by the Lasso, the notes'
# three-layer network and a network that learns an embedding of each zone (Table 11.34).
# It reads the TLC trip records from `NNLABS_DATA_DIR` (or downloads them); a small
# sample keeps it to about a minute.

# %%
from nnlabs.labs import taxi
from nnlabs.presentation import figures

# %%
SMALL = {"importance_repeats": 2, "importance_rows": 500, "shap_rows": 5,
         "shap_background": 10, "shap_samples": 64}  # fmt: skip
result = taxi.run(rows=20_000, epochs=3, **SMALL)
print(result)

# %%
figures.intervals_figure(result)

# %%
figures.predicted_actual_figure(result)

# %%
figures.history_figure(result)

# %% [markdown]
# ## Using the trained model (§11.10)
#
# A new trip as TLC publishes it: pickup and dropoff times instead of the hour, weekday
# and duration the lab derives from them. The fare each model predicts, in dollars:

# %%
import pandas as pd

trip = pd.DataFrame(
    {
        "tpep_pickup_datetime": [pd.Timestamp("2023-01-10 08:15")],
        "tpep_dropoff_datetime": [pd.Timestamp("2023-01-10 08:37")],
        "passenger_count": [1],
        "trip_distance": [3.2],
        "PULocationID": [161],  # Midtown Center
        "DOLocationID": [236],  # Upper East Side North
    }
)
result.predict(trip)
