# ruff: noqa
"""Attack: a huge int (10**100000) *with* the int-to-text limit lifted inside the worker, so the
100,001 digits really are written into the frame and reach the trusted side's JSON parser.

Also a 4,000-digit int (under the limit) that parses but overflows float conversion. Bound 0.
"""

import sys

sys.set_int_max_str_digits(0)

HUGE = 10**100000
BIG = 10**3999


def reconstruct(R, k):
    return HUGE if k == 1 else [[BIG] * len(R[0])] * len(R)


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return [HUGE]  # one is enough: thousands would only make the worker slow (a time limit)
