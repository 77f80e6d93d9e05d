"""Public checks for optimization: small cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from grader.data import expect


@pytest.mark.points(1)
def test_clip_three_four_five(submission) -> None:
    clipped, norm = submission.clip_by_global_norm([np.array([3.0]), np.array([[4.0]])], 1.0)
    assert abs(float(norm) - 5.0) < 1e-12, f"the global norm of [3] and [[4]] is 5, got {norm!r}"
    assert len(clipped) == 2, "return one clipped array per gradient"
    a, b = np.asarray(clipped[0], dtype=float), np.asarray(clipped[1], dtype=float)
    assert a.shape == (1,) and b.shape == (1, 1), "clipped gradients must keep their shapes"
    assert np.allclose([a[0], b[0, 0]], [0.6, 0.8], atol=1e-12), f"expected [0.6] and [[0.8]], got {a} and {b}"


@pytest.mark.points(1)
def test_adam_first_step_moves_by_lr(submission) -> None:
    param, m, v = submission.adam_step(np.array([1.0, -2.0]), np.array([0.5, -3.0]), np.zeros(2), np.zeros(2), 1,
                                       lr=0.1)
    param = np.asarray(param, dtype=float)
    # With bias correction the first step is lr * g / (|g| + eps): a move of 0.1 against each sign.
    assert np.allclose(param, [0.9, -1.9], atol=1e-6), f"after one step expected [0.9, -1.9], got {param}"
    assert np.allclose(np.asarray(m, dtype=float), [0.05, -0.3]), "m after one step should be (1 - beta1) * g"
    assert np.allclose(np.asarray(v, dtype=float), [0.00025, 0.009]), "v after one step should be (1 - beta2) * g**2"


@pytest.mark.points(1)
def test_training_loss_falls(submission) -> None:
    rng = np.random.default_rng(5)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 1.0
    out = submission.train_linear_regression(X, y, n_steps=100, lr=0.05, max_norm=10.0)
    losses = np.asarray(out["losses"], dtype=float)
    assert losses.shape == (100,), f"losses should hold one value per step, got shape {losses.shape}"
    expect.finite(losses, "the losses")
    assert losses[-1] < 0.5 * losses[0], f"the loss should fall: first {losses[0]:.4g}, last {losses[-1]:.4g}"
