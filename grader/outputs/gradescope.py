"""Machine-readable results: Gradescope's ``results.json`` schema, built from a Grade only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from grader.core.values import Grade, Outcome
from grader.outputs.summary import outcome_line


def gradescope_results(grade: Grade) -> dict[str, Any]:
    """The grade as Gradescope's results.json: score, max_score, execution_time, tests[]…

    Each test's ``output`` is the student-facing message only; instructor details stay out.
    Leaderboard entries carry the public split's score only (Gradescope shows its board to students).
    """
    tests = [
        {
            "name": check.name,
            "number": str(number),
            "score": check.points_earned,
            "max_score": check.points_possible,
            "status": "passed" if check.outcome is Outcome.PASSED else "failed",
            "output": check.message,
            "visibility": check.visibility.value,
            "tags": ["hidden-check" if check.hidden_check else "public-check", check.outcome.value],
        }
        for number, check in enumerate(grade.checks, start=1)
    ]
    summary = outcome_line(grade)
    if grade.status != "ok":
        summary += " Please tell your instructor."
    if grade.notes:
        summary += "\n" + "\n".join(note.splitlines()[0] for note in grade.notes)
    if grade.output:
        summary += "\n\nWhat the submission printed:\n" + grade.output
    results: dict[str, Any] = {
        "score": grade.score,
        "max_score": grade.max_score,
        "execution_time": round(grade.seconds, 3),
        "output": summary,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "exercise": grade.exercise,
            "status": grade.status,
            "verdict": grade.verdict.value,
            "scope": grade.scope,
            "sandbox": grade.sandbox,
            "isolated": grade.isolated,
            "submission_sha256": grade.submission_sha256,
            "judge_version": grade.judge_version,
            "resources": {
                "wall_seconds": round(grade.resources.wall_seconds, 3),
                "cpu_seconds": round(grade.resources.cpu_seconds, 3),
                "peak_memory_mb": round(grade.resources.peak_memory_mb, 1),
                "student_seconds": round(grade.resources.student_seconds, 3),
                "workers_started": grade.resources.workers_started,
            },
        },
    }
    board = [{"name": b.name, "value": b.public, **({"order": "asc"} if b.order == "asc" else {})}
             for b in grade.leaderboard if b.public is not None]
    if board:
        results["leaderboard"] = board
    return results


def write_results(grade: Grade, destination: Path) -> None:
    """Write results.json to ``destination``."""
    destination.write_text(json.dumps(gradescope_results(grade), indent=2) + "\n", encoding="utf-8")
