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
# # Lab 2: NYC 311 resolution time (linear models and a network on log-hours)
#
# This notebook follows §11.11.4 of the notes on simulated 311 requests (the real files
# can be passed with `data=`): the log of the hours a request took to close, predicted
# from its complaint type, agency and month, by linear regression, the Lasso and a
# three-layer network (Table 11.33), and the nested R² of the linear models.

# %%
from nnlabs.labs import nyc311
from nnlabs.presentation import figures

# %%
SMALL = {"importance_repeats": 2, "importance_rows": 500, "shap_rows": 5,
         "shap_background": 10, "shap_samples": 64}  # fmt: skip
result = nyc311.run(epochs=3, simulated_rows=20_000, **SMALL)
print(result)

# %%
result.extras["nested_r2"]

# %%
figures.intervals_figure(result)

# %%
figures.residuals_figure(result)

# %%
figures.history_figure(result)

# %% [markdown]
# ## Using the trained model (§11.10)
#
# A new request, with the export's raw columns: the lumping of rare complaint types and
# agencies (fitted on the training rows) and the range scaling travel with the models;
# an agency the training rows never had is predicted as "Other", with a note. The
# models predict log(1 + hours).

# %%
import numpy as np

request = result.test_data.drop(columns="response_hours").iloc[[0]]
predicted = result.predict(request)
np.expm1(predicted)  # in hours
