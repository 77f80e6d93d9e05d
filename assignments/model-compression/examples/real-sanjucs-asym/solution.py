"""Adapted from two public sources:
- quantize, dequantize: sanjucs/ml-tools, notes/dl/modules/quantization.py (linear_asym_quantize:
  range [min, max], scale = (r_max - r_min) / 255 + eps with eps = 1e-9, zero point clamped and
  rounded, codes tensor / scale + zero_point clamped but not rounded; linear_dequantize);
- prune: cabamarcos/SuperMask, Second_approach/utils/prune.py (np.percentile threshold).

Adapted only the interface: torch calls became numpy (torch.iinfo -> np.iinfo, clamp_ -> np.clip);
the codes are returned as int8 (astype, like torch's .to(torch.int8)); the pruning's fixed 70 became
sparsity * 100.
"""

import numpy as np


def linear_asym_quantize(tensor, dtype=np.int8, eps=1e-9):
    r_min, r_max = tensor.min().item(), tensor.max().item()
    q_min, q_max = np.iinfo(dtype).min, np.iinfo(dtype).max

    scale = (r_max - r_min) / (q_max - q_min) + eps
    zero_point = q_min - (r_min / (scale + eps))

    if zero_point < q_min:
        zero_point = q_min
    elif zero_point > q_max:
        zero_point = q_max

    zero_point = int(round(zero_point))

    quantized_tensor = tensor / scale + zero_point
    quantized_tensor = np.clip(quantized_tensor, q_min, q_max)

    return quantized_tensor, scale, zero_point


def quantize(W):
    q, scale, zero_point = linear_asym_quantize(np.asarray(W, dtype=float))
    return q.astype(np.int8), scale, zero_point


def dequantize(q, scale, zero_point):
    return scale * (np.asarray(q, dtype=float) - zero_point)


def prune(W, sparsity):
    weights = np.array(W, dtype=float)
    threshold = np.percentile(np.abs(weights), sparsity * 100)
    weights[np.abs(weights) < threshold] = 0
    return weights


def compress(W, sparsity):
    return quantize(prune(W, sparsity))
