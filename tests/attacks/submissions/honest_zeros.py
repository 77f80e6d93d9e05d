# ruff: noqa
"""Not an attack: the honest-but-wrong baseline most attacks are built on.

reconstruct returns zeros of the right shape, predict a constant 0 rating. Earns exactly 2 points
(public shape check and public finiteness check); test_attacks.py proves it.
"""

import numpy as np


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
