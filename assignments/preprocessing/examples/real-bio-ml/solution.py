"""Real code: muladopiaza/Bio-ML, preprocessing.py (its StandardScaler, SimpleImputer and
OneHotEncoder).

Adapted only the interface: ``MedianImputer`` is the original ``SimpleImputer`` with
``strategy="median"`` (its other strategies dropped); ``fit_transform`` helpers dropped. Kept: the
scaler divides by the raw standard deviation (no guard for a constant column).
"""

import numpy as np


class StandardScaler:
    def fit(self, X):
        self.mean_ = np.mean(X, axis=0)
        self.std_ = np.std(X, axis=0)
        return self

    def transform(self, X):
        return (X - self.mean_) / self.std_


class MedianImputer:
    def __init__(self):
        self.statistics_ = None

    def fit(self, X):
        self.statistics_ = np.nanmedian(X, axis=0)
        return self

    def transform(self, X):
        X_new = X.copy()
        inds = np.where(np.isnan(X_new))
        X_new[inds] = np.take(self.statistics_, inds[1])
        return X_new


class OneHotEncoder:
    def __init__(self):
        self.categories_ = None

    def fit(self, X):
        self.categories_ = [np.unique(X[:, i]) for i in range(X.shape[1])]
        return self

    def transform(self, X):
        n_samples = X.shape[0]
        result = []
        for i, cats in enumerate(self.categories_):
            col = np.zeros((n_samples, len(cats)))
            for j, cat in enumerate(cats):
                col[:, j] = (X[:, i] == cat).astype(int)
            result.append(col)
        return np.hstack(result)
