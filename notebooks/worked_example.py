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
# # The worked example of §11.4: forward and backward by hand
#
# A 5-4-3 network, its forward pass and its backpropagation computed step by step in
# NumPy, with the notes' numbers, and checked against Keras' automatic differentiation.

# %%
from nnlabs import worked_example as we

# %%
print(we.main_walkthrough("regression", 1))

# %%
net = we.notes_network("regression")
X, y = we.notes_data("regression")
round(float(we.forward(net, X).Z[0][0, 0]), 3)  # z_1,1 of §11.4.3.1

# %%
tables = we.walkthrough_tables("regression", 1)
list(tables)

# %% [markdown]
# ## Classification, the second observation

# %%
print(we.main_walkthrough("classification", 2))
