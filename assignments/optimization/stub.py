"""optimization: fill in the three functions below (numpy only). See README.md."""

from __future__ import annotations

import numpy as np


def clip_by_global_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Return (clipped gradients, global norm before clipping)."""
    raise NotImplementedError("clip_by_global_norm is not implemented yet")


def adam_step(
    param: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (new param, new m, new v) after one Adam step number ``t`` (counting from 1)."""
    raise NotImplementedError("adam_step is not implemented yet")


def train_linear_regression(
    X: np.ndarray, y: np.ndarray, n_steps: int = 300, lr: float = 0.05, max_norm: float = 10.0
) -> dict:
    """Return {"w": weights, "b": bias, "losses": the loss before each step}."""
    raise NotImplementedError("train_linear_regression is not implemented yet")
