# ruff: noqa
"""Write a 200 MiB file into the working directory; report how much got written and the error."""

import errno
import json
import os

import numpy as np


def reconstruct(R, k):
    written, error = 0, None
    chunk = b"\0" * (1 << 20)
    try:
        with open("big.bin", "wb", buffering=0) as fh:
            for _ in range(200):
                written += fh.write(chunk)
    except OSError as exc:
        error = errno.errorcode.get(exc.errno, str(exc.errno))
    size = os.path.getsize("big.bin") if os.path.exists("big.bin") else None
    raise RuntimeError("ATTACK-RESULT " + json.dumps({"written": written, "size": size, "error": error}))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
