"""The recommender-svd exercise end to end (its verify cases, five runs in a row: tests/e2e/test_catalogue.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from grader.core.assignment import AssignmentSpec
from grader.core.grade import grade_one
from grader.core.values import Outcome, Submission, Verdict
from grader.sandbox.base import Sandbox


def test_reference_full_marks_and_trusted_process_never_imports_it(
    recommender: AssignmentSpec, process_sandbox: Sandbox
) -> None:
    grade = grade_one(assignment=recommender, submission=Submission.from_path(recommender.solution),
                      sandbox=process_sandbox)
    assert (grade.status, grade.verdict, grade.score, grade.max_score) == ("ok", Verdict.PASSED, 10.0, 10.0)
    assert all(c.outcome is Outcome.PASSED for c in grade.checks)
    assert recommender.module_name not in sys.modules
    assert not any(getattr(m, "__file__", None) and "mljudge-" in str(m.__file__) for m in list(sys.modules.values()))


def test_stub_scores_zero_with_not_implemented_message(recommender: AssignmentSpec, process_sandbox: Sandbox) -> None:
    grade = grade_one(assignment=recommender, submission=Submission.from_path(recommender.stub),
                      sandbox=process_sandbox)
    assert grade.status == "ok" and grade.score == 0
    assert all("not implemented" in c.message for c in grade.checks)


def test_public_scope_runs_only_public_checks(recommender: AssignmentSpec, process_sandbox: Sandbox) -> None:
    grade = grade_one(assignment=recommender, submission=Submission.from_path(recommender.solution),
                      sandbox=process_sandbox, scope="public")
    assert grade.checks and not any(c.hidden_check for c in grade.checks)
    assert all("/public/" in c.id for c in grade.checks)
    assert grade.score == grade.max_score == sum(c.points_possible for c in grade.checks) < recommender.points


def test_partial_credit_between_baseline_and_target(recommender: AssignmentSpec, process_sandbox: Sandbox) -> None:
    example = next(e for e in recommender.examples if e.name == "global-mean-centred")
    grade = grade_one(assignment=recommender, submission=Submission.from_path(example.path), sandbox=process_sandbox)
    rmse = next(c for c in grade.checks if c.name == "test_predictor_heldout_rmse")
    assert rmse.outcome is Outcome.PARTIAL and 0 < rmse.points_earned < rmse.points_possible
    assert rmse.metric is not None and "RMSE" in rmse.message


class BrokenSandbox(Sandbox):
    """A backend whose start always fails, standing in for a sandbox that cannot start."""

    name = "broken"
    isolated = True

    def start(self, spec):  # type: ignore[no-untyped-def]
        from grader.sandbox.base import SandboxError

        raise SandboxError("cannot create namespace")


def test_sandbox_failure_is_a_judge_error_never_a_zero(recommender: AssignmentSpec) -> None:
    grade = grade_one(assignment=recommender, submission=Submission.from_path(recommender.solution),
                      sandbox=BrokenSandbox())
    assert grade.status == "error" and grade.verdict is Verdict.JUDGE_ERROR
    assert any("cannot create namespace" in note for note in grade.notes)


def test_a_check_that_swallows_the_sandbox_failure_still_gets_a_judge_error(tmp_path: Path) -> None:
    """The session records the sandbox's failure itself: a check catching the exception cannot hide it."""
    from grader.core.assignment import load_assignment

    root = tmp_path / "swallow"
    (root / "checks" / "public").mkdir(parents=True)
    (root / "checks" / "public" / "test_public.py").write_text(
        "import pytest\n\n\n@pytest.mark.points(1)\ndef test_swallows(request):\n"
        "    try:\n        request.getfixturevalue('submission')\n    except Exception:\n        pass\n"
    )
    (root / "assignment.toml").write_text(
        '[assignment]\ntitle = "swallow"\nfile = "solution.py"\nentry_points = ["f"]\npoints = 1\n'
    )
    (root / "solution.py").write_text("def f():\n    return 1\n")
    (root / "stub.py").write_text("def f():\n    raise NotImplementedError\n")
    spec = load_assignment(root)
    grade = grade_one(assignment=spec, submission=Submission.from_path(root / "solution.py"), sandbox=BrokenSandbox())
    assert grade.status == "error" and grade.verdict is Verdict.JUDGE_ERROR and grade.score == 0
    assert any("the sandbox failed during" in n and "test_swallows" in n for n in grade.notes), grade.notes
