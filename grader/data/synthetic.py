"""Data sets for exercises: seeded synthetic ones, plus trusted reference helpers.

Everything here runs on the trusted side only (checks import it; submissions never see it).
Numpy only, and fast: the default sizes build, split and score in a few milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "RatingsData",
    "mean_centred_svd_predict",
    "mean_centred_svd_rmse",
    "rmse",
    "split_ratings",
    "synthetic_ratings",
    "user_mean_baseline_rmse",
]

RATING_MIN = 1.0
RATING_MAX = 5.0


@dataclass(frozen=True)
class RatingsData:
    """Sparse ratings as parallel arrays: ``ratings[j]`` is user ``users[j]`` on item ``items[j]``.

    Each (user, item) pair occurs at most once; indices lie in ``[0, n_users)``, ``[0, n_items)``.
    """

    users: np.ndarray  # int64, shape (n,)
    items: np.ndarray  # int64, shape (n,)
    ratings: np.ndarray  # float64, shape (n,)
    n_users: int
    n_items: int

    def __len__(self) -> int:
        return int(self.ratings.shape[0])

    def subset(self, index: np.ndarray) -> RatingsData:
        """The ratings selected by ``index`` (boolean mask or integer indices), same dimensions."""
        return RatingsData(
            self.users[index], self.items[index], self.ratings[index], self.n_users, self.n_items
        )

    def dense(self, fill: float = np.nan) -> np.ndarray:
        """The ``(n_users, n_items)`` rating matrix, ``fill`` where unobserved."""
        out = np.full((self.n_users, self.n_items), fill, dtype=np.float64)
        out[self.users, self.items] = self.ratings
        return out


def synthetic_ratings(
    rng: np.random.Generator,
    *,
    n_users: int = 300,
    n_items: int = 200,
    rank: int = 5,
    density: float = 0.3,
    noise: float = 0.4,
    min_per_row: int = 5,
) -> RatingsData:
    """Random ratings from a biased low-rank model, clipped to ``[1, 5]``.

    ``rating = 3.5 + b_user + b_item + (U @ V.T)[user, item] + N(0, noise**2)`` with
    ``b ~ N(0, 0.5**2)`` and factors scaled so the low-rank part has standard deviation 0.8.
    About ``density`` of all pairs are observed, and every user and every item has at least
    ``min_per_row`` ratings (so ``min_per_row`` must not exceed ``n_items`` or ``n_users``).
    """
    if not 0.0 < density <= 1.0:
        raise ValueError(f"density must be in (0, 1], got {density}")
    if min_per_row > min(n_users, n_items):
        raise ValueError("min_per_row exceeds the number of users or items")
    user_bias = rng.normal(0.0, 0.5, n_users)
    item_bias = rng.normal(0.0, 0.5, n_items)
    scale = np.sqrt(0.8 / np.sqrt(rank))  # entries of U @ V.T then have std 0.8
    u = rng.normal(0.0, scale, (n_users, rank))
    v = rng.normal(0.0, scale, (n_items, rank))

    mask = rng.random((n_users, n_items)) < density
    # Top up sparse rows and columns with random extra pairs.
    for m in (mask, mask.T):  # mask.T is a view: writes land in mask
        for row in np.flatnonzero(m.sum(axis=1) < min_per_row):
            free = np.flatnonzero(~m[row])
            m[row, rng.choice(free, size=min_per_row - int(m[row].sum()), replace=False)] = True

    users, items = np.nonzero(mask)
    users = users.astype(np.int64)
    items = items.astype(np.int64)
    ratings = (
        3.5
        + user_bias[users]
        + item_bias[items]
        + np.einsum("nr,nr->n", u[users], v[items])
        + rng.normal(0.0, noise, users.shape[0])
    )
    ratings = np.clip(ratings, RATING_MIN, RATING_MAX)
    return RatingsData(users, items, ratings.astype(np.float64), n_users, n_items)


def split_ratings(
    data: RatingsData, rng: np.random.Generator, test_fraction: float = 0.2
) -> tuple[RatingsData, RatingsData]:
    """Random train/test split in which every user and item of the test set also occurs in train.

    One random rating per user and one per item are kept in train; the test set is drawn from the
    rest, so it may hold slightly fewer than ``test_fraction`` of the ratings on tiny data.
    """
    if not 0.0 <= test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in [0, 1), got {test_fraction}")
    n = len(data)
    perm = rng.permutation(n)
    keep = np.zeros(n, dtype=bool)
    for idx in (data.users, data.items):
        _, first = np.unique(idx[perm], return_index=True)  # a random rating per user / item
        keep[perm[first]] = True
    candidates = perm[~keep[perm]]  # still in random order
    n_test = min(round(test_fraction * n), candidates.shape[0])
    is_test = np.zeros(n, dtype=bool)
    is_test[candidates[:n_test]] = True
    return data.subset(~is_test), data.subset(is_test)


def rmse(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Root mean squared error of two equally shaped arrays."""
    return float(np.sqrt(np.mean((np.asarray(predicted, float) - np.asarray(actual, float)) ** 2)))


def _user_means(train: RatingsData) -> np.ndarray:
    """Mean train rating of each user (global mean for users with no ratings)."""
    sums = np.bincount(train.users, weights=train.ratings, minlength=train.n_users)
    counts = np.bincount(train.users, minlength=train.n_users)
    global_mean = float(train.ratings.mean())
    return np.where(counts > 0, sums / np.maximum(counts, 1), global_mean)


def user_mean_baseline_rmse(train: RatingsData, test: RatingsData) -> float:
    """Test RMSE of predicting each user's mean train rating."""
    return rmse(_user_means(train)[test.users], test.ratings)


def mean_centred_svd_predict(train: RatingsData, k: int) -> np.ndarray:
    """Dense ``(n_users, n_items)`` predictions of mean-centred rank-``k`` SVD, clipped to [1, 5].

    Missing ratings are filled with the user's mean, user means are subtracted, the residual is
    truncated to rank ``k`` by SVD, and the means are added back.
    """
    means = _user_means(train)
    residual = np.zeros((train.n_users, train.n_items))
    residual[train.users, train.items] = train.ratings - means[train.users]
    u, s, vt = np.linalg.svd(residual, full_matrices=False)
    approx = (u[:, :k] * s[:k]) @ vt[:k]
    return np.asarray(np.clip(approx + means[:, None], RATING_MIN, RATING_MAX), dtype=float)


def mean_centred_svd_rmse(train: RatingsData, test: RatingsData, k: int) -> float:
    """Test RMSE of :func:`mean_centred_svd_predict` with rank ``k``."""
    return rmse(mean_centred_svd_predict(train, k)[test.users, test.items], test.ratings)
