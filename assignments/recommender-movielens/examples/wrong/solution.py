"""Wrong: reconstruct returns R unchanged, the recommender predicts the global mean."""

import numpy as np


def reconstruct(R, k):
    return np.asarray(R, dtype=float)


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        self.mean = float(np.mean(ratings))
        return self

    def predict(self, users, items):
        return np.full(len(users), self.mean)
