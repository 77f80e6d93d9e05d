# ruff: noqa
"""Attack: arrays of object dtype (which could smuggle arbitrary objects, or pickles, across).

The object arrays hold lying objects and also plain floats; numpy structured and datetime arrays
are tried too. None of them may cross. Returning the same values as float arrays would earn 3
(R unchanged, constant prediction: examples/wrong), but these must be refused: bound 0.
"""

import numpy as np


class Liar(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0


def reconstruct(R, k):
    R = np.asarray(R, dtype=float)
    if k == 1:
        out = np.empty(R.shape, dtype=object)
        out[...] = Liar(0.0)
        return out
    if R.shape[0] % 2:
        return R.astype([("value", "f8")])  # structured dtype
    return R.astype(object)


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        self.mean = float(np.mean(ratings))
        return self

    def predict(self, users, items):
        if len(users) % 2:
            return np.array(["2020-01-01"] * len(users), dtype="datetime64[D]")
        return np.full(len(users), self.mean).astype(object)
