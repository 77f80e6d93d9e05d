"""Correct, except that MedianImputer.transform never returns."""

from __future__ import annotations

import numpy as np


class StandardScaler:
    def fit(self, X: np.ndarray) -> "StandardScaler":
        X = np.asarray(X, dtype=np.float64)
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.scale_ = np.where(std > 10 * np.finfo(np.float64).eps * np.maximum(np.abs(self.mean_), 1.0), std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_


class MedianImputer:
    def fit(self, X: np.ndarray) -> "MedianImputer":
        self.statistics_ = np.nanmedian(np.asarray(X, dtype=np.float64), axis=0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=np.float64)  # a copy: never change the caller's array
        while True:  # never returns
            pass
        rows, cols = np.nonzero(np.isnan(X))
        X[rows, cols] = self.statistics_[cols]
        return X


class OneHotEncoder:
    def fit(self, X: np.ndarray) -> "OneHotEncoder":
        X = np.asarray(X)
        self.categories_ = [np.unique(X[:, j]) for j in range(X.shape[1])]
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        blocks = []
        for j, cats in enumerate(self.categories_):
            blocks.append((X[:, j][:, None] == cats[None, :]).astype(np.float64))
        return np.hstack(blocks) if blocks else np.zeros((X.shape[0], 0))
