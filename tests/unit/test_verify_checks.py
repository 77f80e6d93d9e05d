"""`judge verify`'s exercise-wide checks: same score every run, reference fast enough (median of runs)."""

from __future__ import annotations

from pathlib import Path

from grader.authoring.verify import check_fast_enough, check_repeatable
from grader.core.values import CheckResult, Grade, Outcome, Verdict, Visibility
from grader.sandbox.base import Sandbox


def _grade(score: float, seconds: float = 1.0) -> Grade:
    check = CheckResult(id="checks/hidden/test_h.py::test_t", name="test_t", outcome=Outcome.PASSED,
                        points_earned=score, points_possible=10.0, visibility=Visibility.VISIBLE,
                        hidden_check=True)
    return Grade(exercise="x", submission_sha256="0" * 64, status="ok", verdict=Verdict.PASSED, score=score,
                 max_score=10.0, checks=(check,), seconds=seconds)


def test_same_scores_pass_and_a_flip_fails_naming_the_check() -> None:
    assert check_repeatable([_grade(10.0)] * 5).ok
    flaky = check_repeatable([_grade(10.0), _grade(10.0), _grade(9.5), _grade(10.0), _grade(10.0)])
    assert not flaky.ok
    assert "test_t" in flaky.problem and "9.5" in flaky.detail


def test_reference_must_finish_within_a_third_of_wall_time() -> None:
    assert check_fast_enough([_grade(10.0, 3.0)] * 5, wall_time=10.0).ok
    one_slow_run = [_grade(10.0, 1.0)] * 4 + [_grade(10.0, 8.0)]  # e.g. the first run's imports
    assert check_fast_enough(one_slow_run, wall_time=10.0).ok
    slow = check_fast_enough([_grade(10.0, 1.0), _grade(10.0, 3.5), _grade(10.0, 4.0)], wall_time=10.0)
    assert not slow.ok and "3.50 s" in slow.problem
    assert not check_fast_enough([], wall_time=10.0).ok


def test_a_misspelt_preload_fails_verify() -> None:
    from grader.authoring.verify import check_preload

    assert check_preload(("numpy", "sklearn")).ok and check_preload(()).ok
    bad = check_preload(("numpy", "sklern"))
    assert not bad.ok and "'sklern'" in bad.problem and "limits.preload" in bad.problem


def test_a_module_the_environment_lacks_is_a_judge_error_never_the_students_zero(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    import dataclasses

    from grader.core.assignment import get_assignment
    from grader.core.grade import grade_one
    from grader.core.values import Submission, Verdict
    from tests.conftest import REPO

    spec = dataclasses.replace(get_assignment("recommender-svd", REPO), preload=("tensorflow_not_installed",))
    grade = grade_one(assignment=spec, submission=Submission.from_path(REPO / "solutions" / "recommender-svd" /
                                                                       "solution.py"), sandbox=process_sandbox)
    assert grade.status == "error" and grade.verdict is Verdict.JUDGE_ERROR and grade.score == 0
    assert any("'tensorflow_not_installed'" in note for note in grade.notes), grade.notes


def test_a_check_that_cannot_import_on_the_trusted_side_is_a_judge_error(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    from grader.core.assignment import load_assignment
    from grader.core.grade import grade_one
    from grader.core.values import Submission, Verdict

    root = tmp_path / "needs-tf"
    (root / "checks" / "public").mkdir(parents=True)
    (root / "checks" / "public" / "test_public.py").write_text(
        "import pytest\n\n\n@pytest.mark.points(1)\ndef test_trusted(submission):\n"
        "    import not_installed_on_the_grader  # noqa: F401\n    assert submission.f() == 1\n")
    (root / "assignment.toml").write_text(
        '[assignment]\ntitle = "t"\nfile = "solution.py"\nentry_points = ["f"]\npoints = 1\n')
    (root / "solution.py").write_text("def f():\n    return 1\n")
    grade = grade_one(assignment=load_assignment(root), submission=Submission.from_path(root / "solution.py"),
                      sandbox=process_sandbox)
    assert grade.status == "error" and grade.verdict is Verdict.JUDGE_ERROR
    assert any("'not_installed_on_the_grader'" in note for note in grade.notes), grade.notes


def test_a_suite_collected_again_for_every_submission_is_a_warning_not_a_failure() -> None:
    from grader.authoring.verify import check_suite_kept

    kept = check_suite_kept(1, 9)
    assert kept.ok and not kept.warning
    dropped = check_suite_kept(9, 9)
    assert dropped.ok and "collected again for every submission" in dropped.warning


def test_an_example_whose_score_moves_between_runs_is_a_warning_naming_it() -> None:
    from grader.authoring.verify import VerifyCase, VerifyOutcome, check_cases_repeatable

    def outcome(name: str, score: float) -> VerifyOutcome:
        return VerifyOutcome(VerifyCase(name, Path("x.py"), 0.0, 10.0, None), _grade(score), True, "")

    steady = [outcome("examples/a #1", 5.0), outcome("examples/a #2", 5.0),
              outcome("reference #1", 10.0), outcome("reference #2", 9.0)]  # the reference: check_repeatable
    assert check_cases_repeatable(steady).ok and not check_cases_repeatable(steady).warning
    once = check_cases_repeatable([outcome("examples/a", 5.0), outcome("stub", 0.0)])
    assert once.ok and not once.warning and "once" in once.detail
    moved = check_cases_repeatable([*steady, outcome("examples/b #1", 7.44), outcome("examples/b #2", 5.29)])
    assert moved.ok  # sound, but a resubmission would score differently: said, not failed
    assert "examples/b: 7.44, 5.29" in moved.warning and "examples/a" not in moved.warning
