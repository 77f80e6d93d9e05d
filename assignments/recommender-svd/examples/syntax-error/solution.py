"""Does not parse: a missing colon."""

import numpy as np


def reconstruct(R, k)
    u, s, vt = np.linalg.svd(R, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vt[:k]


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors
