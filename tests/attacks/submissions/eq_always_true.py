# ruff: noqa
"""Attack (a): return an object that claims to equal everything.

Every comparison is true, it is truthy, has any length, and converts to the 'right' answer guess.
Graders that run the checks in the student's process compare with ``==`` and are fooled.
"""

import numpy as np


class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return True
    def __ge__(self, other): return True
    def __bool__(self): return True
    def __len__(self): return 4
    def __float__(self): return 3.5
    def __int__(self): return 3
    def __index__(self): return 3
    def __abs__(self): return 0.0
    def __sub__(self, other): return self
    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __pow__ = __sub__
    def __getitem__(self, key): return self
    def __iter__(self): return iter([3.5, 3.5, 3.5, 3.5])
    def __hash__(self): return 0
    def __getattr__(self, name):  # .shape, .dtype, .all(), ... whatever the checker asks for
        if name == "shape":
            return (4,)
        return lambda *a, **k: True


def reconstruct(R, k):
    return Liar()


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        if len(users) % 2:
            return Liar()
        return [Liar() for _ in range(len(users))]  # handles nested inside plain data
