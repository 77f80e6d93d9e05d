# ruff: noqa
"""Attack (e): the submission itself, sitting beside conftest.py, evil.pth and a pytest11 plugin.

It also tries to use its neighbours from inside the sandbox (importing them, and reporting what
it can see next to itself). The answers are honestly wrong: zeros of the right shape and a
constant 0 rating, 2 points (shape and finiteness).
"""

import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
print("ATTACK-E neighbours:", sorted(os.listdir(here)), file=sys.stderr)
for name in ("conftest", "evil_plugin"):
    try:
        __import__(name)
        print(f"ATTACK-E imported {name}", file=sys.stderr)
    except Exception as exc:
        print(f"ATTACK-E could not import {name}: {exc!r}", file=sys.stderr)


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
