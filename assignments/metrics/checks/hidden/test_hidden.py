"""Hidden checks for metrics: compared with scikit-learn on many seeded cases.

Expected values are computed here, on the trusted side; only the first line of a message
reaches students.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

N_CASES = 25
#: An epsilon of up to 1e-7 in a denominator (Keras's metrics use one) is a legitimate formula and
#: passes; any counting error does not: with at most 400 labels, two different values of
#: tp/(tp+fp) or 2tp/(2tp+fp+fn) differ by at least 1/(800*799) > 1.5e-6.
TOL = 1e-6


def _multiclass_case(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """3 to 6 classes (the README's "every other label is negative"), pos_label one of them."""
    k = int(rng.integers(3, 7))
    labels = rng.choice(np.arange(-3, 10), size=k, replace=False)
    n = int(rng.integers(10, 400))
    t = rng.choice(labels, size=n)
    p = np.where(rng.random(n) < rng.uniform(0.3, 0.9), t, rng.choice(labels, size=n))
    return t.astype(np.int64), p.astype(np.int64), int(rng.choice(labels))


def _binary_cases(data, key: str) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """(y_true, y_pred, pos_label): varied sizes, class balance, label values and accuracy; every
    fifth case has 3 to 6 classes."""
    rng = data.rng(key)
    label_sets = [(0, 1), (-1, 1), (2, 5), (1, 0)]
    cases = []
    for i in range(N_CASES):
        if i % 5 == 4:
            cases.append(_multiclass_case(rng))
            continue
        neg, pos = label_sets[i % len(label_sets)]
        n = int(rng.integers(5, 400))
        share = float(rng.uniform(0.05, 0.95))
        t = rng.random(n) < share
        flip = rng.random(n) < rng.uniform(0.0, 0.5)
        p = t ^ flip
        cases.append((np.where(t, pos, neg).astype(np.int64), np.where(p, pos, neg).astype(np.int64), pos))
    return cases


def _check_binary(submission, data, key: str, name: str) -> None:
    ours = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[name]
    for y_true, y_pred, pos in _binary_cases(data, key):
        # pos_label against every other label (scikit-learn's binary average needs two labels)
        expected = float(ours(y_true == pos, y_pred == pos, pos_label=True, zero_division=0))
        got = float(getattr(submission, name)(y_true, y_pred, pos_label=pos))
        assert abs(got - expected) <= TOL, (
            f"{name}(y_true, y_pred, pos_label={pos}) differs from the definition on a hidden case"
            f"\nn={y_true.size} got={got!r} expected={expected!r}"
        )


@pytest.mark.points(1)
def test_accuracy_matches_sklearn(submission, data) -> None:
    for y_true, y_pred, _ in _binary_cases(data, "accuracy"):
        expected = float(skm.accuracy_score(y_true, y_pred))
        got = float(submission.accuracy(y_true, y_pred))
        assert abs(got - expected) <= TOL, f"accuracy differs on a hidden case\ngot={got!r} expected={expected!r}"


@pytest.mark.points(1)
def test_precision_matches_sklearn(submission, data) -> None:
    _check_binary(submission, data, "precision", "precision")


@pytest.mark.points(1)
def test_recall_matches_sklearn(submission, data) -> None:
    _check_binary(submission, data, "recall", "recall")


@pytest.mark.points(1)
def test_f1_matches_sklearn(submission, data) -> None:
    _check_binary(submission, data, "f1", "f1")


@pytest.mark.points(2)
def test_confusion_matrix_matches_sklearn(submission, data) -> None:
    rng = data.rng("confusion")
    for i in range(N_CASES):
        k = int(rng.integers(2, 7))
        n = int(rng.integers(5, 300))
        y_true = rng.integers(0, k, n) * (3 if i % 2 else 1) - (2 if i % 3 == 0 else 0)
        y_pred = np.where(rng.random(n) < 0.6, y_true, rng.choice(np.unique(y_true), n))
        expected = skm.confusion_matrix(y_true, y_pred)
        got = np.asarray(submission.confusion_matrix(y_true, y_pred), dtype=float)
        assert got.shape == expected.shape, (
            f"confusion_matrix has the wrong shape on a hidden case\ngot {got.shape}, expected {expected.shape}"
        )
        assert np.array_equal(got, expected), (
            f"confusion_matrix differs on a hidden case (rows: true labels, columns: predicted, labels sorted)"
            f"\ny_true={y_true.tolist()}\ny_pred={y_pred.tolist()}"
        )


@pytest.mark.points(1)
def test_single_class_and_zero_division(submission) -> None:
    cases = [
        (np.array([1, 1, 1]), np.array([1, 1, 1]), 1),   # only positives, all found
        (np.array([0, 0, 0, 0]), np.array([0, 0, 0, 0]), 1),  # no positive anywhere
        (np.array([0, 0, 0]), np.array([0, 1, 0]), 1),   # a false positive, no actual positive
        (np.array([1, 1, 0]), np.array([0, 0, 0]), 1),   # no positive prediction
        (np.array([3, 3]), np.array([3, 3]), 7),         # pos_label absent
        (np.array([5]), np.array([2]), 5),
    ]
    for y_true, y_pred, pos in cases:
        for name, ref in (("precision", skm.precision_score), ("recall", skm.recall_score), ("f1", skm.f1_score)):
            expected = float(ref(y_true, y_pred, pos_label=pos, zero_division=0))
            got = float(getattr(submission, name)(y_true, y_pred, pos_label=pos))
            assert abs(got - expected) <= TOL, (
                f"{name} is wrong for a single-class or zero-division case"
                f"\ny_true={y_true.tolist()} y_pred={y_pred.tolist()} pos_label={pos} got={got} expected={expected}"
            )
        acc = float(submission.accuracy(y_true, y_pred))
        assert abs(acc - float(skm.accuracy_score(y_true, y_pred))) <= TOL, "accuracy is wrong for a single-class case"
        cm = np.asarray(submission.confusion_matrix(y_true, y_pred), dtype=float)
        assert np.array_equal(cm, skm.confusion_matrix(y_true, y_pred)), "confusion_matrix is wrong for a single-class case"
