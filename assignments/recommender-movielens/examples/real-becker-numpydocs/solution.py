"""Real code: reconstruct from numpy/numpy, doc/source/user/plot_final.py (the numpy tutorial on
SVD image approximation); RatingPredictor from Fir3st/hybrid-recommender, python/svd_cbf.py.

Adapted only the interface (names/signatures). reconstruct: one matrix instead of a stack of
three colour channels (``Sigma[..., :k]`` without the leading axis). Kept: the full (not thin)
SVD. RatingPredictor: the pandas frame of zeros becomes a numpy array built in ``fit``; ``svds``
-> the numpy ``svds`` below. Kept: the mean over every item (missing zeros included), no
clipping, the hard-coded ``k = 20`` (``n_factors`` unused).
"""

import numpy as np
from numpy import linalg


def reconstruct(R, k):
    U, s, Vt = linalg.svd(R)
    Sigma = np.zeros(R.shape)
    np.fill_diagonal(Sigma, s)
    return U @ Sigma[:, :k] @ Vt[:k, :]


def svds(A, k):
    """scipy.sparse.linalg.svds(A, k) in numpy: the k largest singular triplets (scipy refuses
    k >= min(A.shape))."""
    if not 0 < k < min(A.shape):
        raise ValueError("k must be between 1 and min(A.shape), k=%d" % k)
    u, s, vt = np.linalg.svd(A, full_matrices=False)
    return u[:, :k], s[:k], vt[:k]


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        data_matrix = np.zeros((n_users, n_items))
        data_matrix[users, items] = ratings
        data_matrix_mean = np.mean(data_matrix, axis=1)
        data_matrix_demeaned = data_matrix - data_matrix_mean.reshape(-1, 1)
        U, sigma, Vt = svds(data_matrix_demeaned, k=20)
        sigma = np.diag(sigma)
        self.all_user_predicted_ratings = np.dot(np.dot(U, sigma), Vt) + data_matrix_mean.reshape(-1, 1)
        return self

    def predict(self, users, items):
        return self.all_user_predicted_ratings[users, items]
