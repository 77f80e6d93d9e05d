# ruff: noqa
"""Stop itself with SIGSTOP inside a call: it must end as a time limit, not hang the grader."""

import os
import signal

import numpy as np


def reconstruct(R, k):
    os.kill(os.getpid(), signal.SIGSTOP)
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
