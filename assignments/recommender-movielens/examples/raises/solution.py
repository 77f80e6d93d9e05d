"""Raises ValueError everywhere."""


def reconstruct(R, k):
    raise ValueError("reconstruct is broken")


class RatingPredictor:
    def __init__(self, n_factors=10):
        raise ValueError("__init__ is broken")

    def fit(self, users, items, ratings, n_users, n_items):
        raise ValueError("fit is broken")

    def predict(self, users, items):
        raise ValueError("predict is broken")
