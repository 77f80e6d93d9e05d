# ruff: noqa
"""Write to stderr for ever (through sys.stderr and the raw descriptor)."""

import os
import sys

import numpy as np


def reconstruct(R, k):
    line = "flood " * 200 + "\n"
    while True:
        sys.stderr.write(line)
        os.write(2, line.encode())


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
