"""Loading exercises: valid folders load, invalid ones fail naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.core.assignment import AssignmentError, find_assignments, get_assignment, load_assignment
from grader.core.values import Verdict


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_bundled_exercise_loads(recommender) -> None:  # type: ignore[no-untyped-def]
    assert recommender.id == "recommender-svd"
    assert recommender.entry_points == ("reconstruct", "RatingPredictor")
    assert recommender.limits.call_time == 5
    assert recommender.solution.is_file() and recommender.stub.is_file()
    names = {e.name for e in recommender.examples}
    assert {"wrong", "raises", "infinite-loop", "syntax-error", "zeros-for-missing"} <= names
    assert next(e for e in recommender.examples if e.name == "syntax-error").verdict is Verdict.SYNTAX_ERROR


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('file = "solution.py"', 'file = "solution.txt"', "assignment.file"),
        ('file = "solution.py"', "file = 3", "'file'"),
        ('title = "Recommender by truncated SVD"\n', "", "'title'"),
        ("points = 10", "points = -1", "assignment.points"),
        ('entry_points = ["reconstruct", "RatingPredictor"]', 'entry_points = ["not a name"]', "entry_points"),
        ("call_time = 5", "call_time = 0", "limits.call_time"),
        ("call_time = 5", "call_tme = 5", "limits.call_tme"),
        ("[assignment]", "[assignment", "invalid TOML"),
        ('points = 10', 'points = 10\npreload = ["sklearn"]', "'preload'"),
        ('points = 10', 'points = 10\ntitel = "x"', "did you mean 'title'"),
        ("[limits]", "[limit]\nx = 1\n[limits]", "unknown table 'limit'"),
        ('allowed = ["numpy"]', 'allowed = "numpy"', "assignment.allowed"),
        ('allowed = ["numpy"]', 'allowed = ["scikit-learn"]', "top-level import names"),
        ("[limits]", '[limits]\npreload = ["sklearn.svm"]', "'assignment.allowed' does not allow"),
        ("points = 10", "points = 10\nseed = -1", "assignment.seed"),
        ("points = 10", "points = 10\nseed = 4294967296", "assignment.seed"),
        ("points = 10", 'points = 10\nseed = "0"', "assignment.seed"),
        ("points = 10", "points = 10\nseed = true", "assignment.seed"),
        ("points = 10", "points = 10\nseed = 1.5", "assignment.seed"),
    ],
)
def test_invalid_field_is_named(exercise_copy: Path, old: str, new: str, field: str) -> None:
    config = exercise_copy / "assignment.toml"
    _edit(config, old, new)
    with pytest.raises(AssignmentError) as info:
        load_assignment(exercise_copy)
    assert str(config) in str(info.value) and field in str(info.value)


def test_bad_example_expectation_is_named(exercise_copy: Path) -> None:
    expected = exercise_copy / "examples" / "wrong" / "expected.toml"
    expected.write_text('score = [5, 1]\nverdict = "failed"\n')
    with pytest.raises(AssignmentError, match="min above max"):
        load_assignment(exercise_copy)
    expected.write_text('score = [0, 1]\nverdict = "great"\n')
    with pytest.raises(AssignmentError, match=r"expected\.toml.*'verdict'"):
        load_assignment(exercise_copy)
    expected.write_text('score = [0, 1]\nverdcit = "failed"\n')
    with pytest.raises(AssignmentError, match=r"expected\.toml.*unknown field 'verdcit'; did you mean 'verdict'"):
        load_assignment(exercise_copy)


def test_missing_public_checks_folder(exercise_copy: Path) -> None:
    (exercise_copy / "checks" / "public" / "test_public.py").unlink()
    (exercise_copy / "checks" / "public").rmdir()
    with pytest.raises(AssignmentError, match="public"):
        load_assignment(exercise_copy)


def test_lookup_by_id_and_unknown_id(exercise_copy: Path) -> None:
    home = exercise_copy.parent.parent
    assert list(find_assignments(home)) == ["recommender-svd"]
    assert get_assignment("recommender-svd", home).root == exercise_copy.resolve()
    with pytest.raises(AssignmentError, match=r"no exercise called 'nope'.*recommender-svd"):
        get_assignment("nope", home)


def test_allowed_packages_are_read_and_default_to_everything(exercise_copy: Path) -> None:
    assert load_assignment(exercise_copy).allowed == ("numpy",)
    _edit(exercise_copy / "assignment.toml", 'allowed = ["numpy"]', 'allowed = ["sklearn", "numpy", "sklearn"]')
    assert load_assignment(exercise_copy).allowed == ("sklearn", "numpy")
    _edit(exercise_copy / "assignment.toml", 'allowed = ["sklearn", "numpy", "sklearn"]', "")
    assert load_assignment(exercise_copy).allowed is None


def test_seed_defaults_to_zero_and_false_means_none(exercise_copy: Path) -> None:
    assert load_assignment(exercise_copy).seed == 0
    _edit(exercise_copy / "assignment.toml", "points = 10", "points = 10\nseed = 20261202")
    assert load_assignment(exercise_copy).seed == 20261202
    _edit(exercise_copy / "assignment.toml", "seed = 20261202", "seed = false")
    assert load_assignment(exercise_copy).seed is None
