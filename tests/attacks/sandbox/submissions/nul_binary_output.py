# ruff: noqa
"""NUL bytes and invalid UTF-8 on stdout and stderr (raw descriptors and text streams)."""

import os
import sys

import numpy as np


def reconstruct(R, k):
    os.write(1, b"NUL-OUT<\x00\x00>BIN<\xff\xfe\x80\xc3(>\n")
    os.write(2, bytes(range(256)) + b"\n")
    sys.stdout.write("text-nul<\x00>\udcff\n")
    sys.stdout.flush()
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
