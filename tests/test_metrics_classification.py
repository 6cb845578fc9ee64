"""Classification metrics (§11.6.2) against values worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nnlabs import DataError, ParameterError
from nnlabs.evaluation import metrics as m


def notes_example() -> tuple[np.ndarray, np.ndarray]:
    """83 test movies with the notes' confusion matrix: Flop/Flop 36, Flop/Hit 2,
    Hit/Flop 5, Hit/Hit 40 (Predicted/Actual), as 0/1 labels and 0/1 predictions."""
    pairs = [(0, 0)] * 36 + [(0, 1)] * 2 + [(1, 0)] * 5 + [(1, 1)] * 40
    predicted, actual = np.array(pairs).T
    return actual, predicted


def test_notes_confusion_matrix_and_rates():
    actual, predicted = notes_example()
    table = m.confusion_table(actual, predicted, class_names=("Flop", "Hit"))
    expected = pd.DataFrame(
        [[36, 2], [5, 40]],
        index=pd.Index(["Flop", "Hit"], name="Predicted"),
        columns=pd.Index(["Flop", "Hit"], name="Actual"),
    )
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
    assert m.accuracy(actual, predicted) == pytest.approx(76 / 83)
    assert m.precision(actual, predicted) == pytest.approx(40 / 45)
    assert m.recall(actual, predicted) == pytest.approx(40 / 42)
    assert m.f1(actual, predicted) == pytest.approx(2 * 40 / (2 * 40 + 5 + 2))


def test_threshold_is_strict_and_moves_the_trade_off():
    y = [0, 1, 0, 1]
    p = [0.2, 0.4, 0.6, 0.8]
    assert m.accuracy(y, p) == 0.5  # calls 0.6 and 0.8 Hits
    assert m.recall(y, p, threshold=0.3) == 1.0
    assert m.precision(y, p, threshold=0.3) == pytest.approx(2 / 3)
    # 0.6 is not above a threshold of 0.6: only 0.8 is called positive.
    np.testing.assert_array_equal(m.classify(p, 0.6), [0, 0, 0, 1])
    assert m.precision(y, p, threshold=0.6) == 1.0
    assert m.recall(y, p, threshold=0.6) == 0.5
    # Nothing above 1: no positive call, precision 0 by convention, recall 0.
    assert m.precision(y, p, threshold=1.0) == 0.0
    assert m.f1(y, p, threshold=1.0) == 0.0
    table = m.confusion_table(y, p, threshold=0.3)
    assert table.to_numpy().tolist() == [[1, 0], [1, 2]]


def test_exact_auc_by_hand():
    # Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered.
    assert m.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == pytest.approx(0.75)
    # A tie between a positive and a negative counts one half (pROC's convention).
    assert m.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.1, 0.9]) == pytest.approx(0.875)
    # Only the order matters: logits give the AUC of their probabilities.
    logits = np.array([-2.0, 0.3, -0.1, 1.5])
    assert m.roc_auc([0, 0, 1, 1], logits) == m.roc_auc([0, 0, 1, 1], 1 / (1 + np.exp(-logits)))


def test_log_loss_by_hand():
    expected = -(np.log(0.8) + np.log(0.6)) / 2
    assert m.log_loss([1, 0], [0.8, 0.4]) == pytest.approx(expected)
    assert m.log_loss(np.array([[1], [0]]), np.array([[0.8], [0.4]])) == pytest.approx(expected)


def test_classification_scores_bundle():
    actual, predicted = notes_example()
    scores = m.classification_scores(actual, predicted)
    assert list(scores) == ["Accuracy", "AUC", "Precision", "Recall", "F1", "LogLoss"]
    assert scores["Accuracy"] == pytest.approx(76 / 83)
    assert list(m.CLASSIFICATION_METRICS) == list(scores)
    assert list(m.REGRESSION_METRICS) == ["MAE", "MSE", "RMSE", "R2"]


Y_VAL = [0, 0, 1, 0, 1, 1]
P_VAL = [0.1, 0.3, 0.35, 0.4, 0.6, 0.9]


def test_choose_threshold_for_f1():
    # Cut >= 0.35 gives TP 3, FP 1: F1 6/7, the best; halfway down to 0.3 is 0.325.
    t = m.choose_threshold(Y_VAL, P_VAL, criterion="f1")
    assert t == pytest.approx(0.325)
    assert m.f1(Y_VAL, P_VAL, threshold=t) == pytest.approx(6 / 7)
    assert m.f1(Y_VAL, P_VAL) < 6 / 7  # the default 0.5 is worse here


@pytest.mark.parametrize(
    ("floor", "expected"),
    [(0.6, 0.5), (2 / 3, 0.5), (0.7, 0.325), (1.0, 0.325)],
)
def test_choose_threshold_for_recall_floor(floor, expected):
    t = m.choose_threshold(Y_VAL, P_VAL, criterion="recall", min_recall=floor)
    assert t == pytest.approx(expected)
    assert m.recall(Y_VAL, P_VAL, threshold=t) >= floor


def test_choose_threshold_below_the_lowest_score():
    t = m.choose_threshold([1, 0, 1], [0.2, 0.5, 0.7], criterion="recall", min_recall=1.0)
    assert t == pytest.approx(0.1)
    assert m.recall([1, 0, 1], [0.2, 0.5, 0.7], threshold=t) == 1.0


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan"), "0.5"])
def test_threshold_outside_unit_interval(bad):
    with pytest.raises(ParameterError, match=r"threshold must be a number in \[0, 1\]; got"):
        m.accuracy([0, 1], [0.2, 0.8], threshold=bad)
    with pytest.raises(ParameterError, match=r"threshold must be a number in \[0, 1\]"):
        m.confusion_table([0, 1], [0.2, 0.8], threshold=bad)


def test_bad_inputs():
    with pytest.raises(DataError, match=r"both classes 0 and 1 for the AUC; got only 1"):
        m.roc_auc([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(DataError, match=r"both classes 0 and 1 for choosing a threshold"):
        m.choose_threshold([0, 0], [0.2, 0.5])
    with pytest.raises(DataError, match=r"y_true must hold 0/1 labels; got a value 2.0"):
        m.accuracy([0, 2], [0.2, 0.8])
    with pytest.raises(DataError, match=r"y_true must hold 0/1 labels; got a value nan"):
        m.roc_auc([0, np.nan], [0.2, 0.8])
    with pytest.raises(DataError, match=r"probabilities in \[0, 1\]; got values from -0.5 to 3"):
        m.log_loss([0, 1], [-0.5, 3])
    with pytest.raises(DataError, match=r"y_score must hold only finite values"):
        m.roc_auc([0, 1], [0.2, np.inf])
    with pytest.raises(DataError, match=r"same length; got 2 and 3"):
        m.precision([0, 1], [0.2, 0.8, 0.9])
    with pytest.raises(DataError, match=r"must not be empty"):
        m.recall([], [])
    with pytest.raises(ParameterError, match=r"class_names must be two distinct names"):
        m.confusion_table([0, 1], [0.2, 0.8], class_names=("Hit", "Hit"))
    with pytest.raises(ParameterError, match=r"criterion must be one of 'f1', 'recall'"):
        m.choose_threshold(Y_VAL, P_VAL, criterion="accuracy")
    with pytest.raises(ParameterError, match=r"min_recall must be a number in \(0, 1\]; got 0"):
        m.choose_threshold(Y_VAL, P_VAL, criterion="recall", min_recall=0)


def test_one_class_is_fine_where_the_metric_is_defined():
    assert m.accuracy([1, 1], [0.9, 0.2]) == 0.5
    assert m.recall([1, 1], [0.9, 0.2]) == 0.5
    assert m.log_loss([1, 1], [0.5, 0.5]) == pytest.approx(np.log(2))
