"""Adapted from two public sources:
- prune: mitchellgordon95/lottery-ticket-hypothesis (a fork of Google's code for "The Lottery Ticket
  Hypothesis"), lottery_ticket/foundations/pruning.py (prune_by_percent_once: cutoff =
  sorted |w|[round(percent * size)], prune all |w| <= cutoff);
- quantize: AnaLopezP/Introducci-nCuantizaci-n, nose.py (absmax_quantize, symmetric).

Adapted only the interface: prune applies the returned mask to W (all ones before); torch calls
became numpy; quantize returns the step (the inverse of the tutorial's scale) and zero point 0.
"""

import numpy as np


def absmax_quantize(X):
    # Calculate scale
    scale = 127 / np.max(np.abs(X))
    # Quantize
    X_quant = np.round(scale * X)
    # Dequantize
    X_dequant = X_quant / scale
    return X_quant.astype(np.int8), X_dequant, scale


def quantize(W):
    q, _, scale = absmax_quantize(np.asarray(W, dtype=float))
    return q, float(1 / scale), 0


def dequantize(q, scale, zero_point):
    return (np.asarray(q, dtype=float) - zero_point) * scale


def prune_by_percent_once(percent, mask, final_weight):
    # Put the weights that aren't masked out in sorted order.
    sorted_weights = np.sort(np.abs(final_weight[mask == 1]))

    # Determine the cutoff for weights to be pruned.
    cutoff_index = np.round(percent * sorted_weights.size).astype(int)
    cutoff = sorted_weights[cutoff_index]

    # Prune all weights below the cutoff.
    return np.where(np.abs(final_weight) <= cutoff, np.zeros(mask.shape), mask)


def prune(W, sparsity):
    W = np.asarray(W, dtype=float)
    return W * prune_by_percent_once(sparsity, np.ones(W.shape), W)


def compress(W, sparsity):
    return quantize(prune(W, sparsity))
