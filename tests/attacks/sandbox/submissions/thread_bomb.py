# ruff: noqa
"""Thread bomb: start sleeping threads until the system refuses; report how many started."""

import json
import threading

import numpy as np

_HOLD = threading.Event()


def reconstruct(R, k):
    threads, error = [], None
    try:
        while len(threads) < 20000:
            t = threading.Thread(target=_HOLD.wait, daemon=True)
            t.start()
            threads.append(t)
    except (RuntimeError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"threads": len(threads), "error": error}))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
