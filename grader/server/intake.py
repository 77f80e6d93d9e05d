"""Accepting a submission on the course server: its bytes, its row and its grading job are committed
in one transaction before the student hears "accepted"; the quota is checked in that transaction.

The name the browser or command line sent is kept as data (``original_name``): it only says whether
the file is a notebook, and is never part of a path. The stored file is
``<files>/<exercise>/<student>/<sha256>.py|.ipynb`` (a copy, written after the commit; the
gradebook's ``submission_files`` holds the bytes).
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

from sqlalchemy import Connection, and_, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.core.assignment import AssignmentSpec
from grader.core.notebook import NOTEBOOK_SUFFIX
from grader.course.gradebook import Gradebook
from grader.course.schema import Exercise, Job, ResultRow, Student, SubmissionFile, SubmissionRow
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


def counted_times(conn: Session | Connection, exercise_id: int, student_id: int) -> list[dt.datetime]:
    """When the student's server submissions for the exercise arrived, leaving out those whose only
    results are judge errors (they cost the student nothing). One query."""
    judged = select(ResultRow.id).where(ResultRow.submission_id == SubmissionRow.id)
    only_errors = and_(judged.where(ResultRow.status != "ok").exists(),
                       ~judged.where(ResultRow.status == "ok").exists())
    rows = conn.execute(
        select(SubmissionRow.submitted_at)
        .where(SubmissionRow.exercise_id == exercise_id, SubmissionRow.student_id == student_id,
               SubmissionRow.channel.in_(SERVER_CHANNELS), ~only_errors)
    ).all()
    return [_aware(at) for (at,) in rows]


def quota_of(gradebook: Gradebook, assignment: AssignmentSpec, student: str,
             now: dt.datetime | None = None) -> QuotaStatus:
    """What ``student`` has left for ``assignment`` now."""
    with Session(gradebook.engine) as session:
        ex = session.scalars(select(Exercise).filter_by(name=assignment.id)).first()
        st = session.scalars(select(Student).filter_by(name=student)).first()
        times = counted_times(session, ex.id, st.id) if ex is not None and st is not None else []
    return quota_status(assignment.quota, times, now or queue.now_utc())


def _keep_copy(kept: Path, data: bytes) -> None:
    """Write the submission where ``judge grade`` keeps files. Only a copy for readers on this
    machine: the durable bytes are the gradebook's (``submission_files``), so no fsync here."""
    if kept.is_file() and kept.stat().st_size == len(data):
        return
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f".{kept.name}.{os.getpid()}.{uuid.uuid4().hex}.partial")
    partial.write_bytes(data)
    partial.replace(kept)


def accept(gradebook: Gradebook, *, assignment: AssignmentSpec, student: str, data: bytes, original_name: str,
           channel: str, now: dt.datetime | None = None) -> Accepted:
    """Store ``data`` as ``student``'s submission for ``assignment`` and queue its grading.

    Raises :class:`IntakeError` (nothing stored in the gradebook) for a bad file or an exhausted quota."""
    check_upload(assignment, data, original_name)
    sha256 = hashlib.sha256(data).hexdigest()
    kept = gradebook.files_dir / assignment.id / student / f"{sha256}{suffix_for(original_name)}"
    postgres = gradebook.engine.dialect.name == "postgresql"
    with _sqlite_writer if not postgres else contextlib.nullcontext(), gradebook.engine.begin() as conn:
        ex_id = _exercise_id(conn, gradebook.url, assignment)
        st_id = _student_id(conn, gradebook.url, student)
        if postgres:  # one intake at a time per student: the quota is counted and spent atomically
            conn.execute(select(Student.id).where(Student.id == st_id).with_for_update())
        moment = (now or queue.now_utc()).astimezone(dt.UTC)
        times = counted_times(conn, ex_id, st_id)
        existing = conn.execute(select(SubmissionRow.id, SubmissionRow.submitted_at).where(
            SubmissionRow.exercise_id == ex_id, SubmissionRow.student_id == st_id, SubmissionRow.sha256 == sha256,
        )).first()
        if existing is not None:
            return Accepted(existing[0], None, True, _aware(existing[1]), quota_status(assignment.quota, times, moment))
        status = quota_status(assignment.quota, times, moment)
        if not status.allowed:
            raise IntakeError(status.reason, 429, status)
        sub_id = conn.execute(insert(SubmissionRow).values(
            exercise_id=ex_id, student_id=st_id, sha256=sha256, submitted_at=moment, path=str(kept),
            original_name=original_name[:MAX_NAME_CHARS], channel=channel,
        ).returning(SubmissionRow.id)).scalar_one()
        conn.execute(insert(SubmissionFile).values(submission_id=sub_id, data=data))
        job_id = conn.execute(insert(Job).values(
            submission_id=sub_id, exercise=assignment.id, state="queued", enqueued_at=moment, claims=0,
        ).returning(Job.id)).scalar_one()
    with contextlib.suppress(OSError):  # workers and readers fall back to the gradebook's bytes
        _keep_copy(kept, data)
    after = quota_status(assignment.quota, [*times, moment], moment)
    return Accepted(int(sub_id), int(job_id), False, moment, after)


#: (database URL, name) -> row id: exercises and students are never deleted or renamed
_ids: dict[tuple[str, str, str], int] = {}


def _exercise_id(conn: Connection, url: str, assignment: AssignmentSpec) -> int:
    key = (url, "exercise", assignment.id)
    if key not in _ids:
        found = conn.execute(select(Exercise.id).where(Exercise.name == assignment.id)).scalar()
        if found is None:
            found = _insert_once(conn, insert(Exercise).values(name=assignment.id, title=assignment.title,
                                                               checks_hash="", points=assignment.points),
                                 select(Exercise.id).where(Exercise.name == assignment.id))
        _ids[key] = int(found)
    return _ids[key]


def _student_id(conn: Connection, url: str, student: str) -> int:
    key = (url, "student", student)
    if key not in _ids:
        found = conn.execute(select(Student.id).where(Student.name == student)).scalar()
        if found is None:
            found = _insert_once(conn, insert(Student).values(name=student), select(Student.id).where(
                Student.name == student))
        _ids[key] = int(found)
    return _ids[key]


def _insert_once(conn: Connection, statement: Any, again: Any) -> int:
    """Insert a row another server may be inserting at the same moment; return its id either way."""
    try:
        with conn.begin_nested():
            conn.execute(statement)
    except IntegrityError:
        pass
    return int(conn.execute(again).scalar_one())


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
