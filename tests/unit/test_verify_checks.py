"""`judge verify`'s exercise-wide checks: same score every run, reference fast enough (median of runs)."""

from __future__ import annotations

from grader.authoring.verify import check_fast_enough, check_repeatable
from grader.core.values import CheckResult, Grade, Outcome, Verdict, Visibility


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


def test_a_suite_collected_again_for_every_submission_is_a_warning_not_a_failure() -> None:
    from grader.authoring.verify import check_suite_kept

    kept = check_suite_kept(1, 9)
    assert kept.ok and not kept.warning
    dropped = check_suite_kept(9, 9)
    assert dropped.ok and "collected again for every submission" in dropped.warning
