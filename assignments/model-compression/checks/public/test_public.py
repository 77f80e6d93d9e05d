"""Public checks for model-compression: small cases."""

from __future__ import annotations

import numpy as np
import pytest

W = np.array([[0.5, -1.0, 0.25], [2.0, -0.125, 0.0], [1.5, -0.75, 0.3]])


def _codes(value) -> tuple[np.ndarray, float, int]:
    assert len(value) == 3, "return (q, scale, zero_point)"
    q = np.asarray(value[0])
    assert q.dtype == np.int8, f"q must be an int8 array, got dtype {q.dtype}"
    return q, float(value[1]), int(value[2])


@pytest.mark.points(1)
def test_quantize_small_matrix(submission) -> None:
    q, scale, zero_point = _codes(submission.quantize(W))
    assert q.shape == W.shape, f"q should have shape {W.shape}, got {q.shape}"
    assert abs(scale - 3.0 / 255) < 1e-12, f"the range [-1, 2] in 255 steps gives scale 3/255, got {scale!r}"
    error = np.max(np.abs(scale * (q.astype(float) - zero_point) - W))
    assert error <= 0.5 * scale * (1 + 1e-9), f"reconstruction error {error:.3g} exceeds half a step"


@pytest.mark.points(1)
def test_prune_small_matrix(submission) -> None:
    out = np.asarray(submission.prune(W[:, :2], 0.5), dtype=float)  # six entries, three go
    expected = np.array([[0.0, -1.0], [2.0, 0.0], [1.5, 0.0]])
    assert np.array_equal(out, expected), f"expected\n{expected}\ngot\n{out}"


@pytest.mark.points(1)
def test_compress_keeps_zero_exact(submission) -> None:
    q, scale, zero_point = _codes(submission.compress(W, 0.5))
    restored = scale * (q.astype(float) - zero_point)
    assert np.sum(restored == 0.0) >= 4, "after pruning round(0.5 * 9) = 4 entries, at least 4 must be exactly 0"
