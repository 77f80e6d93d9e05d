"""Hidden checks for text-classification: accuracy and spam-class F1 on a held-out split of the SMS
Spam Collection (duplicates dropped first, so no message is in both parts; fixed seeded split).

Only the messages cross to the submission; the held-out labels stay here. Partial credit is
linear from the majority-class baseline to a target just below what a trusted TF-IDF + linear SVM
reaches on the same split (computed here, at check time).
"""

from __future__ import annotations

import csv
import functools

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from grader.data.wheels import SMS_SPAM, DataUnavailable, fetch

TEST_FRACTION = 0.2
ACCURACY_MARGIN = 0.01  # full marks at the trusted reference's accuracy minus this
F1_MARGIN = 0.04  # full marks at the trusted reference's spam F1 minus this


@functools.cache
def _messages() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Unique messages (first label kept) in file order, and their labels (1 = spam)."""
    with open(fetch(SMS_SPAM), newline="", encoding="utf-8") as fh:
        unique: dict[str, int] = {}
        for row in csv.DictReader(fh):
            unique.setdefault(row["text"], int(row["spam"]))
    return tuple(unique), tuple(unique.values())


@pytest.fixture(scope="module")
def split(data):
    """(train texts, train labels, test texts, test labels); data trouble is the judge's, not a 0."""
    try:
        texts, labels = _messages()
    except (DataUnavailable, OSError, KeyError, ValueError) as exc:
        pytest.exit(f"the SMS Spam Collection is unavailable: {exc}", returncode=pytest.ExitCode.INTERNAL_ERROR)
    order = data.rng("split").permutation(len(texts))
    n_test = int(len(texts) * TEST_FRACTION)
    x = np.array(texts, dtype=object)
    y = np.array(labels, dtype=np.int64)
    test, train = order[:n_test], order[n_test:]
    return list(x[train]), y[train], list(x[test]), y[test]


@pytest.fixture(scope="module")
def reference(split):
    """The trusted reference's (accuracy, spam F1) on the held-out split."""
    train_x, train_y, test_x, test_y = split
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), LinearSVC(C=1.0, random_state=0))
    pred = model.fit(train_x, train_y).predict(test_x)
    return float(np.mean(pred == test_y)), float(f1_score(test_y, pred, zero_division=0))


def _predict(submission, split) -> tuple[np.ndarray, np.ndarray]:
    train_x, train_y, test_x, test_y = split
    model = submission.SpamClassifier()
    model.fit(train_x, train_y)
    pred = np.asarray(model.predict(test_x), dtype=float)
    assert pred.shape == test_y.shape, f"predict(texts) must return one label per message\ngot shape {pred.shape}"
    return pred, test_y


@pytest.mark.points(4)
def test_heldout_accuracy(submission, split, reference, credit) -> None:
    pred, truth = _predict(submission, split)
    majority = float(max(np.mean(truth), 1.0 - np.mean(truth)))
    credit.linear(float(np.mean(pred == truth)), zero_at=majority, full_at=reference[0] - ACCURACY_MARGIN,
                  label="held-out accuracy")


@pytest.mark.points(3)
def test_heldout_spam_f1(submission, split, reference, credit) -> None:
    pred, truth = _predict(submission, split)
    f1 = float(f1_score(truth, (pred == 1).astype(np.int64), zero_division=0))
    credit.linear(f1, zero_at=0.0, full_at=reference[1] - F1_MARGIN, label="held-out spam F1")
