"""Public images made unrecognisable to a lookup, recognisable to a classifier: a keyed disguise.

The digits of MNIST-5k are public with their labels, so a hidden check that scores a submission on
them as they are can be passed by a table of the public images (or their hashes) and their labels.
On the trusted side, the checks therefore disguise every image they send with a transformation
drawn from a generator keyed with the course secret (``data.rng(...)``): a random affine map
(rotation, scale, shear, sub-pixel shift), a smooth elastic deformation, a random gain and a little
Gaussian noise. A digit is still the same digit (the reference CNN, trained on images disguised the
same way, scores 0.88-0.90 on them instead of 0.95-0.97 on the originals), but no pixel, hash or
thumbnail of the public file matches: each image is resampled on a grid that is unknown to the
student, and its noise is fresh. Trusted side
only: the parameters never leave the checks, and the disguised images cross as plain float arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage  # type: ignore[import-untyped]

__all__ = ["ImageDisguise", "disguise_images"]


@dataclass(frozen=True)
class ImageDisguise:
    """How strongly images are disguised (the default suits 28 x 28 digits)."""

    max_angle_deg: float = 10.0  # rotation, uniform in [-max, max]
    max_log_scale: float = 0.06  # scale exp(uniform(-max, max)) along each axis
    max_shear: float = 0.08
    max_shift_px: float = 1.25  # sub-pixel translation, uniform in [-max, max] along each axis
    elastic_px: float = 1.0  # RMS of the smooth displacement field
    elastic_sigma_px: float = 3.0  # its smoothness (Gaussian filter width)
    min_gain: float = 0.88  # intensity multiplied by uniform(min_gain, 1)
    noise_sd: float = 0.035  # additive Gaussian noise, then clipped to [0, 1]


def _affine_maps(rng: np.random.Generator, n: int, how: ImageDisguise) -> np.ndarray:
    """``(n, 2, 2)`` matrices: output coordinates (about the centre) to input coordinates."""
    angle = np.deg2rad(rng.uniform(-how.max_angle_deg, how.max_angle_deg, n))
    scale = np.exp(rng.uniform(-how.max_log_scale, how.max_log_scale, (n, 2)))
    shear = rng.uniform(-how.max_shear, how.max_shear, n)
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shearing = np.zeros((n, 2, 2))
    shearing[:, 0, 0] = shearing[:, 1, 1] = 1.0
    shearing[:, 0, 1] = shear
    return rotation @ shearing @ (scale[:, :, None] * np.eye(2))


def _elastic_fields(rng: np.random.Generator, n: int, side: tuple[int, int], how: ImageDisguise) -> np.ndarray:
    """``(n, 2, h, w)`` smooth displacement fields with RMS ``how.elastic_px``."""
    raw = rng.standard_normal((n, 2, *side))
    smooth = ndimage.gaussian_filter(raw, sigma=(0, 0, how.elastic_sigma_px, how.elastic_sigma_px), mode="wrap")
    rms = np.sqrt(np.mean(smooth**2, axis=(2, 3), keepdims=True)) + 1e-12
    return np.asarray(smooth * (how.elastic_px / rms), dtype=np.float64)


def disguise_images(images: np.ndarray, rng: np.random.Generator, how: ImageDisguise = ImageDisguise()) -> np.ndarray:
    """Each image of ``images`` (``(n, h, w)`` or ``(n, h, w, 1)``, values in [0, 1]) resampled under
    its own random affine map and elastic deformation, with a random gain and noise; float32, same
    shape. Same generator state, same result."""
    array = np.asarray(images, dtype=np.float64)
    channel = array.ndim == 4
    if channel:
        if array.shape[3] != 1:
            raise ValueError(f"expected one channel, got shape {array.shape}")
        array = array[..., 0]
    if array.ndim != 3:
        raise ValueError(f"expected images of shape (n, h, w) or (n, h, w, 1), got {np.shape(images)}")
    n, h, w = array.shape
    maps = _affine_maps(rng, n, how)
    shifts = rng.uniform(-how.max_shift_px, how.max_shift_px, (n, 2))
    fields = _elastic_fields(rng, n, (h, w), how)
    centre = np.array([(h - 1) / 2.0, (w - 1) / 2.0])
    grid = np.stack(np.meshgrid(np.arange(h), np.arange(w), indexing="ij")).reshape(2, -1) - centre[:, None]
    source = maps @ grid + (centre + shifts)[:, :, None] + fields.reshape(n, 2, -1)
    batch = np.broadcast_to(np.arange(n, dtype=np.float64)[:, None], (n, h * w))
    coordinates = np.stack([batch, source[:, 0], source[:, 1]])  # the batch index is exact: no mixing
    out = ndimage.map_coordinates(array, coordinates.reshape(3, -1), order=1, mode="constant", cval=0.0)
    out = out.reshape(n, h, w) * rng.uniform(how.min_gain, 1.0, (n, 1, 1))
    out = np.clip(out + rng.normal(0.0, how.noise_sd, out.shape), 0.0, 1.0).astype(np.float32)
    return np.asarray(out[..., None] if channel else out, dtype=np.float32)
