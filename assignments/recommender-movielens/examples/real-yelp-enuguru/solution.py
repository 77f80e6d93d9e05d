"""Real code: reconstruct from enuguru/aiandml,
machine_learning_algorithms_using_frameworks/code/svd/06_svd_data_reduction.py; RatingPredictor
from yulelee/yelp, svd.py.

Adapted only the interface (names/signatures). reconstruct: the script's matrix and ``n_elements
= 2`` become the arguments; ``scipy.linalg.svd`` -> ``numpy.linalg.svd`` (same full SVD). Kept:
``Sigma[:m, :m] = diag(s)``, written for a wide matrix (its example is 3 x 10). RatingPredictor:
the script's train matrix (missing ratings are 0) is built in ``fit``; ``predict`` reads
``X_pred``; ``scipy.sparse.linalg.svds`` -> the numpy ``svds`` below (same top-k product, and
like scipy it refuses k >= min(shape)). Kept: zeros for missing ratings, no centring, no
clipping, the hard-coded ``k = 20`` (``n_factors`` unused).
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
        train_data_matrix = np.zeros((n_users, n_items))
        train_data_matrix[users, items] = ratings
        # get SVD components from train matrix. Choose k.
        u, s, vt = svds(train_data_matrix, k=20)
        s_diag_matrix = np.diag(s)
        self.X_pred = np.dot(np.dot(u, s_diag_matrix), vt)
        return self

    def predict(self, users, items):
        return self.X_pred[users, items]
