# ruff: noqa
"""Grow memory 8 MiB at a time, a little pause between steps, up to 2 GiB."""

import time

import numpy as np

_KEEP = []


def reconstruct(R, k):
    for _ in range(256):
        _KEEP.append(np.ones(8 * 1024 * 1024 // 8))
        time.sleep(0.01)
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
