"""Truncated SVD and accuracy."""

import numpy as np  # noqa: F401 - the students need it


def reconstruct(R, k):
    """The best rank-k approximation of R."""
    raise NotImplementedError


def accuracy(y_true, y_pred):
    """The share of positions where y_true equals y_pred."""
    raise NotImplementedError
