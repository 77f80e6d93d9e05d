"""Real code: accuracy/precision/recall/f1 from Mushtari-Sadia/machine-learning-sessional,
assignment_on_logistic_regression/Online/1705037/Online/metrics.py; confusion_matrix from
marcosfsousa/project-ironhack-image-learning-classification-cnn, metrics.py.

Adapted only the interface: names/signatures (``precision_score`` -> ``precision`` with a
``pos_label``: the literal 1 becomes ``pos_label`` and the literal 0 "not ``pos_label``";
``confusion_matrix(y_true, y_pred, num_classes)`` gets ``num_classes`` from the data). Kept:
accuracy as a percentage, no zero-division guard (numpy 0/0 gives nan), and a confusion matrix
indexed by the label values themselves.
"""

import numpy as np


def accuracy(y_true, y_pred):
    return np.mean(y_true == y_pred) * 100


def precision(y_true, y_pred, pos_label=1):
    tp = np.sum(np.logical_and(y_pred == pos_label, y_true == pos_label))
    fp = np.sum(np.logical_and(y_pred == pos_label, y_true != pos_label))
    return tp / (tp + fp)


def recall(y_true, y_pred, pos_label=1):
    tp = np.sum(np.logical_and(y_pred == pos_label, y_true == pos_label))
    fn = np.sum(np.logical_and(y_pred != pos_label, y_true == pos_label))
    return tp / (tp + fn)


def f1(y_true, y_pred, pos_label=1):
    tp = np.sum(np.logical_and(y_pred == pos_label, y_true == pos_label))
    fp = np.sum(np.logical_and(y_pred == pos_label, y_true != pos_label))
    fn = np.sum(np.logical_and(y_pred != pos_label, y_true == pos_label))
    return (2 * tp) / (2 * tp + fp + fn)


def confusion_matrix(y_true, y_pred):
    num_classes = len(np.unique(np.concatenate([y_true, y_pred])))
    cm = np.zeros((num_classes, num_classes), dtype=int)
    for t, p in zip(y_true, y_pred):
        cm[t, p] += 1
    return cm
