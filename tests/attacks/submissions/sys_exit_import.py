# ruff: noqa
"""Attack (b1): sys.exit(0) while being imported (before any check can assert)."""

import sys

sys.exit(0)


def reconstruct(R, k):  # never reached
    return R


class RatingPredictor:
    pass
