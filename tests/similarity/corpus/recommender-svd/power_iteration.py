"""Independent solution: singular triplets one at a time by power iteration with deflation."""

import numpy as np

ITERATIONS = 200
TOLERANCE = 1e-10


def leading_triplet(A, rng):
    v = rng.standard_normal(A.shape[1])
    v /= np.linalg.norm(v)
    sigma = 0.0
    for _ in range(ITERATIONS):
        u = A @ v
        norm_u = np.linalg.norm(u)
        if norm_u < TOLERANCE:
            return np.zeros(A.shape[0]), 0.0, v
        u /= norm_u
        v = A.T @ u
        sigma_next = np.linalg.norm(v)
        v /= max(sigma_next, TOLERANCE)
        if abs(sigma_next - sigma) < TOLERANCE * max(1.0, sigma_next):
            sigma = sigma_next
            break
        sigma = sigma_next
    return u, sigma, v


def reconstruct(R, k):
    residual = np.asarray(R, dtype=float).copy()
    approximation = np.zeros_like(residual)
    rng = np.random.default_rng(0)
    for _ in range(k):
        u, sigma, v = leading_triplet(residual, rng)
        piece = sigma * np.outer(u, v)
        approximation += piece
        residual -= piece
    return approximation


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.factors = n_factors
        self.grid = None

    def fit(self, users, items, ratings, n_users, n_items):
        grid = np.zeros((n_users, n_items))
        seen = np.zeros((n_users, n_items), dtype=bool)
        grid[users, items] = ratings
        seen[users, items] = True
        per_user = [grid[row][seen[row]].mean() if seen[row].any() else np.mean(ratings) for row in range(n_users)]
        offsets = np.array(per_user)[:, np.newaxis]
        centred = np.where(seen, grid - offsets, 0.0)
        self.grid = np.clip(reconstruct(centred, min(self.factors, n_users, n_items)) + offsets, 1.0, 5.0)
        return self

    def predict(self, users, items):
        return self.grid[users, items]
