"""Hidden checks for text-classification: accuracy and spam-class F1 on a held-out split of the SMS
Spam Collection (duplicates dropped first, so no message is in both parts; fixed seeded split).

The collection is public, so the messages cross enciphered (grader.data.text_disguise): every word
replaced by one of its secret code words (keyed with the course secret), frequent words by many,
with null words strewn in; train and test share the code book, so a learned classifier works and a
table of public messages matches nothing. Only the messages cross; the held-out labels stay here.
The trusted reference is fitted on the same enciphered split. Partial credit is
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

from grader.data.text_disguise import make_cipher
from grader.data.wheels import SMS_SPAM, DataUnavailable, fetch

TEST_FRACTION = 0.2
ACCURACY_MARGIN = 0.01  # full marks at the trusted reference's accuracy minus this
F1_MARGIN = 0.04  # full marks at the trusted reference's spam F1 minus this
FLATTEN = 30  # a word gets a code word per 30 occurrences (at least 2): code words about equally frequent
NULL_RATE = 0.15  # null code words per word, on average


@functools.cache
def _messages() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Unique messages (first label kept) in file order, and their labels (1 = spam)."""
    with open(fetch(SMS_SPAM), newline="", encoding="utf-8") as fh:
        unique: dict[str, int] = {}
        for row in csv.DictReader(fh):
            unique.setdefault(row["text"], int(row["spam"]))
    return tuple(unique), tuple(unique.values())


@functools.cache
def _enciphered_split(data) -> tuple[list[str], np.ndarray, list[str], np.ndarray]:
    """(train texts, train labels, test texts, test labels), enciphered: the same for every submission."""
    texts, labels = _messages()
    order = data.rng("split").permutation(len(texts))
    n_test = int(len(texts) * TEST_FRACTION)
    cipher = make_cipher(texts, data.rng("cipher"), flatten=FLATTEN, null_rate=NULL_RATE)
    x = cipher.encipher([texts[i] for i in order], data.rng("encipher"))
    y = np.array(labels, dtype=np.int64)[order]
    return x[n_test:], y[n_test:], x[:n_test], y[:n_test]


@pytest.fixture(scope="module")
def split(data):
    """(train texts, train labels, test texts, test labels); data trouble is the judge's, not a 0."""
    try:
        return _enciphered_split(data)
    except (DataUnavailable, OSError, KeyError, ValueError) as exc:
        pytest.exit(f"the SMS Spam Collection is unavailable: {exc}", returncode=pytest.ExitCode.INTERNAL_ERROR)


@functools.cache
def _reference(data) -> tuple[float, float]:
    """The trusted reference's (accuracy, spam F1) on the held-out split."""
    train_x, train_y, test_x, test_y = _enciphered_split(data)
    model = make_pipeline(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), LinearSVC(C=1.0, random_state=0))
    pred = model.fit(train_x, train_y).predict(test_x)
    return float(np.mean(pred == test_y)), float(f1_score(test_y, pred, zero_division=0))


@pytest.fixture(scope="module")
def reference(split, data):
    """The trusted reference's (accuracy, spam F1) on the held-out split."""
    return _reference(data)


@pytest.fixture(scope="module")
def predictions(submission, split) -> tuple[np.ndarray, np.ndarray]:
    """(predicted labels, true labels): the submission is trained and asked once per grading, so
    both checks score the very same predictions (a fit near the time limit cannot pass one and not
    the other)."""
    train_x, train_y, test_x, test_y = split
    model = submission.SpamClassifier()
    model.fit(list(train_x), train_y.copy())
    pred = np.asarray(model.predict(test_x), dtype=float)
    assert pred.shape == test_y.shape, f"predict(texts) must return one label per message\ngot shape {pred.shape}"
    return pred, test_y


@pytest.mark.points(4)
def test_heldout_accuracy(predictions, reference, credit) -> None:
    pred, truth = predictions
    majority = float(max(np.mean(truth), 1.0 - np.mean(truth)))
    credit.linear(float(np.mean(pred == truth)), zero_at=majority, full_at=reference[0] - ACCURACY_MARGIN,
                  label="held-out accuracy")


def _spam_f1(truth: np.ndarray, pred: np.ndarray) -> float:
    return float(f1_score(truth, (pred == 1).astype(np.int64), zero_division=0))


@pytest.mark.points(3)
def test_heldout_spam_f1(predictions, reference, credit, leaderboard) -> None:
    pred, truth = predictions
    credit.linear(_spam_f1(truth, pred), zero_at=0.0, full_at=reference[1] - F1_MARGIN, label="held-out spam F1")
    leaderboard.evaluate("spam F1", _spam_f1, truth, pred, order="desc")
