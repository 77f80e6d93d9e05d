"""Real code: StandardScaler from bragewiseth/MachineLearningProjects,
project1/src/myStandardScaler.py; MedianImputer from datarobot/datarobot-user-models,
task_templates/transforms/custom_class_python/MissingImputation.py
(``MissingValuesMedianImputation``); OneHotEncoder from muladopiaza/Bio-ML, preprocessing.py.

Adapted only the interface: class names; the ``with_std``/``with_mean`` options fixed to their
defaults; datarobot's ``__init__(self, X)`` gets ``X=None`` so it can be built without data;
its pandas calls are rewritten minimally in numpy (``X.median(skipna=True)`` per column ->
``np.nanmedian``, ``fillna(medians)`` -> ``np.where`` on a new array). Kept: the scaler's
``self.var_ != 0`` on the whole variance array (an error with more than one column) and its fit
returning None.
"""

import numpy as np


class StandardScaler:
    def __init__(self):
        self.mean_ = None
        self.var_ = None

    def fit(self, X):
        p = X.shape[1]
        self.mean_ = np.zeros(p)
        self.var_ = np.zeros(p)
        for i in range(p):
            self.mean_[i] = np.mean(X[:, i])
            self.var_[i] = np.var(X[:, i])

    def transform(self, X, with_std=True, with_mean=True):
        if self.mean_ is None or self.var_ is None:
            raise ValueError("Call fit first")
        if with_mean:
            X = X - self.mean_.reshape(1, -1)
        if with_std and self.var_ != 0:
            X /= np.sqrt(self.var_).reshape(1, -1)
        return X


class MedianImputer:
    def __init__(self, X=None):
        self.medians = {}

    def fit(self, X, y=None, **kwargs):
        self.medians = {j: np.nanmedian(X[:, j]) for j in range(X.shape[1])}
        return self

    def transform(self, X):
        fill = np.array([self.medians[j] for j in range(X.shape[1])])
        return np.where(np.isnan(X), fill, X)


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
