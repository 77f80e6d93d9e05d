# ruff: noqa
"""Poisons the pre-imported modules from inside a call (after the import succeeded)."""

import builtins

import numpy as np


def reconstruct(R, k):
    np.linalg.svd = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("poisoned"))
    np.asarray = lambda *a, **k: np.zeros(1)
    builtins.POISONED = True
    builtins.isinstance = lambda *a: False
    try:
        import sklearn

        sklearn.POISONED = True
        import sklearn.utils

        sklearn.utils.check_array = lambda *a, **k: None
    except Exception:
        pass
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(np.shape(users))
