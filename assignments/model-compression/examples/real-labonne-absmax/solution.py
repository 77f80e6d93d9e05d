"""Adapted from two public sources:
- quantize: AnaLopezP/Introducci-nCuantizaci-n, nose.py (absmax_quantize, from the well-known
  "introduction to weight quantization" tutorial: symmetric, scale = 127 / max|X|, q = round(scale * X));
- prune: kaisei64/cnn_pruning, dense_mask_generator.py (Pruning.generate_mask: mask = 0 where
  |x| < prune_ratio).

Adapted only the interface: torch calls became numpy; quantize returns the step (the inverse of the
tutorial's scale) and zero point 0; prune multiplies W by generate_mask(W, sparsity), the sparsity
passed as the mask's prune_ratio as in the original.
"""

import numpy as np


def absmax_quantize(X):
    # Calculate scale
    scale = 127 / np.max(np.abs(X))
    # Quantize
    X_quant = np.round(scale * X)
    # Dequantize
    X_dequant = X_quant / scale
    return X_quant.astype(np.int8), X_dequant, scale


def quantize(W):
    q, _, scale = absmax_quantize(np.asarray(W, dtype=float))
    return q, float(1 / scale), 0


def dequantize(q, scale, zero_point):
    return (np.asarray(q, dtype=float) - zero_point) * scale


class Pruning:
    def __init__(self):
        self.prune_ratio = 0
        self.mask = None

    def generate_mask(self, x, prune_ratio):
        self.prune_ratio = prune_ratio
        sub_x = np.asarray(x)
        self.mask = np.ones(sub_x.shape)
        self.mask = np.where(np.abs(sub_x) < self.prune_ratio, 0, 1)
        return self.mask


def prune(W, sparsity):
    W = np.asarray(W, dtype=float)
    return W * Pruning().generate_mask(W, sparsity)


def compress(W, sparsity):
    return quantize(prune(W, sparsity))
