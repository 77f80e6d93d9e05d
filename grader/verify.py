"""``judge verify``: prove an exercise sound before release — the reference scores full marks,
the stub scores zero without a judge error, and every example lands in its expected range."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.assignment import AssignmentSpec
from grader.grade import grade_one
from grader.models import Grade, Submission, Verdict
from grader.sandbox.base import Sandbox


@dataclass(frozen=True)
class VerifyCase:
    """One submission `judge verify` grades, with what it must get."""

    name: str
    path: Path
    score_min: float
    score_max: float
    verdict: Verdict | None


@dataclass(frozen=True)
class VerifyOutcome:
    """What one case got, and whether that is what it must get."""

    case: VerifyCase
    grade: Grade
    ok: bool
    problem: str


def verify_cases(assignment: AssignmentSpec) -> list[VerifyCase]:
    """The reference, the stub, then every example."""
    cases = [
        VerifyCase("reference", assignment.solution, assignment.points, assignment.points, Verdict.PASSED),
        VerifyCase("stub", assignment.stub, 0.0, 0.0, None),
    ]
    cases += [
        VerifyCase(f"examples/{e.name}", e.path, e.score_min, e.score_max, e.verdict) for e in assignment.examples
    ]
    return cases


def check_case(case: VerifyCase, grade: Grade) -> VerifyOutcome:
    """Compare a grade with what the case must get."""
    problems = []
    if grade.status != "ok":
        problems.append("judge error: " + (grade.notes[-1].splitlines()[0] if grade.notes else "unknown"))
    if not case.score_min - 1e-9 <= grade.score <= case.score_max + 1e-9:
        problems.append(f"score {grade.score:g} outside [{case.score_min:g}, {case.score_max:g}]")
    if case.verdict is not None and grade.verdict is not case.verdict:
        problems.append(f"verdict {grade.verdict.value}, expected {case.verdict.value}")
    return VerifyOutcome(case, grade, not problems, "; ".join(problems))


def verify_assignment(
    assignment: AssignmentSpec, sandbox: Sandbox, on_result: Callable[[VerifyOutcome], None] | None = None
) -> list[VerifyOutcome]:
    """Grade every case; a missing reference or stub file is a failed case, not an exception."""
    outcomes = []
    for case in verify_cases(assignment):
        if not case.path.is_file():
            raise FileNotFoundError(f"{case.path}: missing ({case.name})")
        grade = grade_one(assignment=assignment, submission=Submission.from_path(case.path), sandbox=sandbox)
        outcome = check_case(case, grade)
        outcomes.append(outcome)
        if on_result is not None:
            on_result(outcome)
    return outcomes
