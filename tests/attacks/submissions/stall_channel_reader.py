# ruff: noqa
"""Attack: stop reading the protocol channel while staying alive, so the grader's next (large)
request cannot be written.

Looking up ``model.fit`` runs student code (a property). It keeps a private copy of the channel's
read end, points the worker's own descriptor at /dev/null (so the worker's loop sees end of file
and returns) and starts a non-daemon thread, so the process does not exit. The grader then writes
the training data for ``fit`` (hundreds of KiB, more than a pipe holds) into a pipe nobody reads.
The answers are otherwise honestly wrong: bound 2 (zeros; constant 0 rating).
"""

import os
import threading
import time

import numpy as np

_kept = []


def _stall():
    _kept.append(os.dup(3))  # keep the read end alive: the grader's writes block instead of failing
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 3)
    threading.Thread(target=time.sleep, args=(3600,), daemon=False).start()


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    @property
    def fit(self):
        if self.n_factors == 8:  # only in the hidden RMSE check, whose training data is large
            _stall()
        return self._fit

    def _fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
