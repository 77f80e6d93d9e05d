"""Real code: Yoginder-code/oops_principles, metrics.py (a ``Metrics`` class of static methods).

Adapted only the interface: module-level functions instead of static methods, ``f1_score`` ->
``f1``, and a ``pos_label`` argument that replaces the literal positive class ``1``. Kept: the
negative class is still the literal ``0`` (as a student generalising only the positive label
would), and the fixed 2x2 matrix ``[[tn, fp], [fn, tp]]`` for labels 0/1.
"""

import numpy as np


def accuracy(y_true, y_pred):
    return np.mean(y_true == y_pred)


def precision(y_true, y_pred, pos_label=1):
    tp = np.sum((y_true == pos_label) & (y_pred == pos_label))
    fp = np.sum((y_true == 0) & (y_pred == pos_label))
    return tp / (tp + fp) if (tp + fp) > 0 else 0.0


def recall(y_true, y_pred, pos_label=1):
    tp = np.sum((y_true == pos_label) & (y_pred == pos_label))
    fn = np.sum((y_true == pos_label) & (y_pred == 0))
    return tp / (tp + fn) if (tp + fn) > 0 else 0.0


def f1(y_true, y_pred, pos_label=1):
    p = precision(y_true, y_pred, pos_label)
    r = recall(y_true, y_pred, pos_label)
    return 2 * (p * r) / (p + r) if (p + r) > 0 else 0.0


def confusion_matrix(y_true, y_pred):
    tp = np.sum((y_true == 1) & (y_pred == 1))
    tn = np.sum((y_true == 0) & (y_pred == 0))
    fp = np.sum((y_true == 0) & (y_pred == 1))
    fn = np.sum((y_true == 1) & (y_pred == 0))
    return np.array([[tn, fp], [fn, tp]])
