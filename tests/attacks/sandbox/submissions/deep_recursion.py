# ruff: noqa
"""Lift the recursion limit to 10**6 and recurse through C (sorted calls the key): the C stack
overflows and the worker dies with SIGSEGV."""

import sys

import numpy as np


def _down(n):
    return sorted([0], key=lambda _: _down(n + 1))


def reconstruct(R, k):
    sys.setrecursionlimit(10**6)
    _down(0)
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
