"""Real code: StandardScaler and OneHotEncoder from Vipul97/learnml,
learnml/preprocessing/_data.py and learnml/preprocessing/_encoders.py; MedianImputer from
jpbacher/interest-rate-deployment,
packages/lending_model/lending_model/processing/preprocessors.py (``NumericalImputer``).

Adapted only the interface: numpy arrays instead of DataFrames (columns by index), the
``features``/``y`` arguments dropped. pandas is not allowed, so its calls are rewritten minimally
in numpy: ``Series.median()`` (skips NaN) -> ``np.nanmedian``; ``fillna`` -> a masked
assignment on the copy; ``pd.get_dummies(data)`` -> its behaviour on a frame of these columns:
numeric columns pass through unchanged, others become one 0/1 column per sorted value found in
the data given. Kept: both ``fit``s of learnml return None, the scaler has no guard for a
constant column, and the encoder ignores what ``fit`` learnt.
"""

import numpy as np


class StandardScaler:
    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, X):
        self.mean_ = np.mean(X, axis=0)
        self.scale_ = np.std(X, axis=0)

    def transform(self, X):
        return (X - self.mean_) / self.scale_


class MedianImputer:
    def fit(self, X):
        self.imputer_dict = {}
        for feat in range(X.shape[1]):
            self.imputer_dict[feat] = np.nanmedian(X[:, feat])
        return self

    def transform(self, X):
        X = X.copy()
        for feat in range(X.shape[1]):
            column = X[:, feat]
            column[np.isnan(column)] = self.imputer_dict[feat]
        return X


def _get_dummies(data):
    blocks = []
    for col in range(data.shape[1]):
        column = data[:, col]
        if np.issubdtype(column.dtype, np.number):
            blocks.append(column[:, None])
        else:
            values = np.unique(column)
            blocks.append(column[:, None] == values[None, :])
    return np.hstack(blocks)


class OneHotEncoder:
    def __init__(self):
        self.categories_ = {}

    def fit(self, data):
        self.categories_ = {col: np.unique(data[:, col]) for col in range(data.shape[1])}

    def transform(self, data):
        return _get_dummies(data)
