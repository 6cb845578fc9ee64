"""The models a lab compares, all with the scikit-learn contract.

``estimators`` (Keras networks as regressors and classifiers), ``networks`` (their
layer factories), ``baselines`` (linear regression and glmnet-style Lassos) and
``trees`` (gradient-boosted trees).
"""
