#!/usr/bin/env python3
"""Grade every bundled exercise's reference, stub and examples, and write what each got as JSON.

A refactoring must leave every grade as it was: run this before and after, then diff the two files.

    python scripts/grade-examples.py -o before.json [--sandbox bwrap-warm] [EXERCISE ...]
    python scripts/grade-examples.py -o after.json
    python scripts/grade-examples.py --diff before.json after.json

Only what a grade means is written (score, verdict, status, each check's outcome, points and the
student's message); times, resources and memory addresses are left out, as they differ every run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from grader.authoring.stubs import write_generated_stub
from grader.authoring.verify import verify_cases
from grader.core.assignment import find_assignments, load_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission
from grader.sandbox import get_sandbox

_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
_SECONDS = re.compile(r"\d+(\.\d+)? ?s\b")


def _stable(text: str) -> str:
    """A message without what changes between runs (addresses, durations)."""
    return _SECONDS.sub("<t>", _ADDRESS.sub(" at 0x…", text))


def grade_summary(grade: Grade) -> dict[str, Any]:
    """The parts of a grade that must not change when the code is regrouped."""
    return {
        "status": grade.status,
        "verdict": grade.verdict.value,
        "score": round(grade.score, 6),
        "max_score": grade.max_score,
        "checks": [
            {"id": c.id, "outcome": c.outcome.value, "points": round(c.points_earned, 6),
             "message": _stable(c.message)}
            for c in grade.checks
        ],
    }


def grade_all(names: list[str], sandbox_name: str) -> dict[str, dict[str, Any]]:
    """Every case of every named exercise (all exercises when none is named)."""
    sandbox = get_sandbox(sandbox_name, batch=True)
    out: dict[str, dict[str, Any]] = {}
    for name, folder in find_assignments().items():
        if names and name not in names:
            continue
        assignment = load_assignment(folder)
        with tempfile.TemporaryDirectory(prefix="mljudge-examples-") as tmp:
            cases = verify_cases(assignment, write_generated_stub(assignment, Path(tmp)))
            for case in cases:
                grade = grade_one(assignment=assignment, submission=Submission.from_path(case.path), sandbox=sandbox)
                key = f"{assignment.id}/{case.name}"
                out[key] = grade_summary(grade)
                print(f"{key}: {grade.score:g}/{grade.max_score:g} {grade.verdict.value}", file=sys.stderr)
    return out


def diff(before: Path, after: Path) -> int:
    """Print every case whose grade changed; 0 when none did."""
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    changed = 0
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            changed += 1
            print(f"{key}:\n  before: {json.dumps(old.get(key))}\n  after:  {json.dumps(new.get(key))}")
    print(f"{len(set(old) | set(new))} cases, {changed} changed")
    return 1 if changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*")
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--sandbox", default="auto")
    parser.add_argument("--diff", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.diff:
        return diff(*args.diff)
    result = json.dumps(grade_all(args.exercises, args.sandbox), indent=1, sort_keys=True)
    if args.output:
        args.output.write_text(result + "\n")
    else:
        print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
