# ruff: noqa
"""Allocate (and touch) a 2 GiB numpy array in one go."""

import numpy as np


def reconstruct(R, k):
    hog = np.ones(2 * 1024**3 // 8)
    return np.zeros(np.shape(R)) + hog[0] - 1.0


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
