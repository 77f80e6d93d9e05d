# ruff: noqa
"""A child that leaves the worker's session and process group, clears its environment and execs
a long sleep: the stop must still kill it."""

import json, os

import numpy as np


def reconstruct(R, k):
    pid = os.fork()
    if pid == 0:
        os.setsid()
        if os.fork() == 0:
            os.execve("/bin/sleep", ["sleep", "4242", "0.@@NONCE@@"], {})
        os._exit(0)
    os.waitpid(pid, 0)
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"forked": True}))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
