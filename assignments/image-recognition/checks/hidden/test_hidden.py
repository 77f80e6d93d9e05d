"""Hidden checks for image-recognition: held-out accuracy on MNIST-5k, and the parameter budget.

The model is trained once (4,000 digits, a split seeded by a key only this file holds) and kept in
the sandbox as a handle; only the test images cross, never their labels. Accuracy is computed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from grader.data.real import ImageSplit, split_mnist

PARAMETER_BUDGET = 50_000
CHANCE = 0.10  # the test set is balanced: 100 digits per class
TARGET = 0.92  # the reference reaches 0.948-0.969 over five splits
BUDGET_NEEDS = 0.5  # the parameter budget only counts for a model that learned something


@pytest.fixture(scope="session")
def _cache() -> dict[str, Any]:
    return {}


@pytest.fixture
def trained(request: pytest.FixtureRequest, data, _cache: dict[str, Any]) -> tuple[ImageSplit, Any, float]:
    """(split, model handle, held-out accuracy), trained once per grading; a failure is re-raised
    (without starting a new worker, which would import TensorFlow again for nothing)."""
    if "error" in _cache:
        raise _cache["error"]
    if "model" not in _cache:
        submission = request.getfixturevalue("submission")
        split = split_mnist(data.rng("heldout-split"), test_per_class=100)
        try:
            model = submission.build_and_train(split.X_train, split.y_train)
            scores = np.asarray(model.predict(split.X_test), dtype=float)
        except Exception as exc:
            _cache["error"] = exc
            raise
        n = len(split.y_test)
        if scores.shape != (n, 10) or not np.all(np.isfinite(scores)):
            error = AssertionError(f"model.predict(X) must return ({n}, 10) finite scores\ngot shape {scores.shape}")
            _cache["error"] = error
            raise error
        accuracy = float(np.mean(np.argmax(scores, axis=1) == split.y_test))
        _cache.update(split=split, model=model, accuracy=accuracy)
    return _cache["split"], _cache["model"], _cache["accuracy"]


@pytest.mark.points(6)
def test_heldout_accuracy(trained, credit) -> None:
    _, _, accuracy = trained
    credit.linear(accuracy, zero_at=CHANCE, full_at=TARGET, label="held-out accuracy")


@pytest.mark.points(1)
def test_parameter_budget_of_trained_model(trained) -> None:
    _, model, accuracy = trained
    assert accuracy >= BUDGET_NEEDS, f"the model must reach {BUDGET_NEEDS:.0%} held-out accuracy for this check"
    n_params = sum(int(np.asarray(w, dtype=float).size) for w in model.get_weights())
    assert 0 < n_params <= PARAMETER_BUDGET, f"the model has {n_params} weights; at most {PARAMETER_BUDGET} allowed"
