# ruff: noqa
"""Attack (b2): os._exit(0) while being imported: no exception, no traceback, status 0."""

import os

print("all checks passed", flush=True)
os._exit(0)


def reconstruct(R, k):  # never reached
    return R


class RatingPredictor:
    pass
