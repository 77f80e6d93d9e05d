# ruff: noqa
"""Not an attack: the honest-but-wrong base (zeros, constant 0). Earns exactly 2 points; also the
base that non_utf8_source and huge_source_* are built from at test time."""

import numpy as np


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
