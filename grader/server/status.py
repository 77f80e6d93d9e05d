"""What the author of a submission may know about it: queued (and how many are ahead), running,
graded (its ``Record``) or a judge error. Built from the gradebook's rows alone."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from grader.core.values import Grade
from grader.course.gradebook import Record
from grader.course.schema import Exercise, Job, ResultRow, Student, SubmissionRow
from grader.server.queue import position


@dataclass(frozen=True)
class AttemptStatus:
    submission_id: int
    exercise: str
    student: str
    submitted_at: dt.datetime
    original_name: str
    state: str  # "queued" | "running" | "graded" | "judge_error"
    position: int | None  # queued: how many are ahead
    started_at: dt.datetime | None
    graded_at: dt.datetime | None
    record: Record | None

    @property
    def finished(self) -> bool:
        return self.state in ("graded", "judge_error")


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _status(session: Session, sub: SubmissionRow, exercise: str, student: str) -> AttemptStatus:
    job = session.scalars(select(Job).where(Job.submission_id == sub.id).order_by(Job.id.desc()).limit(1)).first()
    result = session.scalars(
        select(ResultRow).where(ResultRow.submission_id == sub.id).order_by(ResultRow.graded_at.desc(),
                                                                              ResultRow.id.desc()).limit(1)).first()
    if job is not None and job.state == "done" and job.result_id is not None:
        result = session.get(ResultRow, job.result_id) or result
    record = None
    if result is not None:
        record = Record(student=student, exercise=exercise, submitted_at=_aware(sub.submitted_at) or sub.submitted_at,
                        sha256=sub.sha256, path=sub.path, grade=Grade.from_dict(result.grade).without_private(),
                        score=result.score,
                        late_days=result.late_days, penalty=result.penalty)
    if job is not None and job.state in ("queued", "running"):
        state = job.state
    elif record is not None:
        state = "graded" if record.grade.status == "ok" else "judge_error"
    else:
        state = "queued"
    return AttemptStatus(
        submission_id=sub.id, exercise=exercise, student=student,
        submitted_at=_aware(sub.submitted_at) or sub.submitted_at,
        original_name=sub.original_name, state=state,
        position=position(session, job) if job is not None and state == "queued" else None,
        started_at=_aware(job.claimed_at) if job is not None and state != "queued" else None,
        graded_at=_aware(result.graded_at) if result is not None and state in ("graded", "judge_error") else None,
        record=record if state in ("graded", "judge_error") else None,
    )


def attempt(engine: Engine, submission_id: int) -> AttemptStatus | None:
    """The status of one submission (None if there is no such submission)."""
    with Session(engine) as session:
        sub = session.get(SubmissionRow, submission_id)
        if sub is None:
            return None
        return _status(session, sub, sub.exercise.name, sub.student.name)


def attempts(engine: Engine, student: str, exercise: str | None = None) -> list[AttemptStatus]:
    """Every submission of ``student`` (for ``exercise`` if given), newest first."""
    with Session(engine) as session:
        query = (select(SubmissionRow, Exercise.name).join(Exercise).join(Student)
                 .where(Student.name == student).order_by(SubmissionRow.submitted_at.desc(), SubmissionRow.id.desc()))
        if exercise is not None:
            query = query.where(Exercise.name == exercise)
        return [_status(session, sub, name, student) for sub, name in session.execute(query)]


def owner_of(engine: Engine, submission_id: int) -> str | None:
    """The student id of a submission's author (None if there is no such submission)."""
    with Session(engine) as session:
        return session.scalar(select(Student.name).join(SubmissionRow, SubmissionRow.student_id == Student.id)
                              .where(SubmissionRow.id == submission_id))


def count_waiting(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(Job.state == "queued")) or 0)
