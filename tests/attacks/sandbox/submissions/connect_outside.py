# ruff: noqa
"""Connect to an outside address (TEST-NET-1 192.0.2.1, port 9, 1 s timeout); report the error and
how long it took. Never run on the process backend: it has a network."""

import errno
import json
import socket
import time

import numpy as np


def reconstruct(R, k):
    started = time.monotonic()
    try:
        socket.create_connection(("192.0.2.1", 9), timeout=1).close()
        found = "connected"
    except OSError as exc:
        found = type(exc).__name__ + ":" + errno.errorcode.get(exc.errno or 0, str(exc.errno))
    seconds = time.monotonic() - started
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"connect": found, "seconds": seconds}))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
