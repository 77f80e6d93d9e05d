# ruff: noqa
"""Read another student's submission by its absolute path (given by the test through a constant)."""

import json
import os

import numpy as np

SECRET = "@@SECRET_PATH@@"


def reconstruct(R, k):
    found = {}
    try:
        with open(SECRET, errors="replace") as fh:
            found["content"] = fh.read()[:1500]
    except OSError as exc:
        found["content"] = type(exc).__name__
    try:
        found["listing"] = sorted(os.listdir(os.path.dirname(SECRET)))
    except OSError as exc:
        found["listing"] = type(exc).__name__
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
