"""The outcome of a grade in words, by score: "9.72 / 10: 9 of 10 checks passed" (what the terminal,
results.json and the pages lead with; a verdict is named only when it says more than the score)."""

from __future__ import annotations

from grader.core.values import Grade, Outcome, Verdict


def checks_line(grade: Grade) -> str:
    """"9 of 10 checks passed" (partial credit counted apart)."""
    full = sum(c.outcome is Outcome.PASSED for c in grade.checks)
    partial = sum(c.outcome is Outcome.PARTIAL for c in grade.checks)
    text = f"{full} of {len(grade.checks)} checks passed"
    return text + (f", {partial} in part" if partial else "")


def outcome_line(grade: Grade) -> str:
    """The score, the checks passed, and the verdict when it is more than passed or failed."""
    if grade.status != "ok":
        return "The judge itself failed: this is not a grade."
    text = f"{grade.score:g} / {grade.max_score:g}: {checks_line(grade)}"
    if grade.verdict not in (Verdict.PASSED, Verdict.FAILED):
        text += f" ({grade.verdict.label})"
    return text + "."
