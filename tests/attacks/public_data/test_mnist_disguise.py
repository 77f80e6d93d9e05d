"""The keyed disguise of MNIST-5k digits (grader.data.image_disguise): a table of the public images
(exact bytes, rounded pixels, thumbnails) finds nothing among disguised hidden digits; the same key
gives the same images, another key other images."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from grader.core.plugin import DataAccess
from grader.data.image_disguise import ImageDisguise, disguise_images
from grader.data.real import load_mnist_5k, split_mnist

pytest.importorskip("scipy")


def _sha(images: np.ndarray) -> list[str]:
    return [hashlib.sha1(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest() for x in images]


def _rounded(images: np.ndarray) -> list[str]:
    return [hashlib.sha1(np.round(x * 255).astype(np.uint8).tobytes()).hexdigest() for x in images]


@pytest.fixture(scope="module")
def table() -> dict[str, dict[str, int]]:
    X, y = load_mnist_5k()
    return {"sha": dict(zip(_sha(X), y.tolist(), strict=True)),
            "rounded": dict(zip(_rounded(X), y.tolist(), strict=True))}


@pytest.mark.parametrize("secret", [b"course-a", b"course-b", b"course-c"])
def test_a_lookup_of_the_public_images_finds_nothing(table, secret: bytes) -> None:
    data = DataAccess("image-recognition", Path("."), secret)
    split = split_mnist(data.rng("heldout-split"), test_per_class=100)
    # Undisguised, the table is perfect: the attack is real.
    assert np.mean([table["sha"][h] for h in _sha(split.X_test)] == split.y_test) == 1.0
    X = disguise_images(split.X_test, data.rng("test-disguise"))
    for kind, keys in (("sha", _sha(X)), ("rounded", _rounded(X))):
        labels = np.array([table[kind].get(k, 0) for k in keys])
        assert not any(k in table[kind] for k in keys), kind
        assert np.mean(labels == split.y_test) == pytest.approx(0.10)  # the constant fallback: chance


def test_same_key_same_images_other_key_other_images() -> None:
    X, _ = load_mnist_5k()
    a = disguise_images(X[:50], np.random.default_rng(1))
    assert a.shape == (50, 28, 28, 1) and a.dtype == np.float32 and a.min() >= 0.0 and a.max() <= 1.0
    assert np.array_equal(a, disguise_images(X[:50], np.random.default_rng(1)))
    b = disguise_images(X[:50], np.random.default_rng(2))
    assert np.mean(np.abs(a - b)) > 0.05
    # still the same digits: disguised images are nearer their own originals than others, mostly
    assert np.mean(np.abs(a - X[:50])) < np.mean(np.abs(a - X[50:100]))


def test_no_disguise_is_the_identity() -> None:
    X, _ = load_mnist_5k()
    none = ImageDisguise(0, 0, 0, 0, 0, 3.0, 1.0, 0.0)
    assert np.allclose(disguise_images(X[:5], np.random.default_rng(0), none), X[:5], atol=1e-5)


def test_bad_shapes_are_refused() -> None:
    with pytest.raises(ValueError):
        disguise_images(np.zeros((2, 28, 28, 3)), np.random.default_rng(0))
    with pytest.raises(ValueError):
        disguise_images(np.zeros((28, 28)), np.random.default_rng(0))
