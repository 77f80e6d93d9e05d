"""Hidden check: accuracy on 400 seeded rows, reported to the leaderboard on both splits."""

import numpy as np
import pytest

N = 400


def rows(data) -> tuple[np.ndarray, np.ndarray]:
    rng = data.rng("board-demo")
    x = rng.normal(size=(N, 2))
    y = (x[:, 0] + 0.6 * rng.normal(size=N) > 0).astype(np.int64)
    return x, y


def accuracy(truth: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(truth == predicted))


@pytest.mark.points(1)
def test_accuracy(submission, data, credit, leaderboard) -> None:
    x, y = rows(data)
    predicted = np.asarray(submission.predict(x), dtype=float)
    assert predicted.shape == y.shape, f"one label per row, got shape {predicted.shape}"
    credit.linear(accuracy(y, predicted), zero_at=0.5, full_at=0.8, label="accuracy")
    leaderboard.evaluate("accuracy", accuracy, y, predicted, order="desc")
