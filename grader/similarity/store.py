"""The flagged pairs in the gradebook (table ``similarity_pairs``), and the submissions to compare
(a file that came through the course server to another machine is read from the gradebook's copy).

A check of an exercise replaces its earlier rows in one transaction: the table always holds the
latest check's pairs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grader.course.gradebook import Gradebook
from grader.course.schema import Exercise, SimilarityPair, Student, SubmissionFile, SubmissionRow
from grader.similarity.compare import PairResult
from grader.similarity.document import Submission


@dataclass(frozen=True)
class StoredPair:
    """A row of ``similarity_pairs`` as plain data."""

    exercise: str
    student_a: str
    student_b: str
    score: float
    coverage_a: float
    coverage_b: float
    matched_tokens: int
    submission_a_id: int | None
    submission_b_id: int | None
    computed_at: dt.datetime


def _on_this_machine(gradebook: Gradebook, exercise: str, student: str, kept: Path, sha256: str,
                     submission_id: int | None) -> Path:
    """The submitted file here: where it was kept, if this machine has it (with the right content),
    else the course server's copy in the gradebook (``submission_files``) written under ``files_dir``."""
    with contextlib.suppress(OSError):
        if kept.is_file() and hashlib.sha256(kept.read_bytes()).hexdigest() == sha256:
            return kept
    if submission_id is None:
        return kept  # reading it will say what is wrong
    with Session(gradebook.engine) as session:
        row = session.get(SubmissionFile, submission_id)
        data = row.data if row is not None else None
    if data is None or hashlib.sha256(data).hexdigest() != sha256:
        return kept
    local = gradebook.files_dir / exercise / student / f"{sha256}{kept.suffix}"
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(f".{local.name}.{os.getpid()}.{uuid.uuid4().hex}.partial")
    partial.write_bytes(data)
    partial.replace(local)
    return local


def latest_submissions(gradebook: Gradebook, exercise: str) -> list[Submission]:
    """The latest graded submission of each student of ``exercise``, with its gradebook id."""
    records = gradebook.records(exercise)
    with Session(gradebook.engine) as session:
        rows = session.execute(
            select(SubmissionRow.id, Student.name, SubmissionRow.sha256)
            .join(Student, SubmissionRow.student_id == Student.id)
            .join(Exercise, SubmissionRow.exercise_id == Exercise.id)
            .where(Exercise.name == exercise)
        ).all()
    ids = {(name, sha): int(number) for number, name, sha in rows}
    out = []
    for record in records:
        number = ids.get((record.student, record.sha256))
        path = _on_this_machine(gradebook, exercise, record.student, Path(record.path), record.sha256, number)
        out.append(Submission(record.student, path, submission_id=number))
    return out


def save_pairs(gradebook: Gradebook, exercise: str, pairs: Sequence[PairResult], computed_at: dt.datetime) -> int:
    """Replace ``exercise``'s stored pairs with ``pairs``; return how many were written."""
    with Session(gradebook.engine) as session, session.begin():
        session.execute(delete(SimilarityPair).where(SimilarityPair.exercise == exercise))
        session.add_all(SimilarityPair(
            exercise=exercise, student_a=pair.a.label, student_b=pair.b.label, score=pair.score,
            coverage_a=pair.coverage_a, coverage_b=pair.coverage_b, matched_tokens=pair.matched_tokens,
            submission_a_id=pair.a.submission_id, submission_b_id=pair.b.submission_id, computed_at=computed_at,
        ) for pair in pairs)
    return len(pairs)


def stored_pairs(gradebook: Gradebook, exercise: str) -> list[StoredPair]:
    """``exercise``'s stored pairs, best first."""
    with Session(gradebook.engine) as session:
        rows = session.scalars(select(SimilarityPair).where(SimilarityPair.exercise == exercise)
                               .order_by(SimilarityPair.score.desc(), SimilarityPair.id)).all()
        return [StoredPair(row.exercise, row.student_a, row.student_b, row.score, row.coverage_a, row.coverage_b,
                           row.matched_tokens, row.submission_a_id, row.submission_b_id, row.computed_at)
                for row in rows]
