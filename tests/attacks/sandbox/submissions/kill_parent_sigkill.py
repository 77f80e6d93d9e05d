# ruff: noqa
"""SIGKILL the parent process (bwrap's init in its pid namespace); report whether we survived."""

import json
import os
import signal
import time

import numpy as np


def reconstruct(R, k):
    ppid = os.getppid()
    try:
        os.kill(ppid, signal.SIGKILL)
        sent = "sent"
    except OSError as exc:
        sent = type(exc).__name__
    time.sleep(0.3)
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"ppid": ppid, "kill": sent, "alive": True}))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
