"""Evaluation metrics shared by the labs, thin and checked wrappers around scikit-learn.

Regression metrics take ``y_true`` and ``y_pred`` of shape (n,) (a trailing axis of
length one is dropped) and return floats in the units of ``y``.

Classification metrics (§11.6.2) take 0/1 labels and predicted probabilities of class 1
of shape (n,); the threshold metrics accept a ``threshold`` in [0, 1] (default 0.5) and
``choose_threshold`` picks one on validation rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn import metrics as _skm

from nnlabs.errors import DataError, ParameterError
from nnlabs.validation import check_choice, check_float


def _as_vectors(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    if len(y_true) == 0 or len(y_pred) == 0:
        raise DataError("y_true and y_pred must not be empty")
    yt = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    yp = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if yt.shape[1] != 1 or yp.shape[1] != 1:
        raise DataError(
            f"y_true and y_pred must be vectors; got shapes {np.shape(y_true)} and "
            f"{np.shape(y_pred)}"
        )
    if len(yt) != len(yp):
        raise DataError(f"y_true and y_pred must have the same length; got {len(yt)} and {len(yp)}")
    if len(yt) == 0:
        raise DataError("y_true and y_pred must not be empty")
    return yt[:, 0], yp[:, 0]


def mae(y_true, y_pred) -> float:
    """Mean absolute error, in the units of ``y``."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.mean_absolute_error(yt, yp))


def mse(y_true, y_pred) -> float:
    """Mean squared error, in squared units of ``y``."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.mean_squared_error(yt, yp))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error, in the units of ``y``."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.root_mean_squared_error(yt, yp))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination R² (1 - RSS/TSS), unitless."""
    yt, yp = _as_vectors(y_true, y_pred)
    return float(_skm.r2_score(yt, yp))


REGRESSION_METRICS = {"MAE": mae, "MSE": mse, "RMSE": rmse, "R2": r2}

# Row-wise forms for resampling: ``(y_true, y_pred)`` of shape (draws, n) to one score
# per row, shape (draws,), equal to the metric of each row (the same summation order).
ROWWISE = {
    mae: lambda yt, yp: np.mean(np.abs(yp - yt), axis=1),
    mse: lambda yt, yp: np.mean((yt - yp) ** 2, axis=1),
    rmse: lambda yt, yp: np.sqrt(np.mean((yt - yp) ** 2, axis=1)),
}


# Classification ---------------------------------------------------------------------
#
# Binary labels are 0/1 (1 = the positive class, e.g. Hit). Threshold metrics take
# predicted probabilities of class 1 and call a row positive when its probability is
# *strictly greater* than ``threshold`` (the notes' ``prob > 0.5``), so 0/1 labels pass
# through unchanged at any threshold in (0, 1).

CRITERIA = ("f1", "recall")


def _classification_vectors(
    y_true, y_score, *, probabilities: bool
) -> tuple[np.ndarray, np.ndarray]:
    if len(y_true) == 0 or len(y_score) == 0:
        # Before _as_vectors, whose reshape cannot take an empty array.
        raise DataError("y_true and y_score must not be empty")
    yt, ys = _as_vectors(y_true, y_score)
    if not np.isin(yt, (0.0, 1.0)).all():
        bad = float(yt[~np.isin(yt, (0.0, 1.0))][0])
        raise DataError(f"y_true must hold 0/1 labels; got a value {bad!r}")
    if not np.all(np.isfinite(ys)):
        raise DataError("y_score must hold only finite values")
    if probabilities and (ys.min() < 0 or ys.max() > 1):
        raise DataError(
            f"y_score must hold probabilities in [0, 1]; got values from {ys.min():g} to "
            f"{ys.max():g}"
        )
    return yt.astype(np.int64), ys


def _both_classes(yt: np.ndarray, what: str) -> None:
    if np.unique(yt).size < 2:
        raise DataError(f"y_true must contain both classes 0 and 1 for {what}; got only {yt[0]}")


