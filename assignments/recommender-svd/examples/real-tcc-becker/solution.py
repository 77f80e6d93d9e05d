"""Real code: reconstruct from joselitopradomarques/TCC, SVD/svd2.py (``compress_svd(image, k)``);
RatingPredictor from Fir3st/hybrid-recommender, python/svd_cbf.py.

Adapted only the interface (names/signatures). reconstruct: ``reconstruct`` returns the first of
``compress_svd``'s two results. RatingPredictor: the pandas frame of zeros becomes a numpy array
built in ``fit``; ``svds`` -> the numpy ``svds`` below. Kept: the mean over every item (missing
zeros included), no clipping, the hard-coded ``k = 20`` (``n_factors`` unused).
"""

import numpy as np
from numpy.linalg import svd


def compress_svd(image, k):
    U, s, V = svd(image, full_matrices=False)
    reconst_matrix = np.dot(U[:, :k], np.dot(np.diag(s[:k]), V[:k, :]))
    return reconst_matrix, s


def reconstruct(R, k):
    return compress_svd(R, k)[0]


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
