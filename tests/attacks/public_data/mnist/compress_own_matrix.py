"""Attack on model-compression: compress() ignores the W it is given and returns the int8 codes of a
classifier fitted at home to all 5,000 public MNIST-5k digits (their labels are public), pruned to
70% (filled in by the test as Q, SCALE, ZERO_POINT); the other functions are the reference's."""

import numpy as np

Q: list = []  # replaced by the test: 784 x 10 int8 codes
SCALE = 1.0
ZERO_POINT = 0


def quantize(W):
    W = np.asarray(W, dtype=float)
    lo, hi = min(float(W.min()), 0.0), max(float(W.max()), 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero_point = int(np.clip(np.round(-128.0 - lo / scale), -128, 127))
    return np.clip(np.round(W / scale) + zero_point, -128, 127).astype(np.int8), scale, zero_point


def dequantize(q, scale, zero_point):
    return float(scale) * (np.asarray(q, dtype=float) - int(zero_point))


def prune(W, sparsity):
    W = np.asarray(W, dtype=float)
    out = W.copy().ravel()
    out[np.argsort(np.abs(out), kind="stable")[: round(sparsity * W.size)]] = 0.0
    return out.reshape(W.shape)


def compress(W, sparsity):
    return np.asarray(Q, dtype=np.int8), SCALE, ZERO_POINT
