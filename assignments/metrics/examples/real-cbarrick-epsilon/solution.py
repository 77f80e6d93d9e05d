"""Real code: precision/recall/f1 from cbarrick/toys, metrics/classification.py (its functional
version: ``tp / (tp + fp + EPSILON)`` with ``EPSILON = 1e-7``); accuracy and confusion_matrix from
zhiyzuo/python-ml, pyml/metric.py.

Adapted only the interface: names/signatures (``precision(y, h, target=1)`` ->
``precision(y_true, y_pred, pos_label=1)``, ``f_score`` with beta=1 -> ``f1``). Kept: the 1e-7
smoothing in every denominator, and zhiyzuo's fixed 2x2 matrix laid out [[TP, FP], [FN, TN]]
(truth in columns, positives first, "positive" meaning a truthy label).
"""

import numpy as np

EPSILON = 1e-7


def accuracy(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return sum(y_true == y_pred) / float(y_true.size)


def _tp(y, h, target):
    return ((h == target) & (y == target)).sum()


def _fp(y, h, target):
    return ((h == target) & (y != target)).sum()


def _fn(y, h, target):
    return ((h != target) & (y == target)).sum()


def precision(y_true, y_pred, pos_label=1):
    tp = _tp(y_true, y_pred, pos_label)
    fp = _fp(y_true, y_pred, pos_label)
    return tp / (tp + fp + EPSILON)


def recall(y_true, y_pred, pos_label=1):
    tp = _tp(y_true, y_pred, pos_label)
    fn = _fn(y_true, y_pred, pos_label)
    return tp / (tp + fn + EPSILON)


def f1(y_true, y_pred, pos_label=1):
    beta = 1
    tp = _tp(y_true, y_pred, pos_label)
    fp = _fp(y_true, y_pred, pos_label)
    fn = _fn(y_true, y_pred, pos_label)
    beta2 = beta ** 2
    tp2 = (1 + beta2) * tp
    fn2 = beta2 * fn
    return tp2 / (tp2 + fn2 + fp + EPSILON)


def confusion_matrix(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    conf_mat = np.zeros((2, 2))
    for i in range(y_true.size):
        true, pred = y_true[i], y_pred[i]
        if true == pred:
            if true:
                conf_mat[0, 0] += 1
            else:
                conf_mat[1, 1] += 1
        else:
            if true:
                conf_mat[1, 0] += 1
            else:
                conf_mat[0, 1] += 1
    return conf_mat
