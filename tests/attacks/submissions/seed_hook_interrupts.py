# ruff: noqa
"""Attack: inside a call, plant a fake ``keras`` (and ``tensorflow``) whose seeding raises
KeyboardInterrupt or an exception of its own deriving from BaseException, so that the worker's
seeding before the next call is what raises. Expected: those calls fail as raised; the honest zeros
still earn what they earn; never a judge error."""

import sys
import types

import numpy as np


class Hostile(BaseException):
    pass


def _plant():
    keras = types.ModuleType("keras")

    def interrupt(seed):
        raise KeyboardInterrupt

    keras.utils = types.SimpleNamespace(set_random_seed=interrupt)
    sys.modules["keras"] = keras

    class Exploding:
        def __getattr__(self, name):
            raise Hostile(name)

    sys.modules["tensorflow"] = Exploding()


def reconstruct(R, k):
    _plant()
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        _plant()
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
