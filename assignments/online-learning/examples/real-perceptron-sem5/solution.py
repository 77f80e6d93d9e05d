"""Adapted from DevanshAshar/sem5, AI/perceptron.py (a lab: the perceptron learning rule with learning
constant c = 0.1, bipolar targets -1/+1, no bias input, one epoch over the samples).

Adapted only the interface: partial_fit runs the lab's one epoch over the batch, mapping classes[0]
to -1 and classes[1] to +1; predict maps the sign back. The lab starts from W = [1, -1, 0, 0.5] for
its four inputs: the same numbers are repeated to the width of X (np.resize). The per-step prints
are dropped. Kept: c = 0.1, error = d - op (so a mistake moves W by 2c x), net <= 0 -> -1, no bias.
"""

import numpy as np


class OnlineClassifier:
    def __init__(self):
        self.W = None
        self.c = 0.1
        self.epochs = 1
        self.classes = None

    def partial_fit(self, X, y, classes):
        self.classes = np.asarray(classes)
        X = np.asarray(X, dtype=float)
        d = np.where(np.asarray(y) == self.classes[1], 1, -1)
        if self.W is None:
            self.W = np.resize(np.array([1, -1, 0, 0.5]), X.shape[1]).astype(float)
        for i in range(self.epochs):
            for j in range(len(X)):
                net = np.dot(X[j], self.W)
                if (net <= 0):
                    op = -1
                elif net > 0:
                    op = 1
                error = d[j] - op
                dW = self.c * error * X[j]
                self.W += dW
        return self

    def predict(self, X):
        net = np.asarray(X, dtype=float) @ self.W
        return self.classes[(net > 0).astype(int)]
