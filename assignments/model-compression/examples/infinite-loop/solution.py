"""Correct quantize, dequantize and prune; compress searches for a scale in a loop that never ends
(it grows the scale by a factor of 1.0)."""

import numpy as np


def quantize(W):
    W = np.asarray(W, dtype=float)
    lo, hi = min(float(W.min()), 0.0), max(float(W.max()), 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero_point = int(np.clip(np.round(-128.0 - lo / scale), -128, 127))
    return np.clip(np.round(W / scale) + zero_point, -128, 127).astype(np.int8), scale, zero_point


def dequantize(q, scale, zero_point):
    return scale * (np.asarray(q, dtype=float) - zero_point)


def prune(W, sparsity):
    out = np.asarray(W, dtype=float).copy().ravel()
    out[np.argsort(np.abs(out), kind="stable")[: round(sparsity * out.size)]] = 0.0
    return out.reshape(np.shape(W))


def compress(W, sparsity):
    P = prune(W, sparsity)
    scale = float(np.abs(P).max()) / 1000.0  # too small on purpose, grown until the codes fit
    while np.abs(P).max() / scale > 127:
        scale *= 1.0  # bug: should be 1.1
    q = np.clip(np.round(P / scale), -128, 127).astype(np.int8)
    return q, scale, 0
