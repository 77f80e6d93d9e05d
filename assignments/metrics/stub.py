"""metrics: fill in the five functions below (numpy only). See README.md."""

from __future__ import annotations

import numpy as np


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """The share of positions where ``y_pred`` equals ``y_true``."""
    raise NotImplementedError("accuracy is not implemented yet")


def precision(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    """Of the samples predicted ``pos_label``, the share that truly are ``pos_label`` (0.0 if none)."""
    raise NotImplementedError("precision is not implemented yet")


def recall(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    """Of the samples that truly are ``pos_label``, the share predicted ``pos_label`` (0.0 if none)."""
    raise NotImplementedError("recall is not implemented yet")


def f1(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int = 1) -> float:
    """The harmonic mean of precision and recall (0.0 when both are 0)."""
    raise NotImplementedError("f1 is not implemented yet")


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Counts ``C[i, j]`` of samples with true label ``labels[i]`` predicted as ``labels[j]``."""
    raise NotImplementedError("confusion_matrix is not implemented yet")
