"""Accepting a submission on the course server: the file is on disk (fsynced) and its row and job
are committed before the student hears "accepted"; the quota is checked in the same transaction.

The name the browser or command line sent is kept as data (``original_name``): it only says whether
the file is a notebook, and is never part of a path. The stored file is
``<files>/<exercise>/<student>/<sha256>.py|.ipynb``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.core.assignment import AssignmentSpec
from grader.core.notebook import NOTEBOOK_SUFFIX
from grader.course.gradebook import Gradebook
from grader.course.schema import Exercise, ResultRow, Student, SubmissionFile, SubmissionRow
from grader.server import queue
from grader.server.quota import QuotaStatus, quota_status

#: Channels whose submissions use quota (a batch `judge grade` of files on disk does not).
SERVER_CHANNELS = ("web", "api")
MAX_NAME_CHARS = 255

_sqlite_writer = threading.Lock()  # SQLite has one writer: serialise this process's intakes


class IntakeError(Exception):
    """A submission refused before anything was stored; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400, quota: QuotaStatus | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.quota = quota


@dataclass(frozen=True)
class Accepted:
    submission_id: int
    job_id: int | None  # None: the same file was already handed in (no new grading, no quota used)
    duplicate: bool
    submitted_at: dt.datetime
    quota: QuotaStatus


def suffix_for(original_name: str) -> str:
    return NOTEBOOK_SUFFIX if original_name.lower().endswith(NOTEBOOK_SUFFIX) else ".py"


def check_upload(assignment: AssignmentSpec, data: bytes, original_name: str) -> None:
    """Refuse what cannot be a submission: empty, over the exercise's size cap, a name that is not
    a .py or .ipynb file."""
    limit = assignment.quota.max_kb * 1024
    if len(data) > limit:
        raise IntakeError(f"the file is larger than this exercise accepts ({assignment.quota.max_kb} KB)", 413)
    if not data.strip():
        raise IntakeError("the file is empty: nothing to grade")
    name = original_name.lower()
    if not (name.endswith(".py") or name.endswith(NOTEBOOK_SUFFIX)):
        raise IntakeError("hand in a Python file (.py) or a notebook (.ipynb)", 415)


def counted_times(session: Session, exercise_id: int, student_id: int) -> list[dt.datetime]:
    """When the student's server submissions for the exercise arrived, leaving out those whose
    latest result is a judge error (they cost the student nothing)."""
    rows = session.execute(
        select(SubmissionRow.id, SubmissionRow.submitted_at)
        .where(SubmissionRow.exercise_id == exercise_id, SubmissionRow.student_id == student_id,
               SubmissionRow.channel.in_(SERVER_CHANNELS))
    ).all()
    if not rows:
        return []
    failed = set(session.scalars(
        select(ResultRow.submission_id).where(ResultRow.submission_id.in_([r[0] for r in rows]),
                                              ResultRow.status != "ok")))
    graded_ok = set(session.scalars(
        select(ResultRow.submission_id).where(ResultRow.submission_id.in_([r[0] for r in rows]),
                                              ResultRow.status == "ok")))
    return [_aware(at) for sid, at in rows if sid not in failed or sid in graded_ok]


def quota_of(gradebook: Gradebook, assignment: AssignmentSpec, student: str,
             now: dt.datetime | None = None) -> QuotaStatus:
    """What ``student`` has left for ``assignment`` now."""
    with Session(gradebook.engine) as session:
        ex = session.scalars(select(Exercise).filter_by(name=assignment.id)).first()
        st = session.scalars(select(Student).filter_by(name=student)).first()
        times = counted_times(session, ex.id, st.id) if ex is not None and st is not None else []
    return quota_status(assignment.quota, times, now or queue.now_utc())


def _store(folder: Path, sha256: str, suffix: str, data: bytes) -> Path:
    kept = folder / f"{sha256}{suffix}"
    if kept.is_file() and kept.stat().st_size == len(data):
        return kept
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{sha256}.{os.getpid()}.{uuid.uuid4().hex}.partial"
    with partial.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    partial.replace(kept)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
    return kept


def accept(gradebook: Gradebook, *, assignment: AssignmentSpec, student: str, data: bytes, original_name: str,
           channel: str, now: dt.datetime | None = None) -> Accepted:
    """Store ``data`` as ``student``'s submission for ``assignment`` and queue its grading.

    Raises :class:`IntakeError` (nothing stored in the gradebook) for a bad file or an exhausted quota."""
    check_upload(assignment, data, original_name)
    sha256 = hashlib.sha256(data).hexdigest()
    kept = _store(gradebook.files_dir / assignment.id / student, sha256, suffix_for(original_name), data)
    name = original_name[:MAX_NAME_CHARS]
    postgres = gradebook.engine.dialect.name == "postgresql"
    with _sqlite_writer if not postgres else contextlib.nullcontext(), Session(gradebook.engine) as session:
        ex = _row(session, Exercise, name=assignment.id)
        if not ex.title:
            ex.title, ex.points = assignment.title, assignment.points
        st_query = select(Student).filter_by(name=student)
        st = session.scalars(st_query.with_for_update() if postgres else st_query).first()
        if st is None:
            st = _row(session, Student, name=student)
            st = session.scalars(st_query.with_for_update() if postgres else st_query).one()
        moment = (now or queue.now_utc()).astimezone(dt.UTC)
        times = counted_times(session, ex.id, st.id)
        existing = session.scalars(select(SubmissionRow).filter_by(exercise_id=ex.id, student_id=st.id,
                                                                   sha256=sha256)).first()
        if existing is not None:
            status = quota_status(assignment.quota, times, moment)
            session.commit()
            return Accepted(existing.id, None, True, _aware(existing.submitted_at), status)
        status = quota_status(assignment.quota, times, moment)
        if not status.allowed:
            session.rollback()
            raise IntakeError(status.reason, 429, status)
        row = SubmissionRow(exercise_id=ex.id, student_id=st.id, sha256=sha256, submitted_at=moment, path=str(kept),
                            original_name=name, channel=channel)
        session.add(row)
        session.flush()
        session.add(SubmissionFile(submission_id=row.id, data=data))
        job = queue.enqueue(session, row.id, assignment.id, at=moment)
        session.commit()
        after = quota_status(assignment.quota, [*times, moment], moment)
        return Accepted(row.id, job.id, False, moment, after)


def _row(session: Session, model: type[Any], **keys: str) -> Any:
    row = session.scalars(select(model).filter_by(**keys)).first()
    if row is None:
        row = model(**keys)
        session.add(row)
        session.flush()
    return row


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
