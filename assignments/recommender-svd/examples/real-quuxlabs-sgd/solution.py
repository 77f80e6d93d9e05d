"""Real code: reconstruct from adepalatis/EE379K, Lab3/problem3.py; RatingPredictor from
PurdueEats/backend, backend/GNN/MatrixFactorization.py (the quuxlabs matrix-factorisation
tutorial).

Adapted only the interface (names/signatures). reconstruct: the loop body over ``k_values``
becomes ``reconstruct(R, k)`` (the image and plotting dropped); ``sp.linalg.svd``/``diagsvd`` ->
numpy. Kept: ``cpy[cpy < svd[k]] = 0`` (keeps every singular value >= s[k], so k + 1 of them,
and s[k] does not exist when k = min(m, n)). RatingPredictor: the tutorial's usage (dense R with
0 for missing, random P and Q, ``nR = nP @ nQ.T``) moves into ``fit``; ``K`` is ``n_factors``;
the unused ``eR`` line dropped. Kept: 5000 full passes of element-wise Python loops.
"""

import numpy as np


def diagsvd(s, M, N):
    """scipy.linalg.diagsvd in numpy: the M x N matrix with s on its diagonal."""
    out = np.zeros((M, N))
    out[np.arange(len(s)), np.arange(len(s))] = s
    return out


def reconstruct(R, k):
    M = R
    U, svd, Vt = np.linalg.svd(M)
    approx = diagsvd(svd, M.shape[0], M.shape[1])
    cpy = approx.copy()
    cpy[cpy < svd[int(k)]] = 0
    x = np.dot(np.dot(U, cpy), Vt)
    return x


def matrix_factorization(R, P, Q, K, steps=5000, alpha=0.0002, beta=0.02):
    Q = Q.T
    for step in range(steps):
        for i in range(len(R)):
            for j in range(len(R[i])):
                if R[i][j] > 0:
                    eij = R[i][j] - np.dot(P[i, :], Q[:, j])
                    for k in range(K):
                        P[i][k] = P[i][k] + alpha * (2 * eij * Q[k][j] - beta * P[i][k])
                        Q[k][j] = Q[k][j] + alpha * (2 * eij * P[i][k] - beta * Q[k][j])
        e = 0
        for i in range(len(R)):
            for j in range(len(R[i])):
                if R[i][j] > 0:
                    e = e + pow(R[i][j] - np.dot(P[i, :], Q[:, j]), 2)
                    for k in range(K):
                        e = e + (beta / 2) * (pow(P[i][k], 2) + pow(Q[k][j], 2))
        if e < 0.001:
            break
    return P, Q.T


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        R = np.zeros((n_users, n_items))
        R[users, items] = ratings
        N = len(R)
        M = len(R[0])
        K = self.n_factors
        P = np.random.rand(N, K)
        Q = np.random.rand(M, K)
        nP, nQ = matrix_factorization(R, P, Q, K)
        self.nR = np.dot(nP, nQ.T)
        return self

    def predict(self, users, items):
        return self.nR[users, items]
