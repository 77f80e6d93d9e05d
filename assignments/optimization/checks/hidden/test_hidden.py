"""Hidden checks for optimization: reference formulas, TensorFlow's clip_by_global_norm and Keras's
own Adam (run here, on the trusted side, on the same numbers), and a training run scored on the
trusted side from the returned weights."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest


def _ref_clip(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    factor = max_norm / norm if norm > max_norm else 1.0
    return [g * factor for g in grads], norm


def _ref_adam(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float, b1: float, b2: float,
              eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps), m, v


def _as_arrays(value: Any, shapes: list[tuple[int, ...]], what: str) -> list[np.ndarray]:
    arrays = [np.asarray(a, dtype=float) for a in value]
    assert len(arrays) == len(shapes), f"{what} returned {len(arrays)} arrays, expected {len(shapes)}"
    for a, shape in zip(arrays, shapes, strict=True):
        assert a.shape == shape, f"{what} changed a shape\n{shape} -> {a.shape}"
    return arrays


def _student_adam(submission, p, g, m, v, t, lr, b1, b2, eps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    out = submission.adam_step(p, g, m, v, t, lr=lr, beta1=b1, beta2=b2, eps=eps)
    assert len(out) == 3, "adam_step must return (param, m, v)"
    p2, m2, v2 = _as_arrays(out, [p.shape] * 3, "adam_step")
    return p2, m2, v2


@pytest.mark.points(2)
def test_clip_matches_formula_and_tensorflow(submission, data) -> None:
    import tensorflow as tf

    rng = data.rng("clip")
    cases: list[tuple[list[np.ndarray], float]] = []
    for scale, max_norm in [(1.0, 1.0), (0.01, 5.0), (10.0, 0.5), (1.0, 3.0)]:
        cases.append(([rng.normal(0, scale, s) for s in [(3, 4), (4,), (2, 2, 2)]], max_norm))
    cases.append(([np.zeros((2, 3)), np.zeros(3)], 1.0))  # all zero: nothing to scale
    cases.append(([np.array([6.0, 8.0])], 10.0))  # exactly at the limit: unchanged
    for grads, max_norm in cases:
        shapes = [g.shape for g in grads]
        out = submission.clip_by_global_norm(grads, max_norm)
        assert len(out) == 2, "clip_by_global_norm must return (clipped gradients, global norm)"
        clipped = _as_arrays(out[0], shapes, "clip_by_global_norm")
        norm = float(out[1])
        expected, expected_norm = _ref_clip(grads, max_norm)
        tf_clipped, tf_norm = tf.clip_by_global_norm([tf.constant(g) for g in grads], max_norm)
        assert abs(norm - expected_norm) <= 1e-9 * max(1.0, expected_norm), (
            f"clip_by_global_norm returned the wrong global norm\nmax_norm={max_norm} got {norm!r}"
            f" expected {expected_norm!r} (TensorFlow: {float(tf_norm)!r})"
        )
        for got, want, tf_want in zip(clipped, expected, tf_clipped, strict=True):
            # rtol 1e-5: PyTorch's and many textbooks' max_norm / (norm + 1e-6) is off by 1e-6 / norm,
            # at most 2e-6 here (a clipped norm exceeds max_norm >= 0.5); a wrong scaling is off by far more
            assert np.allclose(got, want, rtol=1e-5, atol=1e-12), (
                f"clip_by_global_norm scaled the gradients wrongly\nmax_norm={max_norm}"
                f" norm={expected_norm:.6g} got {got.ravel()[:3]} expected {want.ravel()[:3]}"
            )
            assert np.allclose(want, tf_want.numpy(), rtol=1e-6, atol=1e-9)  # the reference agrees with TF


@pytest.mark.points(2)
def test_adam_matches_formula_over_many_steps(submission, data) -> None:
    rng = data.rng("adam-formula")
    for shape, lr, b1, b2, eps, steps in [((5,), 1e-3, 0.9, 0.999, 1e-8, 6), ((3, 4), 0.05, 0.8, 0.99, 1e-6, 8),
                                          ((7,), 0.2, 0.5, 0.9, 1e-3, 5)]:
        p = rng.normal(size=shape)
        m, v = np.zeros(shape), np.zeros(shape)
        rp, rm, rv = p.copy(), m.copy(), v.copy()
        for t in range(1, steps + 1):
            g = rng.normal(0.0, rng.uniform(0.01, 3.0), size=shape)
            p, m, v = _student_adam(submission, p, g, m, v, t, lr, b1, b2, eps)
            rp, rm, rv = _ref_adam(rp, g, rm, rv, t, lr, b1, b2, eps)
            where = f"\nstep t={t} lr={lr} beta1={b1} beta2={b2} eps={eps}"
            assert np.allclose(m, rm, rtol=1e-9, atol=1e-12), f"adam_step returned the wrong m{where}"
            assert np.allclose(v, rv, rtol=1e-9, atol=1e-14), f"adam_step returned the wrong v{where}"
            assert np.allclose(p, rp, rtol=1e-9, atol=1e-12), (
                f"adam_step returned the wrong parameters{where} got {p.ravel()[:3]} expected {rp.ravel()[:3]}"
            )


@pytest.mark.points(1)
def test_adam_matches_keras(submission, data) -> None:
    import keras
    import tensorflow as tf

    rng = data.rng("adam-keras")
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-12  # a tiny eps: Keras adds it at a slightly different place
    p0 = rng.normal(size=(4, 3))
    grads = [rng.normal(0.0, 1.0, size=(4, 3)) for _ in range(10)]
    variable = keras.Variable(p0.copy(), dtype="float64")
    optimizer = keras.optimizers.Adam(learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps)
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        optimizer.apply_gradients([(tf.constant(g, dtype=tf.float64), variable)])
        p, m, v = _student_adam(submission, p, g, m, v, t, lr, b1, b2, eps)
        keras_p = np.asarray(variable.numpy(), dtype=float)
        # Keras computes 1 - beta**t in float32: allow 1e-4 of the distance the steps may move.
        assert np.allclose(p, keras_p, rtol=0.0, atol=1e-4 * lr * t), (
            f"adam_step disagrees with keras.optimizers.Adam\nstep t={t}"
            f" got {p.ravel()[:3]} keras {keras_p.ravel()[:3]}"
        )


@pytest.mark.points(2)
def test_training_reaches_least_squares(submission, data, credit) -> None:
    rng = data.rng("training")
    n, d = 200, 8
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d)
    y = X @ rng.normal(0.0, 2.0, size=d) + 1.5 + rng.normal(0.0, 0.3, size=n)
    out = submission.train_linear_regression(X, y, n_steps=300, lr=0.05, max_norm=10.0)
    w = np.asarray(out["w"], dtype=float)
    b = float(out["b"])
    losses = np.asarray(out["losses"], dtype=float)
    assert w.shape == (d,), f"w should have shape ({d},), got {w.shape}"
    assert losses.shape == (300,), f"losses should hold one value per step, got shape {losses.shape}"
    assert np.all(np.isfinite(losses)) and np.isfinite(b) and np.all(np.isfinite(w)), "NaN or infinite results"
    initial = float(np.mean(y**2))  # the loss at w = 0, b = 0
    assert abs(losses[0] - initial) <= 1e-9 * initial, "losses[0] should be the mean squared error at w = 0, b = 0"
    A = np.c_[X, np.ones(n)]
    optimum = float(np.mean((A @ np.linalg.lstsq(A, y, rcond=None)[0] - y) ** 2))
    mse = float(np.mean((X @ w + b - y) ** 2))  # computed here from the returned weights
    excess = (mse - optimum) / (initial - optimum)
    credit.linear(excess, zero_at=0.5, full_at=0.01, label="remaining share of the excess loss")
