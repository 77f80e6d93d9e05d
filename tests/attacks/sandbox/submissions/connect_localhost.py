# ruff: noqa
"""Connect to a listener the grader opened on the host's 127.0.0.1 (port given by the test)."""

import json
import socket

import numpy as np

PORT = int("@@PORT@@")


def reconstruct(R, k):
    try:
        socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
        found = "connected"
    except OSError as exc:
        found = type(exc).__name__ + ": " + str(exc)
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"connect": found}))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
