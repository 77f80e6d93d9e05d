"""Public checks for metrics: small hand-made cases students can run at home."""

from __future__ import annotations

import numpy as np
import pytest

Y_TRUE = np.array([1, 1, 1, 0, 0, 0, 0, 1])
Y_PRED = np.array([1, 0, 0, 0, 0, 1, 0, 1])  # TP=2, FN=2, FP=1, TN=3


@pytest.mark.points(1)
def test_accuracy_and_confusion_matrix(submission) -> None:
    acc = float(submission.accuracy(Y_TRUE, Y_PRED))
    assert acc == pytest.approx(5 / 8), f"accuracy should be 5/8 = 0.625, got {acc}"
    cm = np.asarray(submission.confusion_matrix(Y_TRUE, Y_PRED), dtype=float)
    expected = np.array([[3, 1], [2, 2]])
    assert cm.shape == (2, 2), f"confusion_matrix should be 2x2 here, got shape {cm.shape}"
    assert np.array_equal(cm, expected), f"confusion_matrix (rows: true label, columns: predicted) should be\n{expected}\ngot\n{cm}"


@pytest.mark.points(1)
def test_precision_recall_f1(submission) -> None:
    y_true = np.array([1, 1, 1, 1, 0, 0])
    y_pred = np.array([1, 0, 0, 0, 0, 0])  # TP=1, FN=3, FP=0: precision 1, recall 1/4
    p = float(submission.precision(y_true, y_pred))
    r = float(submission.recall(y_true, y_pred))
    f = float(submission.f1(y_true, y_pred))
    assert p == pytest.approx(1.0), f"precision should be 1.0 (the one positive prediction is right), got {p}"
    assert r == pytest.approx(0.25), f"recall should be 0.25 (1 of the 4 actual positives is found), got {r}"
    assert f == pytest.approx(0.4), f"f1 should be 0.4, got {f}"


@pytest.mark.points(1)
def test_zero_division_gives_zero(submission) -> None:
    y_true = np.array([1, 0, 1])
    never = np.array([0, 0, 0])  # no positive prediction: precision is 0/0
    p = float(submission.precision(y_true, never))
    assert p == 0.0, f"precision with no positive prediction should be 0.0, got {p}"
    r = float(submission.recall(never, y_true))  # no actual positive: recall is 0/0
    assert r == 0.0, f"recall with no actual positive should be 0.0, got {r}"
