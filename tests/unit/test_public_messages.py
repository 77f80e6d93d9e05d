"""Public failure messages: the check author's message and the values, never pytest's
introspection of the judge's objects; a hidden check's values never leak through its message."""

from __future__ import annotations

from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.plugin import public_assertion
from grader.core.values import Outcome, Submission
from grader.sandbox import get_sandbox
from tests.conftest import REPO


def test_the_authors_message_without_pytests_explanation() -> None:
    text = "accuracy should be 0.625, got 0.5\nassert 0.5 == 0.625\n +  where 0.5 = <function accuracy at 0x7f00>(a)"
    assert public_assertion(text) == "accuracy should be 0.625, got 0.5"


def test_without_a_message_the_values_but_no_addresses_or_hints() -> None:
    text = ("assert 0.5 == 0.625\n +  where 0.5 = <function accuracy at 0x7f12ab>(array([1.]))\n"
            "Use -v to get more diff")
    assert public_assertion(text) == "assert 0.5 == 0.625"


def test_a_graded_submission_gets_readable_messages() -> None:
    exercise = get_assignment("metrics", REPO)
    path = exercise.root / "examples" / "swapped-precision-recall" / "solution.py"
    grade = grade_one(assignment=exercise, submission=Submission.from_path(path), sandbox=get_sandbox("process"),
                      secret=b"k" * 32)
    failed = [c for c in grade.checks if c.outcome is not Outcome.PASSED]
    assert failed
    for check in failed:
        assert " at 0x" not in check.message and "Use -v" not in check.message, check.message
        assert "+  where" not in check.message, check.message
        if check.hidden_check:
            assert "\n" not in check.message  # one line of the author's, no values of the hidden data
