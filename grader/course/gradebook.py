"""The gradebook: students, exercises, submissions and results in SQL (SQLAlchemy 2, SQLite by default).

A batch commits its results in small groups as they arrive (:mod:`grader.course.group_commit`).
``UNIQUE(submission_id, checks_hash)`` on results and ``UNIQUE(exercise_id, student_id, sha256)`` on
submissions make a rerun after a crash (even ``kill -9``) end with exactly one result per submission.
Exports and reports read ``Record``s, which carry a ``Grade``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from grader import __version__
from grader.core.values import Grade
from grader.course import migrate
from grader.course.schema import Exercise, Meta, ResultRow, Student, SubmissionRow

#: What ``meta.schema_version`` said before migrations; kept for older judges that read it.
SCHEMA_VERSION = 1


class GradebookError(Exception):
    """A gradebook that cannot be used: unreachable, another schema, another judge version."""


@dataclass(frozen=True)
class LatePolicy:
    due: dt.datetime | None = None
    penalty_per_day: float = 0.0

    def apply(self, submitted_at: dt.datetime, score: float) -> tuple[float, int, float]:
        """(score after penalty, whole days late — a started day counts —, fraction taken off)."""
        if self.due is None or submitted_at <= self.due:
            return score, 0, 0.0
        days = math.ceil((submitted_at - self.due) / dt.timedelta(days=1))
        fraction = min(1.0, days * self.penalty_per_day)
        return round(score * (1 - fraction), 6), days, fraction


@dataclass(frozen=True)
class NewResult:
    """A grade to record: its submission, the checks it was graded with, the late policy to apply."""

    submission_id: int
    checks_hash: str
    grade: Grade
    policy: LatePolicy


@dataclass(frozen=True)
class Record:
    """One graded submission as exports and reports see it."""

    student: str
    exercise: str
    submitted_at: dt.datetime
    sha256: str
    path: str
    grade: Grade
    score: float
    late_days: int
    penalty: float


def default_url(course: Path) -> str:
    return f"sqlite:///{(Path(course) / 'gradebook.sqlite').resolve()}"


def as_utc(moment: dt.datetime) -> dt.datetime:
    """``moment`` in UTC (a naive one, as SQLite gives it back, is taken as UTC)."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class Gradebook:
    """One gradebook (a database URL) and where submitted files are kept (``files_dir``)."""

    def __init__(self, url: str, files_dir: Path) -> None:
        self.url = url
        self.files_dir = Path(files_dir)
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = create_engine(url)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise GradebookError(f"cannot use the gradebook {url}: {exc}") from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        try:
            with self.engine.begin() as conn:
                if conn.dialect.name == "postgresql":  # one process creates the schema, the others wait
                    conn.execute(text("select pg_advisory_xact_lock(7102510)"))
                self._check_schema(conn)
                with Session(conn) as session:
                    self._check_versions(session)
        except OperationalError as exc:
            raise GradebookError(
                f"{url}: not a gradebook this judge can use ({exc.orig}); "
                "it may come from another version of the judge: use another --db"
            ) from exc

    def _check_schema(self, conn: Any) -> None:
        """Create a new gradebook at the newest revision; refuse (never change) an older or newer one."""
        state, revision = migrate.state_of(conn)
        if state is migrate.SchemaState.EMPTY:
            migrate.upgrade(conn)
        elif state in (migrate.SchemaState.LEGACY, migrate.SchemaState.BEHIND):
            raise GradebookError(
                f"{self._shown_url}: this gradebook has an older schema (revision "
                f"{revision or 'from before migrations'}, this judge needs {migrate.HEAD}): back it up, then run "
                "`judge db upgrade --db URL` (or `--course DIR`)"
            )
        elif state is migrate.SchemaState.UNKNOWN:
            raise GradebookError(
                f"{self._shown_url}: gradebook schema revision {revision or '(unknown)'} is not one this judge "
                f"(mljudge {__version__}, revision {migrate.HEAD}) knows: a newer judge wrote it; use that judge "
                "or another --db"
            )

    @property
    def _shown_url(self) -> str:
        from sqlalchemy import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    def _check_versions(self, session: Session) -> None:
        meta = {m.key: m.value for m in session.scalars(select(Meta))}
        if not meta:
            session.add_all([Meta(key="schema_version", value=str(SCHEMA_VERSION)),
                             Meta(key="judge_version", value=__version__)])
            session.commit()
            meta = {"schema_version": str(SCHEMA_VERSION), "judge_version": __version__}
        self.judge_version = meta.get("judge_version", "")

    def check_judge_version(self, *, regrade: bool) -> None:
        """Grading into a gradebook written by another judge version needs ``--regrade``."""
        if self.judge_version == __version__:
            return
        if not regrade:
            raise GradebookError(
                f"{self.url}: this gradebook was written by mljudge {self.judge_version}, this is mljudge "
                f"{__version__}. Its results would not be comparable: pass --regrade to grade everything "
                "again with this version, or use another --db."
            )
        with Session(self.engine) as session:
            session.merge(Meta(key="judge_version", value=__version__))
            session.commit()
        self.judge_version = __version__

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ------------------------------------------------------------------------------

    def _get_or_create(self, session: Session, model: type[Any], **keys: Any) -> Any:
        row = session.scalars(select(model).filter_by(**keys)).first()
        if row is None:
            row = model(**keys)
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                row = session.scalars(select(model).filter_by(**keys)).one()
        return row

    def ensure_exercise(self, name: str, *, title: str, checks_hash: str, points: float) -> None:
        with Session(self.engine) as session:
            row = self._get_or_create(session, Exercise, name=name)
            row.title, row.checks_hash, row.points = title, checks_hash, points
            session.commit()

    def keep_copy(self, exercise: str, student: str, sha256: str, source: Path) -> Path:
        """The gradebook's own copy of a submitted file (made once; OSError if it cannot be)."""
        kept = self.files_dir / exercise / student / f"{sha256}{source.suffix}"
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            partial = kept.with_name(f"{kept.name}.{os.getpid()}.{uuid.uuid4().hex}.partial")  # a writer each
            shutil.copyfile(source, partial)
            partial.replace(kept)
        return kept

    def add_submission(self, *, exercise: str, student: str, sha256: str, submitted_at: dt.datetime,
                       source: Path) -> int:
        """Record the submission (idempotent) and keep a copy of its file; return its id."""
        kept = self.keep_copy(exercise, student, sha256, source)
        with Session(self.engine) as session:
            ex = self._get_or_create(session, Exercise, name=exercise)
            st = self._get_or_create(session, Student, name=student)
            row = session.scalars(
                select(SubmissionRow).filter_by(exercise_id=ex.id, student_id=st.id, sha256=sha256)
            ).first()
            if row is None:
                row = SubmissionRow(exercise_id=ex.id, student_id=st.id, sha256=sha256,
                                    submitted_at=as_utc(submitted_at), path=str(kept))
                session.add(row)
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    row = session.scalars(
                        select(SubmissionRow).filter_by(exercise_id=ex.id, student_id=st.id, sha256=sha256)
                    ).one()
            return int(row.id)

    def has_result(self, submission_id: int, checks_hash: str) -> bool:
        with Session(self.engine) as session:
            found = session.scalars(
                select(ResultRow.id).filter_by(submission_id=submission_id, checks_hash=checks_hash)
            ).first()
            return found is not None

    def record(self, submission_id: int, checks_hash: str, grade: Grade, policy: LatePolicy) -> None:
        """Insert or replace the result of ``submission_id`` under ``checks_hash``; committed at once."""
        self.record_many([NewResult(submission_id, checks_hash, grade, policy)])

    def record_many(self, results: Sequence[NewResult]) -> None:
        """Insert or replace several results in one transaction (a batch's group commit): two
        queries and one commit for the group, not three and one per result."""
        if not results:
            return
        ids = sorted({r.submission_id for r in results})
        for attempt in range(2):
            with Session(self.engine) as session:
                subs = {row.id: row for row in session.scalars(select(SubmissionRow).where(SubmissionRow.id.in_(ids)))}
                missing = [i for i in ids if i not in subs]
                if missing:
                    raise GradebookError(f"no submission {missing[0]} in {self.url}")
                rows = {(row.submission_id, row.checks_hash): row
                        for row in session.scalars(select(ResultRow).where(ResultRow.submission_id.in_(ids)))}
                try:
                    for result in results:
                        _stage(session, subs[result.submission_id], rows, result)
                    session.commit()
                    return
                except IntegrityError:  # another writer recorded one of them first: replace theirs
                    session.rollback()
                    if attempt:
                        raise

    # -- reading ------------------------------------------------------------------------------

    def records(self, exercise: str, *, checks_hash: str | None = None) -> list[Record]:
        """The latest graded submission of each student for ``exercise`` (under ``checks_hash`` if
        given, else the latest result of each)."""
        latest: dict[str, Record] = {}
        for record in self._iter_records(exercise, checks_hash):
            current = latest.get(record.student)
            if current is None or (record.submitted_at, record.sha256) >= (current.submitted_at, current.sha256):
                latest[record.student] = record
        return [latest[s] for s in sorted(latest)]

    def _iter_records(self, exercise: str, checks_hash: str | None) -> Iterator[Record]:
        with Session(self.engine) as session:
            query = (
                select(ResultRow, SubmissionRow, Student.name)
                .join(SubmissionRow, ResultRow.submission_id == SubmissionRow.id)
                .join(Exercise, SubmissionRow.exercise_id == Exercise.id)
                .join(Student, SubmissionRow.student_id == Student.id)
                .where(Exercise.name == exercise)
                .order_by(ResultRow.graded_at)
            )
            if checks_hash is not None:
                query = query.where(ResultRow.checks_hash == checks_hash)
            seen: dict[int, Record] = {}
            for result, sub, student in session.execute(query):
                seen[sub.id] = Record(
                    student=student, exercise=exercise, submitted_at=as_utc(sub.submitted_at), sha256=sub.sha256,
                    path=sub.path, grade=Grade.from_dict(result.grade), score=result.score,
                    late_days=result.late_days, penalty=result.penalty,
                )
            yield from seen.values()


