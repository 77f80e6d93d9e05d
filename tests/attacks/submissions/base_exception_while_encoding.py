# ruff: noqa
"""Attack (b6): the *result* raises a BaseException while the worker converts it to plain data.

A list subclass whose iteration raises KeyboardInterrupt: the worker's encoder calls ``list(value)``
after the student's function has already returned.
"""


class Boom(list):
    def __iter__(self):
        raise KeyboardInterrupt("raised while the worker encodes the result")

    def __len__(self):
        raise SystemExit(0)


def reconstruct(R, k):
    return Boom([0.0])


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return Boom([0.0])
