"""Real code: leonmariotto/bootcamp_42AI, bootcamp_ml/day03/ex11/other_metrics.py (accuracy,
precision, recall, f1) and bootcamp_ml/day03/ex12/confusion_matrix.py (confusion matrix).

Adapted only the interface: names/signatures (``accuracy_score_(y, y_hat)`` ->
``accuracy(y_true, y_pred)`` and so on; ``confusion_matrix_`` without its ``labels`` argument).
Kept: false positives counted as "wrong and truly negative" (right only with two classes),
Python-int division (0/0 raises ZeroDivisionError) and the original's 2x2 confusion matrix
around the smallest predicted label.
"""

import numpy as np


def accuracy(y_true, y_pred):
    y, y_hat = y_true, y_pred
    tr = len(y_hat[(y == y_hat)])
    l = len(y_hat)
    return tr / l


def precision(y_true, y_pred, pos_label=1):
    y, y_hat = y_true, y_pred
    tp = len(y_hat[(y == y_hat) & (y == pos_label)])
    fp = len(y_hat[(y != y_hat) & (y != pos_label)])
    return tp / (tp + fp)


def recall(y_true, y_pred, pos_label=1):
    y, y_hat = y_true, y_pred
    tp = len(y_hat[(y == y_hat) & (y == pos_label)])
    fn = len(y_hat[(y != y_hat) & (y == pos_label)])
    return tp / (tp + fn)


def f1(y_true, y_pred, pos_label=1):
    p = precision(y_true, y_pred, pos_label)
    r = recall(y_true, y_pred, pos_label)
    return (2 * p * r) / (p + r)


def confusion_matrix(y_true, y_pred):
    y_hat = y_pred
    pos_label = np.unique(y_hat)[0]
    y = np.array(y_true)
    r = np.ones((2, 2))
    r[0, 0] = len(y_hat[(y == y_hat) & (y == pos_label)])
    r[0, 1] = len(y_hat[(y == y_hat) & (y != pos_label)])
    r[1, 0] = len(y_hat[(y != y_hat) & (y != pos_label)])
    r[1, 1] = len(y_hat[(y != y_hat) & (y == pos_label)])
    return r
