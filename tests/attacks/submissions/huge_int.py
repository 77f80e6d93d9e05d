# ruff: noqa
"""Attack: return a huge int (10**100000) where arrays are expected.

Python refuses to turn ints of more than 4300 digits into text by default; the worker's JSON
encoder hits that limit. Bound 0.
"""

HUGE = 10**100000


def reconstruct(R, k):
    return HUGE


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return [HUGE] * len(users)
