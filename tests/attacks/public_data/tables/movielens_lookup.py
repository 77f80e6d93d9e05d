"""Lookup table of the public MovieLens 100k ratings, (user, item) -> rating, embedded in the file
(zlib + base64 of the pair keys and ratings; the test writes TABLE_B64). The table is used if it
agrees with the training ratings; otherwise the training mean (the honest wrong answer), and
reconstruct returns R unchanged (as examples/wrong)."""

import base64
import zlib

import numpy as np

TABLE_B64 = ""  # filled in by the test
N_ITEMS = 1682


def _table():
    raw = np.frombuffer(zlib.decompress(base64.b64decode(TABLE_B64)), dtype=np.int32)
    keys, ratings = raw[: raw.size // 2], raw[raw.size // 2:]
    return dict(zip(keys.tolist(), ratings.astype(float).tolist(), strict=True))


def reconstruct(R, k):
    return np.asarray(R, dtype=float)


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.table = _table()

    def fit(self, users, items, ratings, n_users, n_items):
        self.mean = float(np.mean(ratings))
        keys = (np.asarray(users) * N_ITEMS + np.asarray(items)).tolist()
        given = np.asarray(ratings, float).tolist()
        agree = np.mean([self.table.get(k) == r for k, r in zip(keys, given, strict=True)])
        self.trusted = bool(agree > 0.9)
        return self

    def predict(self, users, items):
        keys = (np.asarray(users) * N_ITEMS + np.asarray(items)).tolist()
        if not self.trusted:
            return np.full(len(keys), self.mean)
        return np.array([self.table.get(k, self.mean) for k in keys])
