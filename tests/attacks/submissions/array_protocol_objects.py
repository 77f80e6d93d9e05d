# ruff: noqa
"""Attack (g2): objects that are not arrays but offer ``__array__`` / ``__array_interface__`` /
``__array_struct__``-style conversions returning the 'expected' answer.

For the rank-1 check the expected answer is R itself, so ``__array__`` returning R would pass it if
the trusted side ever called it. These objects are not plain data: they must stay in the worker
as handles and never be converted on the trusted side, so the bound is 0 (returning R as a plain
array instead would honestly earn 2: see examples/wrong).
"""

import numpy as np


class ArrayLike:
    def __init__(self, value):
        self._value = np.ascontiguousarray(value, dtype=float)

    def __array__(self, dtype=None, copy=None):
        return self._value

    @property
    def __array_interface__(self):
        return self._value.__array_interface__

    @property
    def shape(self):
        return self._value.shape

    def __len__(self):
        return len(self._value)

    def __getitem__(self, i):
        return self._value[i]

    def __iter__(self):
        return iter(self._value.tolist())

    def __float__(self):
        return float(self._value.ravel()[0]) if self._value.size else 3.5

    def __eq__(self, other):
        return True


class BufferLike:
    """Exposes only the buffer-ish interface."""

    def __init__(self, value):
        self._value = np.ascontiguousarray(value, dtype=float)
        self.__array_interface__ = self._value.__array_interface__


def reconstruct(R, k):
    return ArrayLike(R) if k == 1 else BufferLike(R)


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        self.mean = float(np.mean(ratings))
        return self

    def predict(self, users, items):
        return ArrayLike(np.full(len(users), self.mean))
