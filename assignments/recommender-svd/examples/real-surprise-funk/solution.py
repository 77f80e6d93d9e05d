"""Real code: reconstruct from numpy/numpy, doc/source/user/plot_final.py (the numpy tutorial on
SVD image approximation); RatingPredictor from NicolasHug/Surprise,
surprise/prediction_algorithms/matrix_factorization.pyx (class ``SVD``: ``sgd`` and
``estimate``; the clip to [1, 5] is what Surprise's ``AlgoBase.predict`` does with
``estimate``).

Adapted only the interface (names/signatures). reconstruct: one matrix instead of a stack of
three colour channels (``Sigma[..., :k]`` without the leading axis). Kept: the full (not thin)
SVD. RatingPredictor: ``RatingPredictor(n_factors)`` is Surprise's ``SVD(n_factors=...)`` with
its other defaults (20 epochs, learning rate 0.005, regularisation 0.02, biased); the trainset
is the three arrays, in the order given; the Cython loops are plain Python (the loops over
factors as numpy vector operations: the same updates); ``predict`` calls ``estimate`` per pair
and clips. Kept: every factor initialised to 0.1, as this version does (so all factors move
together), and per-rating SGD in Python.
"""

import numpy as np
from numpy import linalg


def reconstruct(R, k):
    U, s, Vt = linalg.svd(R)
    Sigma = np.zeros(R.shape)
    np.fill_diagonal(Sigma, s)
    return U @ Sigma[:, :k] @ Vt[:k, :]


class RatingPredictor:
    def __init__(self, n_factors=10, n_epochs=20, biased=True, lr_all=.005, reg_all=.02):
        self.n_factors = n_factors
        self.n_epochs = n_epochs
        self.biased = biased
        self.lr_bu = self.lr_bi = self.lr_pu = self.lr_qi = lr_all
        self.reg_bu = self.reg_bi = self.reg_pu = self.reg_qi = reg_all

    def fit(self, users, items, ratings, n_users, n_items):
        self.global_mean = float(np.mean(ratings))
        self.sgd(users, items, ratings, n_users, n_items)
        return self

    def sgd(self, users, items, ratings, n_users, n_items):
        global_mean = self.global_mean
        bu = np.zeros(n_users, np.double)
        bi = np.zeros(n_items, np.double)
        pu = np.zeros((n_users, self.n_factors), np.double) + .1
        qi = np.zeros((n_items, self.n_factors), np.double) + .1
        if not self.biased:
            global_mean = 0
        for current_epoch in range(self.n_epochs):
            for u, i, r in zip(users, items, ratings):
                dot = qi[i] @ pu[u]
                err = r - (global_mean + bu[u] + bi[i] + dot)
                if self.biased:
                    bu[u] += self.lr_bu * (err - self.reg_bu * bu[u])
                    bi[i] += self.lr_bi * (err - self.reg_bi * bi[i])
                puf = pu[u].copy()
                qif = qi[i].copy()
                pu[u] += self.lr_pu * (err * qif - self.reg_pu * puf)
                qi[i] += self.lr_qi * (err * puf - self.reg_qi * qif)
        self.bu = bu
        self.bi = bi
        self.pu = pu
        self.qi = qi

    def estimate(self, u, i):
        est = self.global_mean if self.biased else 0
        est += self.bu[u]
        est += self.bi[i]
        est += np.dot(self.qi[i], self.pu[u])
        return est

    def predict(self, users, items):
        return np.array([min(5.0, max(1.0, self.estimate(u, i))) for u, i in zip(users, items)])
