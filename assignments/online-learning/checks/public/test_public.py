"""Public checks for online-learning: a stream without drift, students can run these at home."""

from __future__ import annotations

import numpy as np
import pytest


def _stream(rng: np.random.Generator, n_batches: int, d: int = 4, batch: int = 50) -> list[tuple[np.ndarray, np.ndarray]]:
    w = rng.normal(size=d)
    out = []
    for _ in range(n_batches):
        X = rng.normal(size=(batch, d))
        out.append((X, (X @ w > 0).astype(np.int64)))
    return out


@pytest.mark.points(1)
def test_one_label_per_row(submission, data) -> None:
    (X, y), (X2, _) = _stream(data.rng("public-shape"), 2)
    model = submission.OnlineClassifier()
    model.partial_fit(X, y, np.array([0, 1]))
    pred = np.asarray(model.predict(X2), dtype=float)
    assert pred.shape == (X2.shape[0],), f"predict should return one label per row: shape {(X2.shape[0],)}, got {pred.shape}"
    assert set(np.unique(pred)) <= {0.0, 1.0}, f"predict should return labels from classes [0, 1], got {np.unique(pred)}"


@pytest.mark.points(1)
def test_learns_a_fixed_concept(submission, data) -> None:
    batches = _stream(data.rng("public-fixed"), 11)
    model = submission.OnlineClassifier()
    for X, y in batches[:-1]:
        model.partial_fit(X, y, np.array([0, 1]))
    X, y = batches[-1]
    acc = float(np.mean(np.asarray(model.predict(X), dtype=float) == y))
    assert acc >= 0.8, f"after 10 batches of a fixed linear concept, accuracy on a new batch should be >= 0.8, got {acc:.2f}"


@pytest.mark.points(1)
def test_other_class_labels(submission, data) -> None:
    batches = _stream(data.rng("public-labels"), 6)
    classes = np.array([-3, 7])
    model = submission.OnlineClassifier()
    for X, y in batches[:-1]:
        model.partial_fit(X, classes[y], classes)
    X, y = batches[-1]
    pred = np.asarray(model.predict(X), dtype=float)
    assert set(np.unique(pred)) <= {-3.0, 7.0}, f"with classes [-3, 7], predict should return -3 or 7, got {np.unique(pred)}"
    assert float(np.mean(pred == classes[y])) >= 0.7, "with classes [-3, 7], the model should still learn the concept"
