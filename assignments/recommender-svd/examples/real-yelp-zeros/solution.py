"""Real code: reconstruct from exafmm/pyexafmm, utils/svd.py (``compress(matrix, target_rank)``);
RatingPredictor from yulelee/yelp, svd.py.

Adapted only the interface (names/signatures). reconstruct: ``compress`` returns the factors,
``reconstruct`` multiplies them as the file's own demo does; ``scipy.linalg.svd`` ->
``np.linalg.svd`` (same full SVD). Kept: ``if i > target_rank: break`` (keeps target_rank + 1
terms). RatingPredictor: the script's train matrix (missing ratings are 0) is built in ``fit``;
``predict`` reads ``X_pred``; ``scipy.sparse.linalg.svds`` -> the numpy ``svds`` below (same
top-k product, and like scipy it refuses k >= min(shape)). Kept: zeros for missing ratings, no
centring, no clipping, the hard-coded ``k = 20`` (``n_factors`` unused).
"""

import numpy as np


def compress(matrix, target_rank=None):
    u, s, vh = np.linalg.svd(matrix)
    uk = []
    vhk = []
    sk = []
    full_rank = len(s)
    if target_rank > full_rank or target_rank is None:
        target_rank = full_rank
    for i, sv in enumerate(s):
        if i > target_rank:
            break
        else:
            uk.append(u[:, i])
            vhk.append(vh[i, :])
            sk.append(sv)
    uk = np.array(uk).T
    vhk = np.array(vhk)
    sk = np.array(sk)
    return uk, sk, vhk


def reconstruct(R, k):
    uk, sk, vhk = compress(R, k)
    return np.matmul(uk, np.matmul(np.diag(sk), vhk))


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
