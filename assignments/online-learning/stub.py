"""online-learning: fill in the class below. See README.md."""

from __future__ import annotations

import numpy as np


class OnlineClassifier:
    """A binary classifier updated one batch at a time, that keeps up with a drifting concept."""

    def __init__(self) -> None:
        raise NotImplementedError("OnlineClassifier.__init__ is not implemented yet")

    def partial_fit(self, X: np.ndarray, y: np.ndarray, classes: np.ndarray) -> "OnlineClassifier":
        """Update the model with one batch (``X`` of shape (n, d), ``y`` of shape (n,)); return ``self``.

        ``classes`` holds the two class labels (the same array on every call).
        """
        raise NotImplementedError("OnlineClassifier.partial_fit is not implemented yet")

    def predict(self, X: np.ndarray) -> np.ndarray:
        """One label (an element of ``classes``) per row of ``X``."""
        raise NotImplementedError("OnlineClassifier.predict is not implemented yet")
