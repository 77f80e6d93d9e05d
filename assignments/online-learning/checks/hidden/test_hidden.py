"""Hidden checks for online-learning: prequential (test-then-train) accuracy on drifting streams.

Each batch is first predicted (and scored here, on the trusted side), then given to partial_fit.
Partial credit is linear from the never-updated baseline (a model trained on the first batch
only) to 97% of what a trusted constant-step SGD logistic regression reaches on the same stream.
"""

from __future__ import annotations

import numpy as np
import pytest

N_BATCHES = 40
BATCH = 50
DIM = 5
NOISE = 0.05
TARGET_SHARE = 0.97
CLASSES = np.array([0, 1])


def drifting_stream(rng: np.random.Generator, kind: str) -> list[tuple[np.ndarray, np.ndarray]]:
    """Batches from a linear concept that changes abruptly (twice) or rotates gradually."""
    a = rng.normal(size=DIM)
    a /= np.linalg.norm(a)
    b = rng.normal(size=DIM)
    b -= (b @ a) * a
    b /= np.linalg.norm(b)
    regimes = [a] + [v / np.linalg.norm(v) for v in rng.normal(size=(2, DIM))]
    cuts = (0, 14, 27)
    out = []
    for t in range(N_BATCHES):
        if kind == "abrupt":
            w = regimes[sum(t >= c for c in cuts) - 1]
        else:
            angle = np.pi * t / (N_BATCHES - 1)
            w = np.cos(angle) * a + np.sin(angle) * b
        X = rng.normal(size=(BATCH, DIM))
        y = (X @ w > 0).astype(np.int64)
        y = np.where(rng.random(BATCH) < NOISE, 1 - y, y)
        out.append((X, y))
    return out


class _TrustedSGD:
    """The trusted reference learner (never sent to the submission)."""

    def __init__(self, frozen: bool = False) -> None:
        self.frozen = frozen
        self.w: np.ndarray | None = None
        self.b = 0.0

    def partial_fit(self, X: np.ndarray, y: np.ndarray, classes: np.ndarray) -> None:
        if self.frozen and self.w is not None:
            return
        if self.w is None:
            self.w = np.zeros(X.shape[1])
        target = (y == classes[1]).astype(np.float64)
        for _ in range(3):
            p = 1.0 / (1.0 + np.exp(-(X @ self.w + self.b)))
            self.w = self.w - X.T @ (p - target) / len(target)
            self.b -= float(np.mean(p - target))

    def predict(self, X: np.ndarray) -> np.ndarray:
        assert self.w is not None
        return CLASSES[(X @ self.w + self.b > 0).astype(np.int64)]


def prequential(model, stream: list[tuple[np.ndarray, np.ndarray]], *, remote: bool) -> float:
    """Mean accuracy of predicting each batch before training on it (the first batch only trains)."""
    model.partial_fit(*stream[0], CLASSES)
    scores = []
    for X, y in stream[1:]:
        pred = model.predict(X)
        if remote:
            pred = np.asarray(pred, dtype=float)
            assert pred.shape == y.shape, f"predict(X) must return one label per row\ngot shape {pred.shape}"
        scores.append(float(np.mean(pred == y)))
        model.partial_fit(X, y, CLASSES)
    return float(np.mean(scores))


def _score(submission, data, credit, kind: str) -> None:
    stream = drifting_stream(data.rng("stream", kind), kind)
    baseline = prequential(_TrustedSGD(frozen=True), stream, remote=False)
    target = TARGET_SHARE * prequential(_TrustedSGD(), stream, remote=False)
    got = prequential(submission.OnlineClassifier(), stream, remote=True)
    credit.linear(got, zero_at=baseline, full_at=target, label=f"prequential accuracy ({kind} drift)")


@pytest.mark.points(4)
def test_prequential_accuracy_abrupt_drift(submission, data, credit) -> None:
    _score(submission, data, credit, "abrupt")


@pytest.mark.points(3)
def test_prequential_accuracy_gradual_drift(submission, data, credit) -> None:
    _score(submission, data, credit, "gradual")
