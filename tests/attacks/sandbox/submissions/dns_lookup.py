# ruff: noqa
"""Resolve names (example.com, pypi.org); report what came back. Isolating backends only."""

import json
import socket
import time

import numpy as np


def reconstruct(R, k):
    found = {}
    started = time.monotonic()
    for name in ("example.com", "pypi.org"):
        try:
            found[name] = sorted({info[4][0] for info in socket.getaddrinfo(name, 443)})
        except OSError as exc:
            found[name] = type(exc).__name__ + ": " + str(exc)
    found["seconds"] = time.monotonic() - started
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