def stage_result(session: Session, submission_id: int, checks_hash: str, grade: Grade,
                 policy: LatePolicy) -> ResultRow:
    """Add (or update) the result row of ``submission_id`` under ``checks_hash`` in ``session``,
    flushed but not committed: the caller commits it with whatever else belongs to it."""
    sub = session.get(SubmissionRow, submission_id)
    if sub is None:
        raise GradebookError(f"no submission {submission_id}")
    found = session.scalars(select(ResultRow).filter_by(submission_id=submission_id, checks_hash=checks_hash)).first()
    rows = {} if found is None else {(submission_id, checks_hash): found}
    row = _stage(session, sub, rows, NewResult(submission_id, checks_hash, grade, policy))
    session.flush()
    return row


def _stage(session: Session, sub: SubmissionRow, rows: dict[tuple[int, str], ResultRow],
           result: NewResult) -> ResultRow:
    """Add ``result`` to ``session`` as a new row, or as new values of its row in ``rows`` (which it joins)."""
    grade = result.grade
    score, days, fraction = result.policy.apply(as_utc(sub.submitted_at), grade.score)
    data = grade.to_dict()
    values = dict(
        score=score, raw_score=grade.score, max_score=grade.max_score, late_days=days, penalty=fraction,
        verdict=grade.verdict.value, status=grade.status, checks=data["checks"],
        resources=data["resources"], grade=json.loads(json.dumps(data, default=str)),
        judge_version=grade.judge_version or __version__, graded_at=dt.datetime.now(dt.UTC),
    )
    key = (result.submission_id, result.checks_hash)
    row = rows.get(key)
    if row is None:
        row = rows[key] = ResultRow(submission_id=result.submission_id, checks_hash=result.checks_hash, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return row


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def upgrade_gradebook(url: str) -> tuple[str | None, str]:
    """Migrate the gradebook at ``url`` to the newest schema (``judge db upgrade``); return the
    revisions (before, after). An empty database is created; nothing is ever dropped."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise GradebookError(f"cannot use the gradebook {url}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("select pg_advisory_xact_lock(7102510)"))
            return migrate.upgrade(conn)
    except ValueError as exc:
        raise GradebookError(f"{url}: {exc}") from exc
    except OperationalError as exc:
        raise GradebookError(f"{url}: cannot upgrade ({exc.orig})") from exc
    finally:
        engine.dispose()
