"""Partial: Adam without bias correction (m and v used as they are)."""

from __future__ import annotations

import numpy as np


def clip_by_global_norm(grads: list[np.ndarray], max_norm: float) -> tuple[list[np.ndarray], float]:
    """Scale all gradients by one factor so that their joint L2 norm is at most ``max_norm``."""
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))
    if norm <= max_norm or norm == 0.0:
        return [g.copy() for g in arrays], norm
    factor = max_norm / norm
    return [g * factor for g in arrays], norm


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
    """One Adam update (Kingma & Ba, with bias correction); ``t`` counts steps from 1."""
    param, grad = np.asarray(param, dtype=float), np.asarray(grad, dtype=float)
    m = beta1 * np.asarray(m, dtype=float) + (1.0 - beta1) * grad
    v = beta2 * np.asarray(v, dtype=float) + (1.0 - beta2) * grad * grad
    m_hat = m
    v_hat = v
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def train_linear_regression(
    X: np.ndarray, y: np.ndarray, n_steps: int = 300, lr: float = 0.05, max_norm: float = 10.0
) -> dict[str, object]:
    """Full-batch Adam on the mean squared error of ``X @ w + b``, gradients clipped by global norm."""
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = X.shape
    w, b = np.zeros(d), np.zeros(1)
    state = {"w": (np.zeros(d), np.zeros(d)), "b": (np.zeros(1), np.zeros(1))}
    losses = []
    for t in range(1, n_steps + 1):
        residual = X @ w + b[0] - y
        losses.append(float(np.mean(residual**2)))
        (gw, gb), _ = clip_by_global_norm([2.0 / n * X.T @ residual, np.array([2.0 * residual.mean()])], max_norm)
        w, *state["w"] = adam_step(w, gw, *state["w"], t, lr)
        b, *state["b"] = adam_step(b, gb, *state["b"], t, lr)
    return {"w": w, "b": float(b[0]), "losses": losses}
