"""Adapted from WeiHsinChen/Online-Learning-Applications-for-Suspicious-URLs, PassiveAggressive.py
(the passive-aggressive online learner, one pass over the rows).

Adapted only the interface: run(x, y) became partial_fit on one batch (labels mapped to -1/+1 from
classes), and a predict by the sign of x . w was added; Python 2's xrange and numpy.matrix products
became range, @ and .item(). Kept the original's step: x_norm is computed from the whole matrix x
(sqrt((x.T * x).sum())), not from the row xi, so each step is (1 - M) / x_norm**2 with the batch's
x_norm (the PA step uses ||xi||**2). No bias term, as in the original.
"""

from math import sqrt

import numpy as np
from numpy import zeros


class OnlineClassifier:
    def __init__(self, w=None):
        self.w = w
        self.classes = None

    def partial_fit(self, X, y, classes):
        self.classes = np.asarray(classes)
        x = np.asarray(X, dtype=float)
        y = np.where(np.asarray(y) == self.classes[1], 1.0, -1.0).reshape(-1, 1)
        N, k = x.shape
        if self.w is None:
            self.w = zeros((k, 1))
        for i in range(N):
            xi = x[i, :].reshape(-1, 1)
            yi = y[i][0]
            M = yi * (xi.T @ self.w).item()
            if M < 1:
                x_norm = sqrt((x.T @ x).sum())
                if x_norm != 0:
                    alpha = (1 - M) / (x_norm ** 2)
                    self.w += xi * alpha * yi
        return self

    def predict(self, X):
        f = np.asarray(X, dtype=float) @ self.w
        return self.classes[(f.ravel() > 0).astype(int)]
