# ruff: noqa
"""Double fork + setsid: a grandchild in its own session runs `sleep 4242 0.<nonce>` and should
outlive the grading; the test checks it does not."""

import os

import numpy as np

NONCE = "@@NONCE@@"
_STARTED = []


def reconstruct(R, k):
    if not _STARTED:
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                if os.fork() == 0:
                    os.execvp("sleep", ["sleep", "4242", "0." + NONCE])
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        _STARTED.append(pid)
    return np.zeros(np.shape(R))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
