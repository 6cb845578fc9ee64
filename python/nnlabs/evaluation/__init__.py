"""How models are scored and compared.

``metrics`` (MAE, accuracy, AUC...), ``intervals`` (paired bootstrap and corrected
resampled-t intervals), ``explain`` (permutation importance, SHAP) and ``fairness``
(metrics by subgroup, Table 11.38's differences).
"""
