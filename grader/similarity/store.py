"""The flagged pairs in the gradebook (table ``similarity_pairs``), and the submissions to compare.

A check of an exercise replaces its earlier rows in one transaction: the table always holds the
latest check's pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grader.course.gradebook import Gradebook
from grader.course.schema import Exercise, SimilarityPair, Student, SubmissionRow
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
    return [Submission(record.student, Path(record.path), submission_id=ids.get((record.student, record.sha256)))
            for record in records]


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
