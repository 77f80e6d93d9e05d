"""Adapted from three public sources:
- train_linear_regression: StKyr/NKUA-teaching-topics, SGD/code_samples/sgd_linear_regression_minimal.py
  (a teaching sample: loss = sum((y - predictions)**2), grad_w = sum(-2*x*(y - predictions)),
  grad_b = sum(-2*(y - predictions)): sums over the rows, not means);
- adam_step: maciejsikora2302/PINN_IGA_Masters, adam_solution.py (AdamOptim.update(t, w, dw));
- clip_by_global_norm: noissefnoc/book-deep-learning-from-scratch-2, ch06/clip_grads.py.

Adapted only the interface: the teaching sample's scalar w became a weight vector (X.T @ ...
for sum(x * ...)), starts from w = 0, b = 0 as the exercise asks instead of random values, and its
plain gradient step became a clipped Adam step; the loss it records is its own sum of squares.
AdamOptim keeps m and v on the instance: one per parameter here, m and v passed in and out by
adam_step. clip_grads is called on copies and the norm returned.
"""

import numpy as np


class AdamOptim():
    def __init__(self, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.m_dw, self.v_dw = 0, 0
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.learning_rate = learning_rate

    def update(self, t, w, dw):
        self.m_dw = self.beta1 * self.m_dw + (1 - self.beta1) * dw
        self.v_dw = self.beta2 * self.v_dw + (1 - self.beta2) * (dw ** 2)
        m_dw_corr = self.m_dw / (1 - self.beta1 ** t)
        v_dw_corr = self.v_dw / (1 - self.beta2 ** t)
        w = w - self.learning_rate * (m_dw_corr / (np.sqrt(v_dw_corr) + self.epsilon))
        return w


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
    opt = AdamOptim(learning_rate=lr, beta1=beta1, beta2=beta2, epsilon=eps)
    opt.m_dw, opt.v_dw = m, v
    return opt.update(t, param, grad), opt.m_dw, opt.v_dw


def train_linear_regression(X, y, n_steps=300, lr=0.05, max_norm=10.0):
    n, d = X.shape
    w, b = np.zeros(d), np.zeros(1)
    mw, vw, mb, vb = np.zeros(d), np.zeros(d), np.zeros(1), np.zeros(1)
    losses = []
    for i in range(1, n_steps + 1):
        predictions = X @ w + b[0]
        loss = sum((y - predictions) ** 2)
        grad_w = X.T @ (-2 * (y - predictions))
        grad_b = np.array([sum(-2 * (y - predictions))])
        losses.append(float(loss))
        (grad_w, grad_b), _ = clip_by_global_norm([grad_w, grad_b], max_norm)
        w, mw, vw = adam_step(w, grad_w, mw, vw, i, lr)
        b, mb, vb = adam_step(b, grad_b, mb, vb, i, lr)
    return {"w": w, "b": float(b[0]), "losses": losses}
