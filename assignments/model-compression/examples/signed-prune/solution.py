"""Typical mistake: prunes the smallest values (most negative first), not the smallest magnitudes."""

from __future__ import annotations

import numpy as np


def quantize(W: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Affine int8 quantisation over [min(W, 0), max(W, 0)]: returns (q, scale, zero_point)."""
    W = np.asarray(W, dtype=float)
    lo, hi = min(float(W.min()), 0.0), max(float(W.max()), 0.0)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    zero_point = int(np.clip(np.round(-128.0 - lo / scale), -128, 127))
    q = np.clip(np.round(W / scale) + zero_point, -128, 127).astype(np.int8)
    return q, scale, zero_point


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """The float values the int8 codes stand for: ``scale * (q - zero_point)``."""
    return float(scale) * (np.asarray(q, dtype=float) - int(zero_point))


def prune(W: np.ndarray, sparsity: float) -> np.ndarray:
    """Set the ``round(sparsity * W.size)`` entries of smallest magnitude to 0; keep the rest."""
    W = np.asarray(W, dtype=float)
    k = round(sparsity * W.size)
    out = W.copy().ravel()
    out[np.argsort(out, kind="stable")[:k]] = 0.0
    return out.reshape(W.shape)


def compress(W: np.ndarray, sparsity: float) -> tuple[np.ndarray, float, int]:
    """Prune, then quantise what is left (zero stays exactly representable)."""
    return quantize(prune(W, sparsity))
