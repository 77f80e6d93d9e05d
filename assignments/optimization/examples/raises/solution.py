"""Raises everywhere."""


def clip_by_global_norm(grads, max_norm):
    raise RuntimeError("clip is broken")


def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    raise RuntimeError("adam is broken")


def train_linear_regression(X, y, n_steps=300, lr=0.05, max_norm=10.0):
    raise RuntimeError("training is broken")
