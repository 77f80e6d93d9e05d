"""Real code: StandardScaler from miraclestatus/mllearning, ml/myscript/StandardScaler.py;
MedianImputer from MichaelAllen1966/1804_python_healthcare, py_files/0115_impute.py
(``impute_with_median(df)``); OneHotEncoder from keras-team/autokeras, autokeras/preprocessor.py.

Adapted only the interface: the healthcare function has no fit, so ``fit`` only returns self and
``transform`` calls the function; its pandas calls are rewritten minimally in numpy (a column
view, ``sum(isna())``, ``Series.median()`` -> ``np.nanmedian``, ``fillna(inplace=True)`` -> a
masked assignment on that view). Kept: the medians come from the data being transformed
(leakage) and the caller's array is filled in place; the scaler's per-column loops without a
constant-column guard; autokeras' encoder over the flattened data, its ``set`` order, ``fit``
returning None and a KeyError for an unseen value.
"""

import numpy as np


class StandardScaler:
    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, X):
        self.mean_ = np.array([np.mean(X[:, i]) for i in range(X.shape[1])])
        self.scale_ = np.array([np.std(X[:, i]) for i in range(X.shape[1])])
        return self

    def transform(self, X):
        resX = np.empty(shape=X.shape, dtype=float)
        for col in range(X.shape[1]):
            resX[:, col] = (X[:, col] - self.mean_[col]) / self.scale_[col]
        return resX


def impute_with_median(df):
    """Where NaNs exist in a column, replace them with that column's median."""
    for column in range(df.shape[1]):
        col_data = df[:, column]
        missing_data = sum(np.isnan(col_data))
        if missing_data > 0:
            col_median = np.nanmedian(col_data)
            col_data[np.isnan(col_data)] = col_median
    return df


class MedianImputer:
    def fit(self, X):
        return self

    def transform(self, X):
        return impute_with_median(X)


class OneHotEncoder:
    def __init__(self):
        self.data = None
        self.n_classes = 0
        self.labels = None
        self.label_to_vec = {}
        self.int_to_label = {}

    def fit(self, data):
        data = np.array(data).flatten()
        self.labels = set(data)
        self.n_classes = len(self.labels)
        for index, label in enumerate(self.labels):
            vec = np.array([0] * self.n_classes)
            vec[index] = 1
            self.label_to_vec[label] = vec
            self.int_to_label[index] = label

    def transform(self, data):
        data = np.array(data)
        if len(data.shape) > 1:
            data = data.flatten()
        return np.array(list(map(lambda x: self.label_to_vec[x], data)))
