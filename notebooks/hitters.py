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
# # Lab 1: Hitters salaries (linear regression, Lasso, neural network)
#
# This notebook follows §11.11.3 of the notes: predict a baseball player's `Salary` from
# 19 performance statistics with linear regression, the Lasso and a two-layer network,
# and compare the test-set mean absolute error (Table 11.32). Epochs and the §11.16
# analyses are kept small so that it runs in about a minute; the notes train for up to
# 500 epochs (`hitters.run()` with no arguments uses the notes' settings).

# %%
from nnlabs.data import hitters as hitters_data
from nnlabs.labs import hitters
from nnlabs.presentation import figures

# %% [markdown]
# ## The data
#
# The shipped copy of ISLR2's `Hitters`: 322 players, of whom 263 have a salary (the
# notes' `na.omit(Hitters)`).

# %%
frame = hitters_data.load()
frame.shape

# %% [markdown]
# ## The lab
#
# One call fits the models of Table 11.32 (plus gradient-boosted trees, §11.16.1): the
# split (2/3 training, seed 13), the scaler fitted on the training rows, the Lasso with
# lambda chosen by 10-fold cross-validation on MAE, and the network of Table 11.1 with
# early stopping on 20% of the training rows.

# %%
SMALL = {"importance_repeats": 2, "shap_rows": 10, "shap_background": 10, "shap_samples": 64}
result = hitters.run(epochs=30, **SMALL)
print(result)

# %% [markdown]
# The notes report 254.7 (LM), 253.1 (Lasso) and 280.5 (network); the split here is
# NumPy's, not R's, so the baselines differ a little (`docs/results.md`).
#
# ## Can the models be told apart?
#
# With 87 test rows the intervals are wide: a difference whose interval crosses zero
# cannot be told from noise.

# %%
figures.intervals_figure(result)

# %% [markdown]
# ## Training history
#
# The dashed line marks the epoch whose weights early stopping kept.

# %%
figures.history_figure(result)

# %% [markdown]
# ## The Lasso's cross-validation curve, as `plot(cv.glmnet)` draws it

# %%
figures.lasso_cv_figure(result)

# %% [markdown]
# ## Errors: predicted against actual, residuals against fitted

# %%
figures.predicted_actual_figure(result)

# %%
figures.residuals_figure(result)

# %% [markdown]
# ## What the models rely on (§11.16.2)

# %%
figures.importance_figure(result)

# %%
result.subgroups

# %% [markdown]
# ## The report
#
# Everything above, with the model card and what it takes to rerun, in one HTML file:

# %%
import tempfile

from nnlabs.presentation.report import write_report

path = write_report(result, tempfile.mkdtemp())
path.name

# %% [markdown]
# ## Using the trained model (§11.10)
#
# Every model is a pipeline from the raw columns, as in the data file: the coding of
# League, Division and NewLeague and the scaler fitted on the training rows travel with
# it. What salary does each model predict for a player like the first one, three years
# more experienced? Saved, the lab predicts the same in another session.

# %%
player = frame.iloc[[0]].assign(Years=frame["Years"].iloc[0] + 3)
result.predict(player)

# %%
import nnlabs

folder = tempfile.mkdtemp()
result.save(folder)
nnlabs.load_lab(folder).predict(player)
