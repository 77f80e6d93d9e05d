"""Public checks: shapes and a hand-made case."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.points(1)
def test_reconstruct_shape(submission) -> None:
    R = np.arange(12.0).reshape(4, 3)
    out = np.asarray(submission.reconstruct(R, 2), dtype=float)
    assert out.shape == R.shape, f"reconstruct(R, 2) should have R's shape {R.shape}, got {out.shape}"


@pytest.mark.points(1)
def test_accuracy_by_hand(submission) -> None:
    got = float(submission.accuracy([1, 0, 1, 1], [1, 1, 1, 0]))
    assert got == pytest.approx(0.5), f"accuracy([1, 0, 1, 1], [1, 1, 1, 0]) should be 0.5, got {got}"
