"""Adapted from two public sources:
- quantize: AnaLopezP/Introducci-nCuantizaci-n, nose.py (zeropoint_quantize, from the well-known
  "introduction to weight quantization" tutorial: range [min(X), max(X)], scale = 255 / range,
  zeropoint = round(-scale * min - 128), q = clip(round(X * scale + zeropoint), -128, 127));
- prune: cabamarcos/SuperMask, Second_approach/utils/prune.py (threshold = np.percentile(|w|, 70),
  weights below it set to zero).

Adapted only the interface: torch calls became numpy; the tutorial's scale is codes per unit, so
quantize returns its inverse (the step) and the zero point as an int; the pruning's fixed 70 became
sparsity * 100. dequantize follows the tutorial's (q - zeropoint) / scale with the step.
"""

import numpy as np


def zeropoint_quantize(X):
    # Calculate value range (denominator)
    x_range = np.max(X) - np.min(X)
    x_range = 1 if x_range == 0 else x_range
    # Calculate scale
    scale = 255 / x_range
    # Shift by zero-point
    zeropoint = np.round(-scale * np.min(X) - 128)
    # Scale and round the inputs
    X_quant = np.clip(np.round(X * scale + zeropoint), -128, 127)
    # Dequantize
    X_dequant = (X_quant - zeropoint) / scale
    return X_quant.astype(np.int8), X_dequant, scale, zeropoint


def quantize(W):
    q, _, scale, zeropoint = zeropoint_quantize(np.asarray(W, dtype=float))
    return q, float(1 / scale), int(zeropoint)


def dequantize(q, scale, zero_point):
    return (np.asarray(q, dtype=float) - zero_point) * scale


def prune(W, sparsity):
    weights = np.array(W, dtype=float)
    threshold = np.percentile(np.abs(weights), sparsity * 100)
    weights[np.abs(weights) < threshold] = 0
    return weights


def compress(W, sparsity):
    return quantize(prune(W, sparsity))
