"""The late policy: parsed from assignment.toml with errors naming the file and the field, and
applied from the submission time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentError, AssignmentSpec, checks_hash, load_assignment
from grader.course.gradebook import LatePolicy

DUE = dt.datetime(2026, 12, 1, 23, 59, tzinfo=dt.UTC)


def _with(exercise: Path, lines: str) -> Path:
    toml = exercise / "assignment.toml"
    toml.write_text(toml.read_text().replace("[limits]", lines + "\n\n[limits]", 1))
    return exercise


def test_due_and_penalty_are_parsed(exercise_copy: Path) -> None:
    spec = load_assignment(_with(exercise_copy, "due = 2026-12-01T23:59:00+00:00\nlate_penalty_per_day = 0.1"))
    assert spec.due == DUE and spec.late_penalty_per_day == 0.1


def test_no_late_policy_by_default(recommender: AssignmentSpec) -> None:
    assert recommender.due is None and recommender.late_penalty_per_day == 0.0


@pytest.mark.parametrize(("lines", "message"), [
    ("due = 2026-12-01T23:59:00", "'assignment.due' should be a date-time with a UTC offset"),
    ("due = 2026-12-01", "'assignment.due' should be a date-time with a UTC offset"),
    ('due = "tomorrow"', "field 'due' should be"),
    ("due = 2026-12-01T23:59:00Z\nlate_penalty_per_day = 1.5",
     "'assignment.late_penalty_per_day' should be a fraction"),
    ("due = 2026-12-01T23:59:00Z\nlate_penalty_per_day = -0.1", "'assignment.late_penalty_per_day' should be"),
    ('due = 2026-12-01T23:59:00Z\nlate_penalty_per_day = "10%"', "field 'late_penalty_per_day' should be"),
    ("late_penalty_per_day = 0.1", "needs 'assignment.due'"),
])
def test_bad_late_policy_names_file_and_field(exercise_copy: Path, lines: str, message: str) -> None:
    with pytest.raises(AssignmentError, match=r"assignment\.toml") as info:
        load_assignment(_with(exercise_copy, lines))
    assert message in str(info.value)


def test_penalty_per_started_day() -> None:
    policy = LatePolicy(DUE, 0.1)
    assert policy.apply(DUE - dt.timedelta(seconds=1), 10) == (10, 0, 0.0)
    assert policy.apply(DUE, 10) == (10, 0, 0.0)
    assert policy.apply(DUE + dt.timedelta(minutes=1), 10) == (9.0, 1, 0.1)
    assert policy.apply(DUE + dt.timedelta(days=2), 10) == (8.0, 2, 0.2)
    assert policy.apply(DUE + dt.timedelta(days=30), 10) == (0.0, 30, 1.0)
    assert LatePolicy().apply(DUE + dt.timedelta(days=3), 7) == (7, 0, 0.0)


def test_checks_hash_changes_with_the_checks(exercise_copy: Path) -> None:
    before = checks_hash(load_assignment(exercise_copy))
    hidden = exercise_copy / "checks" / "hidden" / "test_hidden.py"
    hidden.write_text(hidden.read_text() + "\n# changed\n")
    assert checks_hash(load_assignment(exercise_copy)) != before
