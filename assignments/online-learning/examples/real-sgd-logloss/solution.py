"""Adapted from sharden007/increment, main.py (incremental learning with scikit-learn's SGDClassifier
and partial_fit on simulated streaming batches).

Adapted only the interface: the script's model, SGDClassifier(loss='log_loss', penalty='l2',
max_iter=1000, tol=1e-3) with its default 'optimal' learning-rate schedule, is wrapped in the
OnlineClassifier class; partial_fit passes classes= as the script does. The simulated data, the
periodic score printing and the final test are dropped.
"""

import numpy as np
from sklearn.linear_model import SGDClassifier


class OnlineClassifier:
    def __init__(self):
        self.model = SGDClassifier(loss='log_loss', penalty='l2', max_iter=1000, tol=1e-3)

    def partial_fit(self, X, y, classes):
        self.model.partial_fit(X, y, classes=classes)
        return self

    def predict(self, X):
        return self.model.predict(X)