def classify(y_score, threshold: float = 0.5) -> np.ndarray:
    """Predicted 0/1 labels: 1 where the probability exceeds ``threshold``, shape (n,)."""
    threshold = check_float("threshold", threshold, 0, 1)
    scores = np.asarray(y_score, dtype=np.float64).reshape(-1)
    return (scores > threshold).astype(np.int64)


def _thresholded(y_true, y_score, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    threshold = check_float("threshold", threshold, 0, 1)
    yt, ys = _classification_vectors(y_true, y_score, probabilities=True)
    return yt, classify(ys, threshold)


def accuracy(y_true, y_score, *, threshold: float = 0.5) -> float:
    """Fraction of rows classified correctly at ``threshold``, in [0, 1]."""
    yt, yp = _thresholded(y_true, y_score, threshold)
    return float(_skm.accuracy_score(yt, yp))


def precision(y_true, y_score, *, threshold: float = 0.5) -> float:
    """TP / (TP + FP) at ``threshold``: of the rows called positive, the share that are.

    0.0 when no row is called positive.
    """
    yt, yp = _thresholded(y_true, y_score, threshold)
    return float(_skm.precision_score(yt, yp, labels=[0, 1], zero_division=0.0))


def recall(y_true, y_score, *, threshold: float = 0.5) -> float:
    """TP / (TP + FN) at ``threshold`` (sensitivity): of the positives, the share caught.

    0.0 when there is no positive row.
    """
    yt, yp = _thresholded(y_true, y_score, threshold)
    return float(_skm.recall_score(yt, yp, labels=[0, 1], zero_division=0.0))


def f1(y_true, y_score, *, threshold: float = 0.5) -> float:
    """Harmonic mean of precision and recall at ``threshold``; 0.0 when both are 0."""
    yt, yp = _thresholded(y_true, y_score, threshold)
    return float(_skm.f1_score(yt, yp, labels=[0, 1], zero_division=0.0))


def roc_auc(y_true, y_score) -> float:
    """Exact area under the ROC curve (the Mann-Whitney statistic), in [0, 1].

    Ties between a positive and a negative score count one half, as pROC's ``auc``;
    scores may be any real numbers (only their order matters). Both classes must occur.
    """
    yt, ys = _classification_vectors(y_true, y_score, probabilities=False)
    _both_classes(yt, "the AUC")
    return float(_skm.roc_auc_score(yt, ys))


def accuracy_rows(threshold: float = 0.5):
    """The row-wise form of ``accuracy`` at ``threshold``: ``f(y_true, y_score)`` of shape
    (draws, n) to (draws,), equal to ``accuracy`` of each row to the last bit."""

    def rows(y_true: np.ndarray, y_score: np.ndarray) -> np.ndarray:
        return np.mean((y_score > threshold) == (y_true == 1), axis=1)

    return rows


def auc_rows(y_true: np.ndarray, y_score: np.ndarray) -> np.ndarray:
    """``roc_auc`` of each row of (draws, n) arrays by the rank (Mann-Whitney) formula.

    Tied scores take their mean rank, so a positive-negative tie counts one half, as in
    ``roc_auc``; the values agree with it to float rounding (about 1e-15). A row holding
    a single class has no AUC: NaN.
    """
    from scipy.stats import rankdata

    positive = y_true == 1
    n_pos = positive.sum(axis=1)
    n_neg = y_true.shape[1] - n_pos
    ranks = rankdata(y_score, axis=1)
    u = np.where(positive, ranks, 0.0).sum(axis=1) - n_pos * (n_pos + 1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = u / (n_pos * n_neg)
    return np.where((n_pos > 0) & (n_neg > 0), auc, np.nan)


def log_loss(y_true, y_prob) -> float:
    """Mean binary cross-entropy -mean(y log p + (1 - y) log(1 - p)), in nats.

    Probabilities of exactly 0 or 1 are clipped to machine precision by scikit-learn,
    so a confident wrong prediction costs about 36 nats rather than infinity.
    """
    yt, yp = _classification_vectors(y_true, y_prob, probabilities=True)
    return float(_skm.log_loss(yt, yp, labels=[0, 1]))


def confusion_table(
    y_true,
    y_score,
    *,
    threshold: float = 0.5,
    class_names: tuple[str, str] = ("0", "1"),
) -> pd.DataFrame:
    """Counts of predicted by actual class at ``threshold``, as R's ``table(Predicted, Actual)``.

    Returns a 2 x 2 integer DataFrame: rows are the predicted class (index named
    ``"Predicted"``), columns the actual class (named ``"Actual"``), both labelled by
    ``class_names`` for 0 and 1 (the movies lab uses ``("Flop", "Hit")``). The diagonal
    holds the correct predictions; [1, 0] counts false positives, [0, 1] false negatives.
    """
    if len(class_names) != 2 or len(set(class_names)) != 2:
        raise ParameterError(f"class_names must be two distinct names; got {class_names!r}")
    yt, yp = _thresholded(y_true, y_score, threshold)
    # scikit-learn puts the actual class on the rows; the notes put it on the columns.
    counts = _skm.confusion_matrix(yt, yp, labels=[0, 1]).T
    index = pd.Index(list(class_names), name="Predicted")
    columns = pd.Index(list(class_names), name="Actual")
    return pd.DataFrame(counts, index=index, columns=columns)


def classification_scores(y_true, y_score, *, threshold: float = 0.5) -> dict[str, float]:
    """Every metric above for one model: Accuracy, AUC, Precision, Recall, F1, LogLoss."""
    out = {
        "Accuracy": accuracy(y_true, y_score, threshold=threshold),
        "AUC": roc_auc(y_true, y_score),
    }
    out["Precision"] = precision(y_true, y_score, threshold=threshold)
    out["Recall"] = recall(y_true, y_score, threshold=threshold)
    out["F1"] = f1(y_true, y_score, threshold=threshold)
    out["LogLoss"] = log_loss(y_true, y_score)
    return out


def choose_threshold(y_true, y_score, *, criterion: str = "f1", min_recall: float = 0.9) -> float:
    """Pick a probability threshold on validation rows (never on the test rows).

    ``criterion="f1"`` maximizes F1; ``criterion="recall"`` returns the highest
    threshold whose recall is at least ``min_recall`` (so the one with the fewest false
    positives among those that catch enough positives), the choice for screening
    problems where a missed positive is costly. Ties in F1 go to the higher threshold.

    Candidate cut points come from scikit-learn's ``precision_recall_curve``; the value
    returned lies halfway between the chosen score and the next lower score, so that
    ``y_score > threshold`` reproduces the chosen classification on these rows and is not
    on a knife-edge for new rows. Both classes must occur.

    Returns:
        A threshold in [0, 1] for the ``threshold`` argument of the metrics above.
    """
    check_choice("criterion", criterion, CRITERIA)
    min_recall = check_float("min_recall", min_recall, 0, 1, low_inclusive=False)
    yt, ys = _classification_vectors(y_true, y_score, probabilities=True)
    _both_classes(yt, "choosing a threshold")
    # precision[i] and recall[i] hold for calling positive every score >= cuts[i]; the
    # final (1, 0) pair belongs to no cut and is dropped.
    prec, rec, cuts = _skm.precision_recall_curve(yt, ys)
    prec, rec = prec[:-1], rec[:-1]
    if criterion == "f1":
        total = prec + rec
        scores = np.divide(2 * prec * rec, total, out=np.zeros_like(total), where=total > 0)
        best = int(np.flatnonzero(scores == scores.max())[-1])
    else:
        best = int(np.flatnonzero(rec >= min_recall)[-1])
    below = cuts[best - 1] if best > 0 else 0.0
    return float((cuts[best] + below) / 2)


CLASSIFICATION_METRICS = {
    "Accuracy": accuracy,
    "AUC": roc_auc,
    "Precision": precision,
    "Recall": recall,
    "F1": f1,
    "LogLoss": log_loss,
}
