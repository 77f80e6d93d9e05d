"""A class's submissions into the gradebook in one transaction (a batch of 200 took a second of
commits one by one, before its first grading could start), and which of them already have a result.

A concurrent writer (the course server, another batch) that inserts one of the same rows first
makes the transaction fail; then each submission is recorded on its own, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.course.discover import Found
from grader.course.gradebook import Gradebook, as_utc
from grader.course.schema import Exercise, ResultRow, Student, SubmissionRow

T = TypeVar("T")

#: Names per ``IN (…)``: well under SQLite's limit on bound parameters.
CHUNK = 500


@dataclass(frozen=True)
class Admitted:
    """The submissions now in the gradebook (with their ids, in the order given) and the problems."""

    rows: tuple[tuple[Found, int], ...]
    problems: tuple[str, ...]


def admit(gradebook: Gradebook, exercise: str, found: Sequence[Found]) -> Admitted:
    """Keep a copy of each file and record every submission of ``found`` (idempotent)."""
    kept: list[tuple[Found, Path]] = []
    problems: list[str] = []
    for item in found:
        try:
            kept.append((item, gradebook.keep_copy(exercise, item.student, item.sha256, item.path)))
        except OSError as exc:
            problems.append(f"{item.path}: cannot keep a copy ({exc.strerror or exc}), skipped")
    try:
        ids = _record_all(gradebook, exercise, kept)
    except IntegrityError:  # another writer got there first: one by one
        ids = [gradebook.add_submission(exercise=exercise, student=item.student, sha256=item.sha256,
                                        submitted_at=item.submitted_at, source=item.path) for item, _ in kept]
    return Admitted(tuple((item, sub_id) for (item, _), sub_id in zip(kept, ids, strict=True)), tuple(problems))


def _record_all(gradebook: Gradebook, exercise: str, kept: list[tuple[Found, Path]]) -> list[int]:
    with Session(gradebook.engine) as session:
        ex = session.scalars(select(Exercise).filter_by(name=exercise)).first()
        if ex is None:
            ex = Exercise(name=exercise)
            session.add(ex)
            session.flush()
        students = {name: row for chunk in _chunks(sorted({item.student for item, _ in kept}))
                    for row in session.scalars(select(Student).where(Student.name.in_(chunk)))
                    for name in [row.name]}
        missing = [Student(name=name) for name in sorted({item.student for item, _ in kept} - students.keys())]
        session.add_all(missing)
        session.flush()
        students |= {row.name: row for row in missing}
        existing: dict[tuple[int, str], SubmissionRow] = {}
        for chunk in _chunks(sorted({item.sha256 for item, _ in kept})):
            query = select(SubmissionRow).where(SubmissionRow.exercise_id == ex.id, SubmissionRow.sha256.in_(chunk))
            existing |= {(row.student_id, row.sha256): row for row in session.scalars(query)}
        rows = []
        for item, path in kept:
            key = (students[item.student].id, item.sha256)
            if key not in existing:
                existing[key] = SubmissionRow(exercise_id=ex.id, student_id=key[0], sha256=item.sha256,
                                              submitted_at=as_utc(item.submitted_at), path=str(path))
                session.add(existing[key])
            rows.append(existing[key])
        session.flush()
        ids = [int(row.id) for row in rows]
        session.commit()
        return ids


def graded(gradebook: Gradebook, submission_ids: Iterable[int], checks_hash: str) -> set[int]:
    """Which of ``submission_ids`` already have a result under ``checks_hash``."""
    found: set[int] = set()
    with Session(gradebook.engine) as session:
        for chunk in _chunks(sorted(set(submission_ids))):
            query = select(ResultRow.submission_id).where(ResultRow.checks_hash == checks_hash,
                                                          ResultRow.submission_id.in_(chunk))
            found.update(session.scalars(query))
    return found


def _chunks(values: list[T]) -> Iterable[list[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]
