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
# # Lab 4: Movie Hit or Flop (logistic Lasso against a network)
#
# This notebook follows §11.11.6 of the notes: 500 simulated movies, the middle tercile
# of revenue dropped (333 left: 166 Hits, 167 Flops), a 75/25 split, a logistic Lasso
# and a three-layer network compared by accuracy and AUC (Table 11.35). Epochs are kept
# small; the notes train for up to 300.

# %%
from nnlabs.data import movies as movies_data
from nnlabs.labs import movies
from nnlabs.presentation import figures

# %%
frame = movies_data.simulate()
frame["hit"].value_counts()

# %%
SMALL = {"importance_repeats": 2, "shap_rows": 10, "shap_background": 10, "shap_samples": 64,
         "bootstrap_draws": 500, "fairness_draws": 200}  # fmt: skip
result = movies.run(epochs=20, **SMALL)
print(result)

# %% [markdown]
# The notes report 91.6% accuracy for both models, AUC 0.972 (Lasso) and 0.981
# (network). With 83 test movies, one movie is 1.2 points of accuracy: look at the
# intervals before believing a difference.

# %%
figures.intervals_figure(result)

# %% [markdown]
# ## ROC curves, calibration and confusion matrices

# %%
figures.roc_figure(result)

# %%
figures.calibration_figure(result)

# %%
figures.confusion_figure(result)

# %% [markdown]
# ## Training history (early stopping on the validation AUC)

# %%
figures.history_figure(result)

# %% [markdown]
# ## Responsible modelling (§11.16): errors by group and fairness differences

# %%
result.subgroups

# %%
result.fairness

# %%
import tempfile

from nnlabs.presentation.report import write_report

write_report(result, tempfile.mkdtemp()).name

# %% [markdown]
# ## Using the trained model (§11.10)
#
# A new film, described by the lab's six raw columns: each model's probability of a Hit
# and its class (a probability above the threshold).

# %%
film = result.test_data.drop(columns="hit").iloc[[0]]
film

# %%
result.predict(film, type="prob")
