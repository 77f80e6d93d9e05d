"""Hidden checks for model-compression: quantisation error bound, exact pruning, and the accuracy
a compressed linear classifier keeps on MNIST-5k.

The classifier (ridge regression on one-hot labels) is trained here on a split seeded by a key only
this file holds; the student sees its weight matrix, never the test images or labels. MNIST-5k is
public with its labels, so the digits are disguised here with a transformation keyed with the course
secret (grader.data.image_disguise), and the compressed matrix must be a compression of the matrix
given (every weight kept within half a step of it): a matrix fitted at home to the public digits is
refused, and which weights to drop cannot be tuned on the held-out digits.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

from grader.data.image_disguise import disguise_images
from grader.data.real import split_mnist

RIDGE = 100.0
SPARSITY = 0.7
FULL_BELOW = 0.01  # full credit within 1 point of the accuracy that magnitude pruning + int8 keeps
ZERO_BELOW = 0.25  # no credit 25 points below it (random pruning lands about there or lower)


def _codes(value: Any, shape: tuple[int, ...]) -> tuple[np.ndarray, float, int]:
    assert len(value) == 3, "return (q, scale, zero_point)"
    q = np.asarray(value[0])
    assert q.dtype == np.int8, f"q must be an int8 array, got dtype {q.dtype}"
    assert q.shape == shape, f"q should have W's shape {shape}, got {q.shape}"
    scale, zero_point = float(value[1]), value[2]
    assert type(zero_point) is int or (isinstance(zero_point, float) and zero_point.is_integer()), (
        f"zero_point must be an integer, got {zero_point!r}"
    )
    zero_point = int(zero_point)
    assert -128 <= zero_point <= 127, f"zero_point must lie in [-128, 127], got {zero_point}"
    assert np.isfinite(scale) and scale > 0, f"scale must be a positive number, got {scale!r}"
    return q, scale, zero_point


def _quantisation_ok(W: np.ndarray, q: np.ndarray, scale: float, zero_point: int, where: str) -> None:
    lo, hi = min(float(W.min()), 0.0), max(float(W.max()), 0.0)
    expected_scale = (hi - lo) / 255.0 if hi > lo else 1.0
    assert abs(scale - expected_scale) <= 1e-9 * expected_scale, (
        f"scale should be (max(W, 0) - min(W, 0)) / 255{where} got {scale!r} expected {expected_scale!r}"
    )
    restored = scale * (q.astype(float) - zero_point)
    error = float(np.max(np.abs(restored - W)))
    assert error <= 0.5 * scale * (1 + 1e-6), (
        f"reconstruction error exceeds half a step{where} error={error:.6g} half step={0.5 * scale:.6g}"
    )


def _matrices(rng: np.random.Generator) -> list[np.ndarray]:
    return [
        rng.normal(0.0, 1.0, (20, 30)),
        rng.uniform(0.5, 4.0, (15, 8)),  # all positive: the range still includes 0
        -rng.uniform(0.0, 1e-3, (6, 40)),  # all negative and tiny
        rng.standard_cauchy((12, 12)),  # a few huge values
        np.zeros((4, 5)),  # constant zero: scale 1
        np.r_[rng.normal(size=50), [0.0] * 10].reshape(6, 10),  # exact zeros must stay exact
    ]


@pytest.mark.points(2)
def test_quantize_error_bound(submission, data) -> None:
    for i, W in enumerate(_matrices(data.rng("quantize"))):
        where = f"\ncase {i}: shape {W.shape}, range [{W.min():.3g}, {W.max():.3g}]"
        q, scale, zero_point = _codes(submission.quantize(W), W.shape)
        _quantisation_ok(W, q, scale, zero_point, where)
        restored = scale * (q.astype(float) - zero_point)
        assert np.all(restored[W == 0.0] == 0.0), f"0 must be represented exactly{where}"


@pytest.mark.points(1)
def test_dequantize_formula(submission, data) -> None:
    rng = data.rng("dequantize")
    for shape in [(5, 7), (1, 30), (16, 16)]:
        q = rng.integers(-128, 128, size=shape).astype(np.int8)
        scale, zero_point = float(rng.uniform(1e-4, 0.5)), int(rng.integers(-128, 128))
        out = np.asarray(submission.dequantize(q, scale, zero_point), dtype=float)
        expected = scale * (q.astype(float) - zero_point)
        assert out.shape == shape, f"dequantize returned shape {out.shape}, expected {shape}"
        assert np.allclose(out, expected, rtol=1e-12, atol=1e-12), (
            f"dequantize(q, scale, zero_point) should be scale * (q - zero_point)\nscale={scale} zp={zero_point}"
        )


@pytest.mark.points(2)
def test_prune_exact_sparsity(submission, data) -> None:
    rng = data.rng("prune")
    for shape, sparsity in [((20, 30), 0.5), ((7, 13), 0.9), ((10, 10), 0.33), ((8, 5), 0.0), ((8, 5), 1.0),
                            ((1, 101), 0.25)]:
        W = rng.normal(size=shape)  # continuous: no ties in magnitude
        out = np.asarray(submission.prune(W, sparsity), dtype=float)
        where = f"\nshape={shape} sparsity={sparsity}"
        assert out.shape == shape, f"prune returned the wrong shape{where} {out.shape}"
        k = round(sparsity * W.size)
        zeroed = out == 0.0
        assert int(zeroed.sum()) == k, f"prune should zero exactly round(sparsity * size) entries{where}"
        assert np.array_equal(out[~zeroed], W[~zeroed]), f"prune must keep the other entries unchanged{where}"
        if 0 < k < W.size:
            assert np.abs(W[zeroed]).max() < np.abs(W[~zeroed]).min(), (
                f"prune must remove the entries of smallest magnitude{where}"
            )


def _accuracy(W: np.ndarray, b: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.argmax(X @ W + b, axis=1) == y))


@functools.cache
def _classifier(data) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """(W, b, the held-out digits, their labels, the target accuracy): a ridge classifier on disguised
    digits and what pruning + int8 keeps of it, the same for every submission, computed once per batch
    (per grading process and course secret)."""
    split = split_mnist(data.rng("classifier-split"), test_per_class=100)
    X = disguise_images(split.X_train, data.rng("train-disguise")).reshape(len(split.y_train), -1).astype(float)
    X_test = disguise_images(split.X_test, data.rng("test-disguise")).reshape(len(split.y_test), -1).astype(float)
    A = np.c_[X, np.ones(len(X))]
    solved = np.linalg.solve(A.T @ A + RIDGE * np.eye(A.shape[1]), A.T @ np.eye(10)[split.y_train])
    W, b = solved[:-1], solved[-1]
    # What magnitude pruning + int8 keeps, computed here (no student code involved).
    flat = W.ravel().copy()
    flat[np.argsort(np.abs(flat), kind="stable")[: round(SPARSITY * W.size)]] = 0.0
    lo, hi = min(flat.min(), 0.0), max(flat.max(), 0.0)
    scale = (hi - lo) / 255.0
    zp = int(np.clip(np.round(-128.0 - lo / scale), -128, 127))
    reference_W = scale * (np.clip(np.round(flat / scale) + zp, -128, 127) - zp)
    target = _accuracy(reference_W.reshape(W.shape), b, X_test, split.y_test)
    for array in (W, b, X_test, split.y_test):
        array.setflags(write=False)  # shared by every grading of the batch: nothing may change them
    return W, b, X_test, split.y_test, target


@pytest.mark.points(2)
def test_compressed_classifier_accuracy(submission, data, credit) -> None:
    W, b, X_test, y_test, target = _classifier(data)
    q, s, z = _codes(submission.compress(W, SPARSITY), W.shape)
    restored = s * (q.astype(float) - z)
    zeros = int(np.sum(restored == 0.0))
    assert zeros >= round(SPARSITY * W.size), (
        f"the compressed matrix must have at least {SPARSITY:.0%} zeros\ngot {zeros} of {W.size}"
    )
    kept = restored != 0.0
    drift = float(np.max(np.abs(restored[kept] - W[kept]), initial=0.0))
    assert drift <= 0.5 * s * (1 + 1e-6), (
        f"the compressed matrix must be a compression of W: every weight kept within half a step of W's\n"
        f"largest difference {drift:.4g}, half a step {0.5 * s:.4g}"
    )
    accuracy = _accuracy(restored, b, X_test, y_test)
    credit.linear(accuracy, zero_at=target - ZERO_BELOW, full_at=target - FULL_BELOW,
                  label="held-out accuracy of the compressed classifier")
