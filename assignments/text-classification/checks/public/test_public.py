"""Public checks for text-classification: a tiny hand-made set of messages, runnable at home.

The real data (the SMS Spam Collection) is what the hidden checks use: get your own copy with
``python -m grader.data.wheels sms-spam`` (it prints the path of a CSV with columns spam, text).
"""

from __future__ import annotations

import numpy as np
import pytest

SPAM = [
    "WINNER!! You have won a FREE prize. Call 09061701461 now to claim",
    "Free entry in 2 a wkly comp to win FA Cup final tkts. Text FA to 87121",
    "URGENT! Your mobile number has won a 2000 cash award. Call 09066364589",
    "Congratulations! You've been selected for a free holiday. Txt WIN to 80086",
    "Claim your FREE ringtone now! Reply YES to 85023. Cost 150p/msg",
    "You have won a guaranteed 1000 cash prize. To claim call 09050000327",
]
HAM = [
    "Are we still meeting for lunch tomorrow?",
    "Ok lar... Joking wif u oni...",
    "I'll be home late tonight, don't wait up",
    "Can you pick up some milk on the way back",
    "Sorry, I'll call you later. In a meeting",
    "Happy birthday! Hope you have a great day",
    "Did you finish the assignment for Monday?",
    "See you at the station at 6",
]


def _fit(submission):
    texts = SPAM + HAM
    labels = np.array([1] * len(SPAM) + [0] * len(HAM), dtype=np.int64)
    model = submission.SpamClassifier()
    model.fit(texts, labels)
    return model, texts, labels


@pytest.mark.points(1)
def test_one_label_per_message(submission) -> None:
    model, _, _ = _fit(submission)
    new = ["hello there", "Call now to claim your free prize", ""]
    pred = np.asarray(model.predict(new), dtype=float)
    assert pred.shape == (3,), f"predict should return one label per message: shape (3,), got {pred.shape}"
    assert set(np.unique(pred)) <= {0.0, 1.0}, f"labels must be 0 (ham) or 1 (spam), got {np.unique(pred)}"


@pytest.mark.points(1)
def test_fits_the_training_messages(submission) -> None:
    model, texts, labels = _fit(submission)
    pred = np.asarray(model.predict(texts), dtype=float)
    acc = float(np.mean(pred == labels))
    assert acc >= 0.85, f"on its own 14 training messages the classifier should be right at least 85% of the time, got {acc:.0%}"


@pytest.mark.points(1)
def test_obvious_new_spam_and_ham(submission) -> None:
    model, _, _ = _fit(submission)
    pred = np.asarray(model.predict(["FREE prize! Call now to claim your cash", "Are we meeting tomorrow for lunch?"]),
                      dtype=float)
    assert pred.tolist() == [1.0, 0.0], f"an obvious spam and an obvious ham message: expected [1, 0], got {pred.tolist()}"
