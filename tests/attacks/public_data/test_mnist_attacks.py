"""Attacks on image-recognition's hidden checks through public data and self-reported budgets,
graded with the real engine (``grade_one``, the strongest sandbox here, a fixed course secret).

| submission (mnist/)   | attack                                                          | bound                 |
|-----------------------|-----------------------------------------------------------------|-----------------------|
| lookup_table          | sha1 of all 5,000 public images -> label, else 0; reports a     | accuracy credit ≈ 0,  |
|                       | consistent untrained tiny model                                 | total ≤ 1 (untrained) |
| knn_lying_weights     | 1-NN on 4,000 stored digits, get_weights() = ten zeros          | 0 (refused)           |
| knn_small_config      | 1-NN, reports a consistent untrained tiny model                 | total ≤ 1 (untrained) |
| lambda_layer          | trained model with a Lambda layer                               | 0 (refused)           |
| custom_layer          | trained model with a registered custom layer                    | 0 (refused)           |
| forged_configs        | Dense(10**9), TFSMLayer, a function, a JSON bomb, not a string  | 0 (refused), no error |

``examples/untrained`` (the honest wrong answer) lands in [0, 1]; every attack above is bounded by
it, and its held-out accuracy credit by the credit of chance (10% right: 0 points).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission
from grader.data.real import load_mnist_5k
from grader.sandbox import get_sandbox

pytest.importorskip("keras")
pytestmark = pytest.mark.slow  # TensorFlow in every worker

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SECRET = b"public-data-attacks"
UNTRAINED_BOUND = 1.0  # examples/untrained/expected.toml: score = [0, 1]


def _grade(path: Path) -> Grade:
    return grade_one(assignment=get_assignment("image-recognition", REPO), submission=Submission.from_path(path),
                     sandbox=get_sandbox("auto"), scope="all", secret=SECRET)


def _check(grade: Grade, name: str) -> tuple[float, str]:
    [result] = [c for c in grade.checks if c.name == name]
    return result.points_earned, result.message


def _describe(grade: Grade) -> str:
    return "\n".join(f"{c.name}: {c.points_earned}/{c.points_possible} {c.message[:200]}" for c in grade.checks)


def _written(tmp_path: Path, name: str, replace: tuple[str, str] | None = None) -> Path:
    text = (HERE / "mnist" / f"{name}.py").read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    path = tmp_path / "solution.py"
    path.write_text(text, encoding="utf-8")
    return path


def _ok(grade: Grade) -> None:
    assert grade.status == "ok" and grade.verdict.value != "judge_error", _describe(grade)
    assert len(grade.checks) == 4, _describe(grade)


def test_a_table_of_the_public_images_scores_no_more_than_an_untrained_model(tmp_path: Path) -> None:
    X, y = load_mnist_5k()
    table = {hashlib.sha1(np.ascontiguousarray(x, dtype=np.float32).tobytes()).hexdigest(): int(label)
             for x, label in zip(X, y, strict=True)}
    grade = _grade(_written(tmp_path, "lookup_table", ("TABLE: dict = {}", f"TABLE: dict = {table!r}")))
    _ok(grade)
    accuracy_points, _ = _check(grade, "test_heldout_accuracy")
    assert accuracy_points <= 0.5, _describe(grade)  # chance level earns 0 of 6
    assert grade.score <= UNTRAINED_BOUND, _describe(grade)


@pytest.mark.parametrize("name", ["knn_lying_weights", "knn_small_config"])
def test_a_nearest_neighbour_model_cannot_pass_for_a_small_one(tmp_path: Path, name: str) -> None:
    grade = _grade(_written(tmp_path, name))
    _ok(grade)
    assert _check(grade, "test_heldout_accuracy")[0] <= 0.5, _describe(grade)
    assert _check(grade, "test_parameter_budget_of_trained_model")[0] == 0, _describe(grade)
    assert grade.score <= UNTRAINED_BOUND, _describe(grade)
    if name == "knn_lying_weights":
        assert grade.score == 0 and "does not match" in _check(grade, "test_heldout_accuracy")[1], _describe(grade)


@pytest.mark.parametrize("name", ["lambda_layer", "custom_layer"])
def test_a_model_with_code_of_its_own_is_refused(tmp_path: Path, name: str) -> None:
    grade = _grade(_written(tmp_path, name))
    _ok(grade)
    assert grade.score == 0, _describe(grade)
    message = _check(grade, "test_heldout_accuracy")[1]
    assert "Lambda" in message or "registered" in message or "does not rebuild" in message, _describe(grade)


@pytest.mark.parametrize("choice", ["huge", "tfsm", "function", "bomb", "not-a-string"])
def test_forged_configurations_are_refused_without_harm(tmp_path: Path, choice: str) -> None:
    grade = _grade(_written(tmp_path, "forged_configs", ('CHOICE = "huge"', f"CHOICE = {choice!r}")))
    _ok(grade)
    assert grade.score == 0, _describe(grade)
