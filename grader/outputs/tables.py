"""The export formats."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.course.gradebook import Record
from grader.outputs.gradescope import gradescope_results

FORMATS = ("csv", "gradescope", "canvas", "jsonl")


def _check_names(records: Sequence[Record]) -> list[str]:
    names: list[str] = []
    for record in records:
        for check in record.grade.checks:
            if check.name not in names:
                names.append(check.name)
    return names


def write_csv(records: Sequence[Record], destination: Path) -> None:
    """One row per student, one column per check (points earned), then raw score, late penalty, total."""
    names = _check_names(records)
    with destination.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "submitted_at", "verdict", "status", *names, "raw_score", "late_days",
                         "penalty", "total", "max_score"])
        for r in records:
            earned = {c.name: c.points_earned for c in r.grade.checks}
            writer.writerow([
                r.student, r.submitted_at.isoformat(), r.grade.verdict.value, r.grade.status,
                *(f"{earned[n]:g}" if n in earned else "" for n in names),
                f"{r.grade.score:g}", r.late_days, f"{r.penalty:g}", f"{r.score:g}", f"{r.grade.max_score:g}",
            ])


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", name)


def write_gradescope(records: Sequence[Record], destination: Path) -> None:
    """``destination/<student>/results.json`` for each submission (score after any late penalty)."""
    destination.mkdir(parents=True, exist_ok=True)
    for r in records:
        folder = destination / _safe(r.student)
        folder.mkdir(exist_ok=True)
        results = gradescope_results(r.grade)
        if r.late_days:
            results["score"] = r.score
            results["output"] += (f"\nLate by {r.late_days} day(s): {r.penalty:.0%} off, "
                                  f"{r.grade.score:g} -> {r.score:g}.")
        results["extra_data"]["student"] = r.student
        (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def write_canvas(records: Sequence[Record], destination: Path, *, title: str, exercise: str) -> None:
    """A Canvas gradebook import CSV: the standard identity columns, a Points Possible row, one
    assignment column."""
    column = f"{title} ({exercise})"
    points = max((r.grade.max_score for r in records), default=0.0)
    with destination.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", "", f"{points:g}"])
        for r in records:
            writer.writerow([r.student, "", r.student, r.student, "", f"{r.score:g}"])


def record_dict(r: Record) -> dict[str, Any]:
    return {
        "student": r.student, "exercise": r.exercise, "submitted_at": r.submitted_at.isoformat(),
        "sha256": r.sha256, "score": r.score, "raw_score": r.grade.score, "max_score": r.grade.max_score,
        "late_days": r.late_days, "penalty": r.penalty, "verdict": r.grade.verdict.value,
        "status": r.grade.status, "grade": r.grade.without_private().to_dict(),
    }


def write_jsonl(records: Sequence[Record], destination: Path) -> None:
    with destination.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(record_dict(r), sort_keys=True) + "\n")


def export(fmt: str, records: Sequence[Record], destination: Path, *, title: str, exercise: str) -> None:
    if fmt == "csv":
        write_csv(records, destination)
    elif fmt == "gradescope":
        write_gradescope(records, destination)
    elif fmt == "canvas":
        write_canvas(records, destination, title=title, exercise=exercise)
    elif fmt == "jsonl":
        write_jsonl(records, destination)
    else:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
