"""Independent solution: boolean masks and counts, one numpy expression per metric."""

import numpy as np


def accuracy(y_true, y_pred):
    a, b = np.ravel(y_true), np.ravel(y_pred)
    return 0.0 if a.size == 0 else np.count_nonzero(a == b) / a.size


def _safe_ratio(top, bottom):
    return float(top) / float(bottom) if bottom else 0.0


def precision(y_true, y_pred, pos_label=1):
    guessed = np.ravel(y_pred) == pos_label
    return _safe_ratio(np.count_nonzero(guessed & (np.ravel(y_true) == pos_label)), np.count_nonzero(guessed))


def recall(y_true, y_pred, pos_label=1):
    real = np.ravel(y_true) == pos_label
    return _safe_ratio(np.count_nonzero(real & (np.ravel(y_pred) == pos_label)), np.count_nonzero(real))


def f1(y_true, y_pred, pos_label=1):
    p, r = precision(y_true, y_pred, pos_label), recall(y_true, y_pred, pos_label)
    return _safe_ratio(2 * p * r, p + r)


def confusion_matrix(y_true, y_pred):
    a, b = np.ravel(y_true), np.ravel(y_pred)
    classes, codes = np.unique(np.concatenate((a, b)), return_inverse=True)
    n = classes.size
    flat = codes[: a.size] * n + codes[a.size:]
    return np.bincount(flat, minlength=n * n).reshape(n, n)
