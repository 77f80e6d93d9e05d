# ruff: noqa
"""Read the hidden checks by their absolute path on the host (given by the test), and look around."""

import json
import os

import numpy as np

REPO = "@@REPO@@"


def _read(path):
    try:
        with open(path, errors="replace") as fh:
            return fh.read()[:1500]
    except OSError as exc:
        return type(exc).__name__


def _list(path):
    try:
        return sorted(os.listdir(path))[:50]
    except OSError as exc:
        return type(exc).__name__


def reconstruct(R, k):
    found = {
        "hidden": _read(REPO + "/assignments/recommender-svd/checks/hidden/test_hidden.py"),
        "toml": _read(REPO + "/assignments/recommender-svd/assignment.toml"),
        "repo": _list(REPO),
        "root": _list("/"),
        "cwd": _list("."),
    }
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
