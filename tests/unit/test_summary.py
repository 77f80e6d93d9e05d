"""The outcome line leads with the score, not with "failed"."""

from __future__ import annotations

from grader.core.values import CheckResult, Grade, Outcome, Verdict, Visibility
from grader.outputs.gradescope import gradescope_results
from grader.outputs.summary import outcome_line


def _grade(verdict: Verdict, status: str = "ok") -> Grade:
    checks = tuple(CheckResult(f"c{i}", f"check {i}", Outcome.PASSED, 1.0, 1.0, Visibility.VISIBLE, False)
                   for i in range(9))
    checks += (CheckResult("c9", "check 9", Outcome.PARTIAL, 0.72, 1.0, Visibility.VISIBLE, True),)
    return Grade(exercise="ex", submission_sha256="0" * 64, status=status, verdict=verdict, score=9.72,
                 max_score=10.0, checks=checks)


def test_the_score_leads_and_a_plain_failure_is_not_called_failed() -> None:
    assert outcome_line(_grade(Verdict.FAILED)) == "9.72 / 10: 9 of 10 checks passed, 1 in part."
    assert gradescope_results(_grade(Verdict.FAILED))["output"].startswith("9.72 / 10: 9 of 10 checks passed")
    assert "failed" not in gradescope_results(_grade(Verdict.FAILED))["output"].lower()


def test_a_verdict_that_says_more_than_the_score_is_named() -> None:
    assert outcome_line(_grade(Verdict.TIME_LIMIT)).endswith(f"({Verdict.TIME_LIMIT.label}).")
    assert "judge itself failed" in outcome_line(_grade(Verdict.JUDGE_ERROR, status="error"))
