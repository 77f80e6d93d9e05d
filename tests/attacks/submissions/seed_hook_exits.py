# ruff: noqa
"""Attack: the worker seeds each random library it finds loaded (harness.seeding). This puts a fake
``torch`` in sys.modules at import whose ``manual_seed`` raises SystemExit, so the worker's own
seeding after the import ends the process. Expected: crashed, never a judge error."""

import sys
import types

import numpy as np

_fake = types.ModuleType("torch")


def _exit(*args):
    raise SystemExit(0)


_fake.manual_seed = _exit
_fake.seed = _exit
sys.modules["torch"] = _fake


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
