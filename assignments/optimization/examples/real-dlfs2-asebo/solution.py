"""Adapted from two public sources:
- clip_by_global_norm: noissefnoc/book-deep-learning-from-scratch-2, ch06/clip_grads.py (the book's
  clip_grads: rate = max_norm / (total_norm + 1e-6), applied when rate < 1, in place);
- adam_step: jparkerholder/ASEBO, asebo/optimizers.py (Adam(dx, m, v, learning_rate, t, ...), which
  returns the update rather than the new parameters).

Adapted only the interface: clip_grads works in place and returns nothing, so it is called on copies
and the copies and total_norm are returned; Adam's (update, m, v) became (param - update, m, v).
train_linear_regression is written for this exercise (full-batch MSE gradient) around the two.
"""

import numpy as np


def clip_grads(grads, max_norm):
    total_norm = 0
    for grad in grads:
        total_norm += np.sum(grad ** 2)
    total_norm = np.sqrt(total_norm)

    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for grad in grads:
            grad *= rate
    return total_norm


def Adam(dx, m, v, learning_rate, t, eps=1e-8, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * dx
    mt = m / (1 - beta1 ** t)
    v = beta2 * v + (1 - beta2) * (dx ** 2)
    vt = v / (1 - beta2 ** t)
    update = learning_rate * mt / (np.sqrt(vt) + eps)
    return (update, m, v)


def clip_by_global_norm(grads, max_norm):
    clipped = [np.array(g, dtype=float) for g in grads]
    total_norm = clip_grads(clipped, max_norm)
    return clipped, float(total_norm)


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    update, m, v = Adam(grad, m, v, lr, t, eps=eps, beta1=beta1, beta2=beta2)
    return param - update, m, v


def train_linear_regression(X, y, n_steps=300, lr=0.05, max_norm=10.0):
    n, d = X.shape
    w, b = np.zeros(d), np.zeros(1)
    mw, vw, mb, vb = np.zeros(d), np.zeros(d), np.zeros(1), np.zeros(1)
    losses = []
    for t in range(1, n_steps + 1):
        r = X @ w + b[0] - y
        losses.append(float(np.mean(r ** 2)))
        (gw, gb), _ = clip_by_global_norm([2 * X.T @ r / n, np.array([2 * r.mean()])], max_norm)
        w, mw, vw = adam_step(w, gw, mw, vw, t, lr)
        b, mb, vb = adam_step(b, gb, mb, vb, t, lr)
    return {"w": w, "b": float(b[0]), "losses": losses}
