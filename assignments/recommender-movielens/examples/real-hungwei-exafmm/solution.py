"""Real code: reconstruct from exafmm/pyexafmm, utils/svd.py (``compress(matrix, target_rank)``);
RatingPredictor from hungwei-wu/Music-Recommendation-System, model/recommendation.py
(``predict_by_factorize``).

Adapted only the interface (names/signatures). reconstruct: ``compress`` returns the factors,
``reconstruct`` multiplies them as the file's own demo does; ``scipy.linalg.svd`` ->
``np.linalg.svd`` (same full SVD). Kept: ``if i > target_rank: break`` (keeps target_rank + 1
terms). RatingPredictor: the sparse user-item matrix becomes a dense one built in ``fit``;
``csr_matrix.mean(axis=1)`` -> ``np.mean(axis=1)`` (both average over every column, zeros
included); ``svds`` -> the numpy ``svds`` below. Kept: user means diluted by the missing zeros,
no clipping, the hard-coded ``k = 2`` (``n_factors`` unused).
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
