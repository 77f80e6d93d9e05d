# ruff: noqa
"""Write near NULL through ctypes (memset): SIGSEGV in a call."""

import ctypes

import numpy as np


def reconstruct(R, k):
    ctypes.memset(8, 0, 16)  # write to address 8: SIGSEGV
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
