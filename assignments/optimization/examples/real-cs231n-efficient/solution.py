"""Adapted from two public sources:
- adam_step: FortiLeiZhang/cs231n, code/cs231n/assignment3/cs231n/optim.py (a CS231n solution's adam:
  the paper's "efficient" form, alpha = lr * sqrt(1 - beta2**t) / (1 - beta1**t) and
  x -= alpha * m / (sqrt(v) + eps), with t incremented inside);
- clip_by_global_norm: Prajanya-g/A1, nyu-llm-reasoners-a1/student/training/gradient_clipping.py
  (clip_coef = max_norm / (total_norm + eps), eps = 1e-6, applied when clip_coef < 1).

Adapted only the interface: the config dict became the (m, v, t) arguments (the caller's t is the
number of this step, so it is t - 1 before the increment); the torch calls of the clipping function
became numpy (g.pow(2).sum() -> np.sum(g ** 2), g.mul_ -> a scaled copy) and it returns the clipped
list and the norm. train_linear_regression is written for this exercise around the two.
"""

import numpy as np

_EPS = 1e-6


def clip_by_global_norm(grads, max_norm, eps=_EPS):
    grads = [np.array(g, dtype=float) for g in grads]
    total_norm_sq = sum(np.sum(g ** 2) for g in grads)
    total_norm = total_norm_sq ** 0.5
    clip_coef = max_norm / (total_norm + eps)
    if clip_coef < 1.0:
        grads = [g * clip_coef for g in grads]
    return grads, float(total_norm)


def adam(x, dx, config=None):
    if config is None: config = {}
    config.setdefault('learning_rate', 1e-3)
    config.setdefault('beta1', 0.9)
    config.setdefault('beta2', 0.999)
    config.setdefault('epsilon', 1e-8)
    config.setdefault('m', np.zeros_like(x))
    config.setdefault('v', np.zeros_like(x))
    config.setdefault('t', 0)

    next_x = None
    beta1, beta2, eps = config['beta1'], config['beta2'], config['epsilon']
    t, m, v = config['t'], config['m'], config['v']
    m = beta1 * m + (1 - beta1) * dx
    v = beta2 * v + (1 - beta2) * (dx * dx)
    t += 1
    alpha = config['learning_rate'] * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    x -= alpha * (m / (np.sqrt(v) + eps))
    config['t'] = t
    config['m'] = m
    config['v'] = v
    next_x = x

    return next_x, config


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    config = {'learning_rate': lr, 'beta1': beta1, 'beta2': beta2, 'epsilon': eps, 'm': m, 'v': v, 't': t - 1}
    next_x, config = adam(np.array(param, dtype=float), grad, config)
    return next_x, config['m'], config['v']


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
