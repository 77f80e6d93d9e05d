"""Adapted from two public sources:
- adam_step: kang9kang/DL-learning, cnn/my_optimizer.py (class Adam in the style of "Deep Learning
  from Scratch": m += (1 - beta1) * (g - m), v += (1 - beta2) * (g**2 - v), bias correction with
  the class's own step counter, and a fixed self.eps = 1e-8 that the constructor does not take);
- clip_by_global_norm: Prajanya-g/A1, nyu-llm-reasoners-a1/student/training/gradient_clipping.py
  (clip_coef = max_norm / (total_norm + 1e-6)), torch calls turned into numpy.

Adapted only the interface: one Adam step on one array with m, v and t passed in (the class keeps
them in dicts keyed by parameter name and counts t itself). Kept the fixed eps = 1e-8: the eps
argument is accepted but, as in the class, not used.
"""

import numpy as np


def clip_by_global_norm(grads, max_norm, eps=1e-6):
    grads = [np.array(g, dtype=float) for g in grads]
    total_norm = sum(np.sum(g ** 2) for g in grads) ** 0.5
    clip_coef = max_norm / (total_norm + eps)
    if clip_coef < 1.0:
        grads = [g * clip_coef for g in grads]
    return grads, float(total_norm)


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.m = None
        self.v = None
        self.t = 0
        self.eps = 1e-8


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    self = Adam(lr=lr, beta1=beta1, beta2=beta2)
    self.t = t
    m = np.array(m, dtype=float)
    v = np.array(v, dtype=float)
    m += (1 - self.beta1) * (grad - m)
    v += (1 - self.beta2) * (grad ** 2 - v)
    m_hat = m / (1 - self.beta1 ** self.t)
    v_hat = v / (1 - self.beta2 ** self.t)
    param = np.array(param, dtype=float)
    param -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
    return param, m, v


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
