"""recommender-movielens: fill in the two entry points below (numpy only). See README.md."""

from __future__ import annotations

import numpy as np


def reconstruct(R: np.ndarray, k: int) -> np.ndarray:
    """Return the best rank-``k`` approximation of the matrix ``R`` (same shape as ``R``)."""
    raise NotImplementedError("reconstruct(R, k) is not implemented yet")


class RatingPredictor:
    """Predicts missing ratings from a low-rank (truncated SVD) model of the rating matrix."""

    def __init__(self, n_factors: int = 10) -> None:
        raise NotImplementedError("RatingPredictor.__init__ is not implemented yet")

    def fit(
        self,
        users: np.ndarray,
        items: np.ndarray,
        ratings: np.ndarray,
        n_users: int,
        n_items: int,
    ) -> "RatingPredictor":
        """Learn from observed ratings; ``ratings[j]`` is user ``users[j]`` on item ``items[j]``.

        Return ``self``.
        """
        raise NotImplementedError("RatingPredictor.fit is not implemented yet")

    def predict(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        """Return one predicted rating (a float) per (users[j], items[j]) pair."""
        raise NotImplementedError("RatingPredictor.predict is not implemented yet")
