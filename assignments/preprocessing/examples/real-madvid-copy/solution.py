"""Real code: StandardScaler from madvid/ml_module_04, utils/scaler.py (``MyStandardScaler``);
MedianImputer from Advueu963/imputer, src/imputer/contracts/strategies/median.py
(``MedianStrategy``); OneHotEncoder from pranzalkhadka/NeuroInsight, src/one_hot_encoding.py
(``OneHotEncoding.one_hot_encoding``, a label encoder).

Adapted only the interface: class names; the imputer's ``backend`` argument is numpy itself and
its ``mask`` argument is left to its default; the label encoder, which has no fit, gets a
``fit`` that returns self and a ``transform`` applying it to each column and stacking the
blocks as they come out. Kept: the scaler's fit returning None and no constant-column guard;
the encoder's width ``Y.max() + 1`` from the data given, its index-by-value and its transposed
``(classes, samples)`` blocks.
"""

import numpy as np


class StandardScaler:
    def __init__(self):
        pass

    def fit(self, X):
        self.mean_ = np.mean(X, axis=0)
        self.std_ = np.std(X, axis=0)

    def transform(self, X):
        X_tr = np.copy(X)
        X_tr -= self.mean_
        X_tr /= self.std_
        return X_tr


class MedianImputer:
    def __init__(self):
        self.col_median = None

    def fit(self, X, backend=np, fill_value=None):
        self.col_median = backend.nanmedian(X, axis=0)
        return self

    def transform(self, x, mask=None, backend=np):
        if mask is None:
            mask = backend.isnan(x)
        return backend.where(mask, self.col_median, x)


class OneHotEncoder:
    def one_hot_encoding(self, Y):
        one_hot_Y = np.zeros((Y.size, Y.max() + 1))
        one_hot_Y[np.arange(Y.size), Y] = 1
        one_hot_Y = one_hot_Y.T
        return one_hot_Y

    def fit(self, X):
        return self

    def transform(self, X):
        return np.concatenate([self.one_hot_encoding(X[:, j]) for j in range(X.shape[1])])
