"""Reference solution for recommender-movielens: truncated SVD and a mean-centred SVD recommender."""

from __future__ import annotations

import numpy as np


def reconstruct(R: np.ndarray, k: int) -> np.ndarray:
    """Best rank-``k`` approximation of ``R`` in the Frobenius norm (Eckart–Young)."""
    R = np.asarray(R, dtype=float)
    if R.ndim != 2:
        raise ValueError(f"R must be a 2-D matrix, got shape {R.shape}")
    if not 1 <= k <= min(R.shape):
        raise ValueError(f"k must be in [1, {min(R.shape)}], got {k}")
    u, s, vt = np.linalg.svd(R, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vt[:k]


class RatingPredictor:
    """Fill missing ratings with the user's mean, centre, truncate to ``n_factors`` by SVD."""

    def __init__(self, n_factors: int = 10) -> None:
        self.n_factors = n_factors

    def fit(
        self,
        users: np.ndarray,
        items: np.ndarray,
        ratings: np.ndarray,
        n_users: int,
        n_items: int,
    ) -> RatingPredictor:
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        ratings = np.asarray(ratings, dtype=float)
        sums = np.bincount(users, weights=ratings, minlength=n_users)
        counts = np.bincount(users, minlength=n_users)
        means = np.where(counts > 0, sums / np.maximum(counts, 1), ratings.mean())
        residual = np.zeros((n_users, n_items))  # user-mean fill, then centred: zero where missing
        residual[users, items] = ratings - means[users]
        k = min(self.n_factors, n_users, n_items)
        self.predictions_ = np.clip(reconstruct(residual, k) + means[:, None], 1.0, 5.0)
        return self

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        users = np.asarray(users, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        return self.predictions_[users, items]
