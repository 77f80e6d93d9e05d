"""Honest, not an attack: spam if a message has more tokens than a threshold learned from the
training messages (the one with the best training F1). Enciphered messages keep their length in
tokens (give or take the nulls), so this is what any learner can get from length alone: the bound
for attacks whose only real signal is length (sms_frequency)."""

import numpy as np


def _f1(truth, pred):
    tp = int(np.sum((truth == 1) & (pred == 1)))
    return 2 * tp / max(int(np.sum(truth == 1)) + int(np.sum(pred == 1)), 1)


class SpamClassifier:
    def fit(self, texts, labels):
        lengths = np.array([len(t.split()) for t in texts])
        labels = np.asarray(labels)
        self.threshold = max(range(1, 80), key=lambda t: _f1(labels, (lengths > t).astype(int)))
        return self

    def predict(self, texts):
        return np.array([int(len(t.split()) > self.threshold) for t in texts], dtype=np.int64)
