"""Truncated SVD and accuracy."""


def reconstruct(R, k):
    """The best rank-k approximation of R."""
    raise NotImplementedError


def accuracy(y_true, y_pred):
    """The share of positions where y_true equals y_pred."""
    raise NotImplementedError
