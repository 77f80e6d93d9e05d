"""Never returns from reconstruct or predict (fit is fine)."""


def reconstruct(R, k):
    while True:
        pass


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        while True:
            pass
