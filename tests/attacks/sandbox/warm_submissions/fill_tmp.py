# ruff: noqa
"""Fills /tmp and /dev/shm until the file system refuses, then returns an honest (wrong) answer."""

import os

import numpy as np


def reconstruct(R, k):
    block = b"x" * (1 << 20)
    for folder in ("/tmp", "/dev/shm"):
        try:
            with open(os.path.join(folder, "fill"), "wb") as fh:
                for _ in range(4096):
                    fh.write(block)
        except OSError:
            pass
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(np.shape(users))
