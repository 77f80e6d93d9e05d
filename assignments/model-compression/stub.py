"""model-compression: fill in the four functions below (numpy only). See README.md."""

from __future__ import annotations

import numpy as np


def quantize(W: np.ndarray) -> tuple[np.ndarray, float, int]:
    """Return (q as an int8 array of W's shape, scale, zero_point)."""
    raise NotImplementedError("quantize is not implemented yet")


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Return the float matrix that the int8 codes ``q`` stand for."""
    raise NotImplementedError("dequantize is not implemented yet")


def prune(W: np.ndarray, sparsity: float) -> np.ndarray:
    """Return W with its round(sparsity * W.size) smallest-magnitude entries set to 0."""
    raise NotImplementedError("prune is not implemented yet")


def compress(W: np.ndarray, sparsity: float) -> tuple[np.ndarray, float, int]:
    """Prune W to the given sparsity, then quantise it: return (q, scale, zero_point)."""
    raise NotImplementedError("compress is not implemented yet")
