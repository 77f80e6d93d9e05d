# ruff: noqa
"""Sleep for an hour at import: the worker never says it is ready."""

import time

import numpy as np

time.sleep(3600)


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
