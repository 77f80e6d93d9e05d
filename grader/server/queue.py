"""The durable grading queue, in the gradebook's ``jobs`` table.

A job is ``queued`` until a worker claims it: the claim sets ``running``, a fresh ``claim_token`` and
a lease (``lease_until``) that the worker renews while it grades. A job whose lease ran out (its
worker died) is claimable again. Finishing checks the token in the same transaction that writes
the result, so a worker that lost its lease cannot record anything: every job ends with exactly one
result row. One SQL statement claims (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)
RETURNING`` on PostgreSQL; SQLite has one writer at a time), so two workers never claim one job.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, and_, func, or_, select, update
from sqlalchemy.orm import Session

from grader.core.values import Grade
from grader.course.gradebook import LatePolicy, stage_result
from grader.course.schema import Exercise, Job, SubmissionRow, WorkerRow

#: How many times a job is claimed before the judge gives up on it (a judge error, not a zero).
MAX_CLAIMS = 3


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Claim:
    """A job a worker holds: grade ``path`` for ``exercise`` and finish with ``token``."""

    job_id: int
    submission_id: int
    exercise: str
    token: str
    claims: int
    student: str
    path: str
    sha256: str


@dataclass(frozen=True)
class WorkerStatus:
    name: str
    host: str
    slots: int
    busy: int
    heartbeat_at: dt.datetime
    alive: bool


@dataclass(frozen=True)
class QueueStats:
    queued: int
    running: int
    done: int
    workers: tuple[WorkerStatus, ...]


def enqueue(session: Session, submission_id: int, exercise: str, *, at: dt.datetime | None = None) -> Job:
    """Add a job for ``submission_id`` to ``session`` (committed with the caller's transaction)."""
    job = Job(submission_id=submission_id, exercise=exercise, state="queued", enqueued_at=at or now_utc(), claims=0)
    session.add(job)
    session.flush()
    return job


def _claimable(moment: dt.datetime) -> ColumnElement[bool]:
    return or_(Job.state == "queued", and_(Job.state == "running", Job.lease_until < moment))


def claim(engine: Engine, worker: str, limit: int, lease_seconds: float) -> list[Claim]:
    """Claim up to ``limit`` jobs, oldest first, for ``worker``, leased for ``lease_seconds``."""
    if limit < 1:
        return []
    moment = now_utc()
    token = secrets.token_hex(16)
    picked = select(Job.id).where(_claimable(moment)).order_by(Job.id).limit(limit)
    if engine.dialect.name == "postgresql":
        picked = picked.with_for_update(skip_locked=True)
    statement = (
        update(Job).where(Job.id.in_(picked.scalar_subquery())).where(_claimable(moment))
        .values(state="running", worker=worker, claim_token=token, claimed_at=moment,
                lease_until=moment + dt.timedelta(seconds=lease_seconds), claims=Job.claims + 1)
        .returning(Job.id, Job.submission_id, Job.exercise, Job.claims)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as session:
        if session.scalar(select(Job.id).where(_claimable(moment)).limit(1)) is None:
            return []  # nothing to claim: no write (an idle worker never takes SQLite's write lock)
        session.rollback()
        rows = list(session.execute(statement))
        session.commit()
        claims = []
        for job_id, submission_id, exercise, count in sorted(rows):
            sub = session.get(SubmissionRow, submission_id)
            assert sub is not None  # a job's submission is never deleted (foreign key)
            claims.append(Claim(job_id, submission_id, exercise, token, count, sub.student.name, sub.path, sub.sha256))
    return claims


def renew(engine: Engine, worker: str, held: Sequence[Claim], lease_seconds: float) -> set[int]:
    """Extend the leases of the jobs ``worker`` still holds; return the ids of those it lost."""
    if not held:
        return set()
    until = now_utc() + dt.timedelta(seconds=lease_seconds)
    lost = set()
    with Session(engine) as session:
        for item in held:
            result = session.execute(
                update(Job).where(Job.id == item.job_id, Job.claim_token == item.token, Job.state == "running")
                .values(lease_until=until).execution_options(synchronize_session=False))
            if result.rowcount != 1:  # type: ignore[attr-defined]
                lost.add(item.job_id)
        session.commit()
    return lost


def finish(engine: Engine, held: Claim, checks_hash: str, grade: Grade, policy: LatePolicy) -> bool:
    """Record ``grade`` and mark the job done, in one transaction, only if ``held`` still owns the job."""
    with Session(engine) as session:
        query = select(Job).where(Job.id == held.job_id)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update()
        job = session.scalars(query).one()
        if job.state != "running" or job.claim_token != held.token:
            return False
        row = stage_result(session, held.submission_id, checks_hash, grade, policy)
        job.state, job.finished_at, job.result_id, job.lease_until = "done", now_utc(), row.id, None
        session.commit()
        return True


def release(engine: Engine, held: Claim) -> bool:
    """Give a job back to the queue (the worker is stopping before it could grade it)."""
    with Session(engine) as session:
        result = session.execute(
            update(Job).where(Job.id == held.job_id, Job.claim_token == held.token, Job.state == "running")
            .values(state="queued", worker=None, claim_token=None, lease_until=None)
            .execution_options(synchronize_session=False))
        session.commit()
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def position(session: Session, job: Job) -> int:
    """How many claimable jobs are ahead of ``job`` (0: next)."""
    return int(session.scalar(select(func.count()).select_from(Job).where(Job.state == "queued", Job.id < job.id))
               or 0)


def regrade(engine: Engine, exercise: str, submission_ids: Sequence[int] | None = None) -> int:
    """Queue a new grading of the given submissions (default: every submission of ``exercise`` that
    has no job waiting or running); return how many were queued."""
    with Session(engine) as session:
        query = select(SubmissionRow.id).join(Exercise).where(Exercise.name == exercise)
        if submission_ids is not None:
            query = query.where(SubmissionRow.id.in_(list(submission_ids)))
        pending = select(Job.submission_id).where(Job.state.in_(("queued", "running")))
        ids = list(session.scalars(query.where(SubmissionRow.id.not_in(pending)).order_by(SubmissionRow.id)))
        moment = now_utc()
        for submission_id in ids:
            enqueue(session, submission_id, exercise, at=moment)
        session.commit()
        return len(ids)


def heartbeat(engine: Engine, *, name: str, host: str, pid: int, slots: int, busy: int) -> None:
    """Say that worker ``name`` is alive (and how busy)."""
    moment = now_utc()
    with Session(engine) as session:
        row = session.get(WorkerRow, name)
        if row is None:
            session.add(WorkerRow(name=name, host=host, pid=pid, slots=slots, busy=busy, started_at=moment,
                                  heartbeat_at=moment))
        else:
            row.slots, row.busy, row.heartbeat_at = slots, busy, moment
        session.commit()


def stats(engine: Engine, *, exercise: str | None = None, alive_within: float = 60.0) -> QueueStats:
    """The queue's backlog, what runs, what is done, and the workers seen lately."""
    with Session(engine) as session:
        query = select(Job.state, func.count()).group_by(Job.state)
        if exercise is not None:
            query = query.where(Job.exercise == exercise)
        counts = {state: count for state, count in session.execute(query)}
        cutoff = now_utc() - dt.timedelta(seconds=alive_within)
        workers = tuple(
            WorkerStatus(w.name, w.host, w.slots, w.busy, _aware(w.heartbeat_at), _aware(w.heartbeat_at) >= cutoff)
            for w in session.scalars(select(WorkerRow).order_by(WorkerRow.heartbeat_at.desc()).limit(50))
        )
    return QueueStats(int(counts.get("queued", 0)), int(counts.get("running", 0)), int(counts.get("done", 0)), workers)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
