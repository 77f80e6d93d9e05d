"""Raises everywhere."""


def quantize(W):
    raise ValueError("quantize is broken")


def dequantize(q, scale, zero_point):
    raise ValueError("dequantize is broken")


def prune(W, sparsity):
    raise ValueError("prune is broken")


def compress(W, sparsity):
    raise ValueError("compress is broken")
