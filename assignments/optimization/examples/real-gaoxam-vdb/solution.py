"""Adapted from two public sources:
- Adam: gaoxam123/Deep_Learning, DNN/Adam.py (class AdamOptim with update(t, w, b, dw, db) that
  updates a weight and a bias together);
- clip_by_global_norm: noissefnoc/book-deep-learning-from-scratch-2, ch06/clip_grads.py.

Adapted only the interface: adam_step is the class's weight path (m_dw, v_dw) for one array, with
m and v passed in and out; train_linear_regression uses the class itself, as the original's training
code does, one AdamOptim(alpha=lr) for w and b. Kept the class as written, including its bias path
v_db = beta2 * v_db + (1 - beta2) * db (db, not db**2). clip_grads is called on copies and the
norm returned.
"""

import numpy as np


class AdamOptim():
    def __init__(self, alpha=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.m_dw, self.v_dw = 0, 0
        self.m_db, self.v_db = 0, 0
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.alpha = alpha

    def update(self, t, w, b, dw, db):
        self.m_dw = self.beta1 * self.m_dw + (1 - self.beta1) * dw
        self.m_db = self.beta1 * self.m_db + (1 - self.beta1) * db

        self.v_dw = self.beta2 * self.v_dw + (1 - self.beta2) * (dw ** 2)
        self.v_db = self.beta2 * self.v_db + (1 - self.beta2) * (db)

        m_dw_corr = self.m_dw / (1 - self.beta1 ** t)
        m_db_corr = self.m_db / (1 - self.beta1 ** t)
        v_dw_corr = self.v_dw / (1 - self.beta2 ** t)
        v_db_corr = self.v_db / (1 - self.beta2 ** t)

        w = w - self.alpha * (m_dw_corr / (np.sqrt(v_dw_corr) + self.epsilon))
        b = b - self.alpha * (m_db_corr / (np.sqrt(v_db_corr) + self.epsilon))
        return w, b


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


def clip_by_global_norm(grads, max_norm):
    clipped = [np.array(g, dtype=float) for g in grads]
    return clipped, float(clip_grads(clipped, max_norm))


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    opt = AdamOptim(alpha=lr, beta1=beta1, beta2=beta2, epsilon=eps)
    opt.m_dw, opt.v_dw = m, v
    opt.m_dw = opt.beta1 * opt.m_dw + (1 - opt.beta1) * grad
    opt.v_dw = opt.beta2 * opt.v_dw + (1 - opt.beta2) * (grad ** 2)
    m_dw_corr = opt.m_dw / (1 - opt.beta1 ** t)
    v_dw_corr = opt.v_dw / (1 - opt.beta2 ** t)
    w = param - opt.alpha * (m_dw_corr / (np.sqrt(v_dw_corr) + opt.epsilon))
    return w, opt.m_dw, opt.v_dw


def train_linear_regression(X, y, n_steps=300, lr=0.05, max_norm=10.0):
    n, d = X.shape
    w, b = np.zeros(d), 0.0
    opt = AdamOptim(alpha=lr)
    losses = []
    for t in range(1, n_steps + 1):
        r = X @ w + b - y
        losses.append(float(np.mean(r ** 2)))
        (dw, db), _ = clip_by_global_norm([2 * X.T @ r / n, np.array(2 * r.mean())], max_norm)
        w, b = opt.update(t, w, b, dw, float(db))
    return {"w": w, "b": float(b), "losses": losses}
