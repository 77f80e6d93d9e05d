"""Notebooks built to blow up the trusted side's conversion get a verdict, and the grader's own
memory stays bounded: the cells are parsed in a limited process of their own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import REPO

#: What the grader process may grow by while grading one of these (it reads at most 32 MiB).
GRADER_GROWTH_MB = 400
REFERENCE = REPO / "solutions" / "recommender-svd" / "solution.py"

GRADE_AND_MEASURE = """
import json, resource, sys
from pathlib import Path
from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.values import Submission
from grader.sandbox import get_sandbox
spec, sandbox = get_assignment("recommender-svd"), get_sandbox("auto")
warm = grade_one(assignment=spec, submission=Submission.from_path(Path(sys.argv[2])), sandbox=sandbox)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
grade = grade_one(assignment=spec, submission=Submission.from_path(Path(sys.argv[1])), sandbox=sandbox)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"verdict": grade.verdict.value, "status": grade.status, "score": grade.score,
                  "growth_mb": (after - before) / 1024, "notes": list(grade.notes)}))
"""


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def _hostile(tmp: Path) -> dict[str, Path]:
    reference = REFERENCE.read_text()
    return {
        "huge-list-literal": _notebook(tmp / "a.ipynb", reference, "X = [" + "1," * 2_000_000 + "]"),
        "millions-of-empty-lines": _notebook(tmp / "b.ipynb", reference, "\n" * 2_500_000),
        "deep-nesting": _notebook(tmp / "c.ipynb", reference, "x = " + "(" * 200_000 + ")" * 200_000),
        "many-cells": _notebook(tmp / "d.ipynb", reference, *(["pass"] * 20_000)),
        "many-magics": _notebook(tmp / "e.ipynb", reference, "\n".join(["%time 1"] * 150_000)),
    }


@pytest.mark.slow
def test_hostile_notebooks_get_a_verdict_and_the_grader_stays_small(tmp_path: Path) -> None:
    clean = _notebook(tmp_path / "clean.ipynb", REFERENCE.read_text())
    for name, path in _hostile(tmp_path).items():
        done = subprocess.run([sys.executable, "-c", GRADE_AND_MEASURE, str(path), str(clean)], cwd=REPO,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (name, done.stderr[-3000:])
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["status"] == "ok", (name, result["notes"])
        assert result["growth_mb"] < GRADER_GROWTH_MB, (name, result["growth_mb"])
        if name in ("millions-of-empty-lines", "many-cells"):
            assert result["verdict"] == "syntax_error" and result["score"] == 0, (name, result)
            assert any("homework-sized" in n for n in result["notes"]), result["notes"]
        print(f"{name}: {result['verdict']} {result['score']:g}, grader grew {result['growth_mb']:.0f} MiB")
