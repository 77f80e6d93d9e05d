"""Hidden checks for image-recognition: held-out accuracy on disguised MNIST-5k digits, and the
parameter budget of the model that is scored.

MNIST-5k is public with its labels, so the digits sent are disguised here (a random affine map,
elastic deformation, gain and noise, keyed with the course secret: grader.data.image_disguise), the
training digits as well as the held-out ones, on a split seeded by a key only this file holds: no
table of the public images or their hashes matches them. The trained model crosses the boundary
as plain data only (its configuration and weights) and is rebuilt here with Keras from built-in
layers (grader.data.keras_rebuild): its weights are counted and its predictions computed on the
trusted side, so the model that is counted is the model that is scored.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest

from grader.data.image_disguise import disguise_images
from grader.data.keras_rebuild import RebuiltModel, rebuild_model
from grader.data.real import split_mnist

PARAMETER_BUDGET = 50_000
CHANCE = 0.10  # the test set is balanced: 100 digits per class
TARGET = 0.84  # the reference reaches 0.877-0.898 on disguised digits (three course secrets)
BUDGET_NEEDS = 0.5  # the parameter budget only counts for a model that learned something


@pytest.fixture(scope="session")
def _cache() -> dict[str, Any]:
    return {}


def _accuracy(truth: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(predicted == truth))


@functools.cache
def _digits(data: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(disguised training digits, their labels, disguised held-out digits, their labels): the same
    for every submission, computed once per batch (per grading process and course secret)."""
    split = split_mnist(data.rng("heldout-split"), test_per_class=100)
    X_train = disguise_images(split.X_train, data.rng("train-disguise"))
    X_test = disguise_images(split.X_test, data.rng("test-disguise"))
    for array in (X_train, split.y_train, X_test, split.y_test):
        array.setflags(write=False)  # shared by every grading of the batch: nothing may change them
    return X_train, split.y_train, X_test, split.y_test


def _train_and_score(submission: Any, data: Any) -> tuple[RebuiltModel, np.ndarray, np.ndarray]:
    X_train, y_train, X_test, y_test = _digits(data)
    model = rebuild_model(submission.build_and_train(X_train, y_train))
    scores = model.scores(X_test)
    n = len(y_test)
    if scores.shape != (n, 10) or not np.all(np.isfinite(scores)):
        raise AssertionError(f"the model must output ({n}, 10) finite scores\ngot shape {scores.shape}")
    return model, np.argmax(scores, axis=1), y_test


@pytest.fixture
def trained(request: pytest.FixtureRequest, data, _cache: dict[str, Any]) -> tuple[RebuiltModel, np.ndarray,
                                                                                   np.ndarray]:
    """(the rebuilt model, its held-out predictions, the true labels), trained once per grading; a
    failure is re-raised (without starting a new worker, which would import TensorFlow again for nothing)."""
    if "error" in _cache:
        raise _cache["error"]
    if "model" not in _cache:
        try:
            model, predicted, truth = _train_and_score(request.getfixturevalue("submission"), data)
        except Exception as exc:
            _cache["error"] = exc
            raise
        _cache.update(model=model, predicted=predicted, truth=truth)
    return _cache["model"], _cache["predicted"], _cache["truth"]


@pytest.mark.points(6)
def test_heldout_accuracy(trained, credit, leaderboard) -> None:
    _, predicted, truth = trained
    credit.linear(_accuracy(truth, predicted), zero_at=CHANCE, full_at=TARGET, label="held-out accuracy")
    leaderboard.evaluate("accuracy", _accuracy, truth, predicted, order="desc")


@pytest.mark.points(1)
def test_parameter_budget_of_trained_model(trained) -> None:
    model, predicted, truth = trained
    accuracy = _accuracy(truth, predicted)
    assert accuracy >= BUDGET_NEEDS, f"the model must reach {BUDGET_NEEDS:.0%} held-out accuracy for this check"
    n_params = model.n_weights
    assert 0 < n_params <= PARAMETER_BUDGET, f"the model has {n_params} weights; at most {PARAMETER_BUDGET} allowed"
