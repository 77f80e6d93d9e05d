"""``decide_verdict``: the session's events, the checks and the judge's own problems folded into one
verdict, the most serious first."""

from __future__ import annotations

import pytest

from grader.core.grade import decide_verdict
from grader.core.remote import Event
from grader.core.values import CheckResult, Outcome, Verdict, Visibility


def check(earned: float, possible: float = 1.0) -> CheckResult:
    outcome = Outcome.PASSED if earned >= possible else Outcome.PARTIAL if earned > 0 else Outcome.FAILED
    return CheckResult(id="c", name="c", outcome=outcome, points_earned=earned, points_possible=possible,
                       visibility=Visibility.VISIBLE, hidden_check=False)


def events(*verdicts: Verdict) -> list[Event]:
    return [Event(v, v.label) for v in verdicts]


FULL, PARTIAL, ZERO = check(1.0), check(0.5), check(0.0)
V = Verdict

TABLE = [
    # (what happened, events, checks, problems, verdict)
    ("nothing ran", [], (), [], V.PASSED),
    ("every check full marks", [], (FULL, FULL), [], V.PASSED),
    ("a check with zero points possible", [], (check(0.0, 0.0),), [], V.PASSED),
    ("partial credit", [], (FULL, PARTIAL), [], V.FAILED),
    ("a failed check", [], (ZERO,), [], V.FAILED),
    ("a judge problem outranks all", events(V.SYNTAX_ERROR, V.TIME_LIMIT), (ZERO,), ["boom"], V.JUDGE_ERROR),
    ("a judge problem with full marks", [], (FULL,), ["boom"], V.JUDGE_ERROR),
    ("a judge error event", events(V.JUDGE_ERROR, V.CRASHED), (FULL,), [], V.JUDGE_ERROR),
    ("time limit over a failed check", events(V.TIME_LIMIT), (ZERO,), [], V.TIME_LIMIT),
    ("time limit even with full marks", events(V.TIME_LIMIT), (FULL,), [], V.TIME_LIMIT),
    ("memory over time", events(V.TIME_LIMIT, V.MEMORY_LIMIT), (), [], V.MEMORY_LIMIT),
    ("output over time", events(V.CRASHED, V.TIME_LIMIT, V.OUTPUT_LIMIT), (), [], V.OUTPUT_LIMIT),
    ("memory over output", events(V.OUTPUT_LIMIT, V.MEMORY_LIMIT), (), [], V.MEMORY_LIMIT),
    ("time over crash", events(V.CRASHED, V.TIME_LIMIT), (), [], V.TIME_LIMIT),
    ("crash over a failed check", events(V.CRASHED), (ZERO,), [], V.CRASHED),
    ("protocol violation over memory", events(V.MEMORY_LIMIT, V.PROTOCOL_VIOLATION), (), [], V.PROTOCOL_VIOLATION),
    ("missing entry point over protocol", events(V.PROTOCOL_VIOLATION, V.MISSING_ENTRY_POINT), (), [],
     V.MISSING_ENTRY_POINT),
    ("syntax error over missing entry point", events(V.MISSING_ENTRY_POINT, V.SYNTAX_ERROR), (), [], V.SYNTAX_ERROR),
    ("a repeated event", events(V.CRASHED, V.CRASHED), (FULL,), [], V.CRASHED),
]


@pytest.mark.parametrize(("happened", "checks", "problems", "expected"), [row[1:] for row in TABLE],
                         ids=[row[0] for row in TABLE])
def test_the_most_serious_thing_decides(happened: list[Event], checks: tuple[CheckResult, ...], problems: list[str],
                                        expected: Verdict) -> None:
    assert decide_verdict(happened, checks, problems) == expected


def test_the_inputs_are_not_changed() -> None:
    happened, problems = events(V.CRASHED), ["boom"]
    decide_verdict(happened, (ZERO,), problems)
    assert happened == events(V.CRASHED) and problems == ["boom"]
