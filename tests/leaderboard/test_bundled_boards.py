"""The bundled ML exercises' leaderboards: the scores a grading reports equal a trusted
recomputation, in this process, of the same metric on the two splits."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.leaderboard import public_rows
from grader.core.plugin import DataAccess
from grader.core.values import Submission
from grader.course.batch import grade_task
from tests.conftest import REPO

SECRET = b"a course secret for the bundled leaderboards"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _graded(exercise: AssignmentSpec) -> tuple[float, float]:
    sub = Submission.from_path(exercise.solution, student="reference")
    # the process backend: nothing of it outlives the test (a warm pool would, in this process)
    grade = grade_task(str(exercise.root), "process", str(exercise.solution), sub.sha256, "reference", SECRET)
    assert grade.status == "ok" and grade.score == exercise.points, grade.notes
    [entry] = grade.leaderboard
    assert entry.public is not None and entry.private is not None
    return entry.public, entry.private


def _on_splits(exercise: str, truth: np.ndarray, predicted: np.ndarray, metric) -> tuple[float, float]:
    public = public_rows(len(truth), exercise=exercise, secret=SECRET,
                         public_fraction=get_assignment(exercise, REPO).leaderboard.public_fraction)  # type: ignore[union-attr]
    return metric(truth[public], predicted[public]), metric(truth[~public], predicted[~public])


def test_text_classification_spam_f1() -> None:
    exercise = get_assignment("text-classification", REPO)
    checks = _load(exercise.hidden_checks / "test_hidden.py", "tc_hidden")
    data = DataAccess(exercise.id, exercise.data_dir, SECRET)
    train_x, train_y, test_x, test_y = checks._enciphered_split(data)
    model = _load(exercise.solution, "tc_reference").SpamClassifier()
    predicted = np.asarray(model.fit(list(train_x), train_y.copy()).predict(test_x), dtype=float)
    expected = _on_splits(exercise.id, test_y, predicted, checks._spam_f1)
    assert _graded(exercise) == pytest.approx(expected, abs=1e-12)


def test_recommender_movielens_rmse() -> None:
    exercise = get_assignment("recommender-movielens", REPO)
    checks = _load(exercise.hidden_checks / "test_hidden.py", "ml_hidden")
    data = DataAccess(exercise.id, exercise.data_dir, SECRET)
    train, test = checks.split_ratings(checks.load_movielens_100k(), data.rng("heldout-split"), checks.TEST_FRACTION)
    task = checks.disguise_ratings(train, test, data.rng("heldout-disguise"))
    model = _load(exercise.solution, "ml_reference").RatingPredictor(n_factors=checks.N_FACTORS)
    model.fit(task.train.users, task.train.items, task.train.ratings, task.train.n_users, task.train.n_items)
    predicted = np.asarray(model.predict(task.query_users, task.query_items), dtype=float)[task.scored]
    public, private = _graded(exercise)
    expected = _on_splits(exercise.id, task.truth, predicted, checks.rmse)
    assert (public, private) == pytest.approx(expected, rel=1e-9)
    assert public != private  # two different splits
