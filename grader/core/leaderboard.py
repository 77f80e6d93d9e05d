"""Leaderboard metrics, computed on the trusted side: the ``leaderboard`` fixture of the checks.

The hidden evaluation rows of an exercise are split into a public and a private part by a keyed
hash of each row's index (BLAKE2b keyed with the course secret and the exercise id): the same row
is on the same side in every process and on every machine of the course, the split changes with
the secret, and nothing a student has (the exercise, the released files, the public scores) tells
which side a row is on. A check reports each metric on both parts; only the public score is shown
until the exercise's reveal time.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.core.values import BoardScore

ORDERS = ("desc", "asc")
#: Without a course secret (a student's own machine): a fixed key, so the split still works there.
_NO_SECRET = b"mljudge: no course secret"


def public_rows(n: int, *, exercise: str, secret: bytes | None, public_fraction: float = 0.5) -> np.ndarray:
    """A boolean mask over rows ``0..n-1``: True where the row is in the public split."""
    if not 0 < public_fraction < 1:
        raise ValueError("public_fraction should be between 0 and 1")
    key = hashlib.blake2b((secret or _NO_SECRET) + b"\0leaderboard-split\0" + exercise.encode(),
                          digest_size=32).digest()
    threshold = int(public_fraction * 2**64)
    mask = np.empty(n, dtype=bool)
    for i in range(n):
        digest = hashlib.blake2b(i.to_bytes(8, "big"), key=key, digest_size=8).digest()
        mask[i] = int.from_bytes(digest, "big") < threshold
    return mask


def _finite(value: Any) -> float | None:
    number = float(np.asarray(value, dtype=float))
    return number if math.isfinite(number) else None


class Leaderboard:
    """What checks report to the leaderboard for one submission (the fixture's value)."""

    def __init__(self, exercise: str, secret: bytes | None, public_fraction: float = 0.5) -> None:
        self.exercise, self._secret, self.public_fraction = exercise, secret, public_fraction
        self.scores: dict[str, BoardScore] = {}

    def split(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The indices of the public and of the private rows among ``n`` evaluation rows."""
        mask = public_rows(n, exercise=self.exercise, secret=self._secret, public_fraction=self.public_fraction)
        return np.flatnonzero(mask), np.flatnonzero(~mask)

    def report(self, name: str, *, public: Any, private: Any, order: str = "desc") -> None:
        """Record metric ``name`` on both splits (the first metric reported is the ranking key)."""
        if order not in ORDERS:
            raise ValueError(f"order should be one of {ORDERS}, not {order!r}")
        if name in self.scores:
            raise ValueError(f"leaderboard metric {name!r} reported twice")
        self.scores[name] = BoardScore(name, _finite(public), _finite(private), order)

    def evaluate(self, name: str, metric: Callable[[np.ndarray, np.ndarray], Any], y_true: Any, y_pred: Any,
                 *, order: str = "desc") -> None:
        """Compute ``metric(y_true, y_pred)`` on the public and on the private rows and report both.
        ``y_true`` and ``y_pred`` are trusted-side arrays of the same length (the evaluation rows)."""
        truth, pred = np.asarray(y_true), np.asarray(y_pred)
        if truth.shape[:1] != pred.shape[:1]:
            self.report(name, public=math.nan, private=math.nan, order=order)
            return
        public, private = self.split(len(truth))
        self.report(name, public=metric(truth[public], pred[public]), private=metric(truth[private], pred[private]),
                    order=order)

    def results(self) -> tuple[BoardScore, ...]:
        return tuple(self.scores.values())
