# ruff: noqa
"""Attack: close every file descriptor 0..1023 inside a call (protocol channel included), then return.

Bound 0: no call can answer.
"""

import os

import numpy as np


def _close_everything():
    os.closerange(0, 1024)


def reconstruct(R, k):
    _close_everything()
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        _close_everything()
        return self

    def predict(self, users, items):
        _close_everything()
        return np.zeros(len(users))
