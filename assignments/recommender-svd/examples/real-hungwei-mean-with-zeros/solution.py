"""Real code: reconstruct from enuguru/aiandml,
machine_learning_algorithms_using_frameworks/code/svd/06_svd_data_reduction.py; RatingPredictor
from hungwei-wu/Music-Recommendation-System, model/recommendation.py (``predict_by_factorize``).

Adapted only the interface (names/signatures). reconstruct: the script's matrix and ``n_elements
= 2`` become the arguments; ``scipy.linalg.svd`` -> ``numpy.linalg.svd`` (same full SVD). Kept:
``Sigma[:m, :m] = diag(s)``, written for a wide matrix (its example is 3 x 10). RatingPredictor:
the sparse user-item matrix becomes a dense one built in ``fit``; ``csr_matrix.mean(axis=1)`` ->
``np.mean(axis=1)`` (both average over every column, zeros included); ``svds`` -> the numpy
``svds`` below. Kept: user means diluted by the missing zeros, no clipping, the hard-coded ``k =
2`` (``n_factors`` unused).
"""

import numpy as np
from numpy import diag, zeros
from numpy.linalg import svd


def reconstruct(R, k):
    A = R
    U, s, V = svd(A)
    # create m x n Sigma matrix
    Sigma = zeros((A.shape[0], A.shape[1]))
    # populate Sigma with n x n diagonal matrix
    Sigma[:A.shape[0], :A.shape[0]] = diag(s)
    # select
    n_elements = k
    Sigma = Sigma[:, :n_elements]
    V = V[:n_elements, :]
    # reconstruct
    B = U.dot(Sigma.dot(V))
    return B


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
        user_item = np.zeros((n_users, n_items))
        user_item[users, items] = ratings
        user_item_mean = np.mean(user_item, axis=1)
        user_item_normalized = user_item - user_item_mean.reshape(-1, 1)
        U, sigma, V = svds(user_item_normalized, k=2)
        sigma = np.diag(sigma)
        self.pred = U.dot(sigma).dot(V) + user_item_mean.reshape(-1, 1)
        return self

    def predict(self, users, items):
        return self.pred[users, items]
