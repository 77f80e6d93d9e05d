"""Confusion matrix transposed (rows = predicted labels)."""

from __future__ import annotations

import numpy as np


def _counts(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int) -> tuple[int, int, int]:
    t = np.asarray(y_true) == pos_label
    p = np.asarray(y_pred) == pos_label
    return int(np.sum(t & p)), int(np.sum(~t & p)), int(np.sum(t & ~p))


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean(y_true == y_pred)) if y_true.size else 0.0


def precision(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    tp, fp, _ = _counts(y_true, y_pred, pos_label)
    return tp / (tp + fp) if tp + fp else 0.0


def recall(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    tp, _, fn = _counts(y_true, y_pred, pos_label)
    return tp / (tp + fn) if tp + fn else 0.0


def f1(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    tp, fp, fn = _counts(y_true, y_pred, pos_label)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = np.unique(np.concatenate([y_true, y_pred]))
    i = np.searchsorted(labels, y_true)
    j = np.searchsorted(labels, y_pred)
    out = np.zeros((labels.size, labels.size), dtype=np.int64)
    np.add.at(out, (j, i), 1)  # WRONG: rows are predictions
    return out
