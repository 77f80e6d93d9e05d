"""Real code: accuracy/precision/recall/f1 from ssd227/sgd_rec_sys,
python/sgd_rec_sys/metrics/basic.py; confusion_matrix from ManolisNikolakakis/my_code_exercises,
ml_basic/conf_matrix.py.

Adapted only the interface: names/signatures (the original takes ``(y_hat, y, classi)``, here
``(y_true, y_pred, pos_label)``). Kept: Python's built-in ``sum`` over numpy booleans, no
zero-division guard (numpy 0/0 gives nan with a warning), and a confusion matrix indexed by the
label values themselves (right only for labels 0..k-1).
"""

import numpy as np


def accuracy(y_true, y_pred):
    y_hat, y = y_pred, y_true
    return sum(y == y_hat) / y.size


def precision(y_true, y_pred, pos_label=1):
    y_hat, y, classi = y_pred, y_true, pos_label
    return sum((y_hat == classi) & (y == classi)) / sum(y_hat == classi)


def recall(y_true, y_pred, pos_label=1):
    y_hat, y, classi = y_pred, y_true, pos_label
    return sum((y_hat == classi) & (y == classi)) / sum(y == classi)


def f1(y_true, y_pred, pos_label=1):
    p = precision(y_true, y_pred, pos_label)
    r = recall(y_true, y_pred, pos_label)
    return 2 * p * r / (p + r)


def confusion_matrix(y_true, y_pred):
    classes = np.unique(np.concatenate([y_true, y_pred]))
    n_classes = len(classes)
    matrix = np.zeros((n_classes, n_classes), dtype=int)
    for true, pred in zip(y_true, y_pred):
        matrix[true, pred] += 1
    return matrix
