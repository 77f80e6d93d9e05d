# ruff: noqa
"""Attack: return a list nested 10,000 deep (recursion bombs for a naive encoder or decoder).

Bound 0: there is no honest reading of this value.
"""

import numpy as np


def _deep(depth, leaf):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def reconstruct(R, k):
    return _deep(10_000, 0.0)


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        deep = {"x": _deep(10_000, 1.0)}
        return [deep] * len(users)
