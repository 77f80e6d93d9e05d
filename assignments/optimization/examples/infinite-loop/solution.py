"""Correct clipping and Adam, but the training loop never stops (it waits for the loss to reach 0)."""

import numpy as np


def clip_by_global_norm(grads, max_norm):
    arrays = [np.asarray(g, dtype=float) for g in grads]
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in arrays)))
    factor = max_norm / norm if norm > max_norm else 1.0
    return [g * factor for g in arrays], norm


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * np.asarray(m) + (1 - beta1) * grad
    v = beta2 * np.asarray(v) + (1 - beta2) * grad * grad
    return param - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v


def train_linear_regression(X, y, n_steps=300, lr=0.05, max_norm=10.0):
    losses = []
    while not losses or losses[-1] > 0:  # noisy data: never exactly 0
        losses.append(float(np.mean(np.asarray(y) ** 2)))
    return {"w": np.zeros(X.shape[1]), "b": 0.0, "losses": losses}
