"""``judge export --nbgrader GRADEBOOK.db``: the judge's latest results into an nbgrader gradebook.

Written through nbgrader's own ``nbgrader.api.Gradebook``: the exercise becomes an nbgrader
assignment with one notebook (named after the exercise's file, e.g. ``solution``), each check a
grade cell worth its points, each student a submission whose grades are the checks' earned points
(auto scores). Exporting again replaces each student's submission: the gradebook shows the judge's
latest result. formgrader then shows the scores.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.course.gradebook import Record


@dataclass(frozen=True)
class NbgraderExport:
    assignment: str
    notebook: str
    students: int
    grade_cells: int


def grade_cell_name(check_id: str) -> str:
    """A check id as an nbgrader cell name (grade_id): letters, digits, ``-`` and ``_``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", check_id).strip("-")[:120] or "check"


@contextlib.contextmanager
def _alembic_on_path() -> Iterator[None]:
    """nbgrader runs the ``alembic`` command when it creates a gradebook: find it next to this
    interpreter when the environment is not activated (``.venv/bin/judge``)."""
    if shutil.which("alembic") is not None:
        yield
        return
    saved = os.environ.get("PATH")
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), *([saved] if saved else [])])
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = saved


def export_nbgrader(records: list[Record], db_path: Path, *, exercise: str, notebook: str,
                    course_id: str = "default_course") -> NbgraderExport:
    """Write ``records`` (one per student, as ``Gradebook.records`` gives) into the nbgrader
    gradebook at ``db_path`` (created if missing)."""
    api: Any = importlib.import_module("nbgrader.api")  # untyped; only when exporting
    NbGradebook, MissingEntry = api.Gradebook, api.MissingEntry

    cells: dict[str, float] = {}
    for record in records:
        for check in record.grade.checks:
            name = grade_cell_name(check.id)
            cells[name] = max(cells.get(name, 0.0), check.points_possible)
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    with _alembic_on_path(), NbGradebook(f"sqlite:///{Path(db_path).resolve()}", course_id=course_id) as gb:
        gb.update_or_create_assignment(exercise)
        gb.update_or_create_notebook(notebook, exercise)
        for name, points in cells.items():
            gb.update_or_create_grade_cell(name, notebook, exercise, max_score=points, cell_type="code")
            gb.update_or_create_source_cell(name, notebook, exercise, cell_type="code", locked=True,
                                            source=f"# mljudge check {name}")
        for record in records:
            gb.update_or_create_student(record.student)
            with contextlib.suppress(MissingEntry):  # the latest result replaces the earlier one
                gb.remove_submission(exercise, record.student)
            gb.add_submission(exercise, record.student, timestamp=record.submitted_at.replace(tzinfo=None))
            earned = {grade_cell_name(c.id): c.points_earned for c in record.grade.checks}
            for name in cells:
                grade = gb.find_grade(name, notebook, exercise, record.student)
                # a judge error is no score at all: leave it to the instructor (manual grade)
                ok = record.grade.status == "ok"
                grade.auto_score = earned.get(name, 0.0) if ok else None
                grade.needs_manual_grade = not ok
            gb.db.commit()
    return NbgraderExport(exercise, notebook, len(records), len(cells))
