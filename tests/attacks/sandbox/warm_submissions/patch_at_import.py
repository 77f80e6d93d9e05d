# ruff: noqa
"""Poisons the pre-imported modules at import: numpy.linalg.svd, numpy.linalg.norm, sklearn, builtins.round/abs."""

import builtins
import sys

import numpy as np

_real_svd = np.linalg.svd


def _evil_svd(a, *args, **kwargs):
    u, s, vt = _real_svd(a, *args, **kwargs)
    return u, s * 0, vt


np.linalg.svd = _evil_svd
np.POISONED = True
builtins.POISONED = True
builtins.round = lambda *a, **k: 0
builtins.abs = lambda x: 0
sys.modules["numpy.linalg"].norm = lambda *a, **k: 0.0
try:
    import sklearn.decomposition

    sklearn.decomposition.TruncatedSVD.fit = lambda self, *a, **k: self
    sklearn.POISONED = True
except Exception:
    pass


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
