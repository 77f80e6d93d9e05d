"""preprocessing: fill in the three classes below (numpy only). See README.md."""

from __future__ import annotations

import numpy as np


class StandardScaler:
    """Learn each column's mean and standard deviation in fit; standardise in transform."""

    def fit(self, X: np.ndarray) -> "StandardScaler":
        raise NotImplementedError("StandardScaler.fit is not implemented yet")

    def transform(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError("StandardScaler.transform is not implemented yet")


class MedianImputer:
    """Learn each column's median (ignoring NaN) in fit; replace NaN by it in transform."""

    def fit(self, X: np.ndarray) -> "MedianImputer":
        raise NotImplementedError("MedianImputer.fit is not implemented yet")

    def transform(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError("MedianImputer.transform is not implemented yet")


class OneHotEncoder:
    """Learn each column's categories in fit; one 0/1 column per category in transform."""

    def fit(self, X: np.ndarray) -> "OneHotEncoder":
        raise NotImplementedError("OneHotEncoder.fit is not implemented yet")

    def transform(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError("OneHotEncoder.transform is not implemented yet")
