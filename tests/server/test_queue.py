"""The durable queue and the worker: claims never overlap, leases run out, a stale worker cannot
record, every job ends with one result, and a worker's grades equal a batch's."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grader.core.assignment import checks_hash, get_assignment
from grader.course.batch import grade_task
from grader.course.gradebook import Gradebook, GradebookError, LatePolicy
from grader.course.schema import Job, ResultRow
from grader.server import intake, queue
from grader.server.worker import QueueWorker, WorkerSettings
from tests.conftest import REPO

METRICS = get_assignment("metrics", REPO)
REFERENCE = (REPO / "solutions" / "metrics" / "solution.py").read_bytes()
EXAMPLES = {p.name: (p / "solution.py").read_bytes() for p in sorted((METRICS.root / "examples").iterdir())
            if p.name != "infinite-loop"}


def _book(tmp_path: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{tmp_path / 'gradebook.sqlite'}", tmp_path / "files")


def _accept(book: Gradebook, student: str, data: bytes, name: str = "solution.py") -> intake.Accepted:
    return intake.accept(book, assignment=METRICS, student=student, data=data, original_name=name, channel="api")


def test_claims_never_overlap_and_every_job_is_claimed_once(tmp_path: Path) -> None:
    book = _book(tmp_path)
    for i in range(60):
        _accept(book, f"s{i:02d}", REFERENCE + f"\n# {i}\n".encode())
    seen: list[int] = []
    lock = threading.Lock()

    def claimer(name: str) -> None:
        while True:
            got = queue.claim(book.engine, name, 3, lease_seconds=60)
            if not got:
                return
            with lock:
                seen.extend(c.job_id for c in got)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 60


def test_an_expired_lease_is_claimed_again_and_the_old_worker_cannot_record(tmp_path: Path) -> None:
    book = _book(tmp_path)
    _accept(book, "alice", REFERENCE)
    [first] = queue.claim(book.engine, "dead", 1, lease_seconds=60)
    assert queue.claim(book.engine, "other", 1, lease_seconds=60) == []  # held
    with Session(book.engine) as session:  # the dead worker's lease runs out
        session.execute(update(Job).values(lease_until=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        session.commit()
    [second] = queue.claim(book.engine, "other", 1, lease_seconds=60)
    assert second.job_id == first.job_id and second.token != first.token and second.claims == 2
    assert queue.renew(book.engine, "dead", [first], 60) == {first.job_id}  # the old worker learns it lost it
    grade = grade_task(str(METRICS.root), "process", first.path, first.sha256, first.student)
    policy = LatePolicy()
    assert not queue.finish(book.engine, first, checks_hash(METRICS), grade, policy)
    with Session(book.engine) as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 0
    assert queue.finish(book.engine, second, checks_hash(METRICS), grade, policy)
    assert not queue.finish(book.engine, second, checks_hash(METRICS), grade, policy)  # done once
    with Session(book.engine) as session:
        assert session.scalar(select(func.count()).select_from(ResultRow)) == 1
        assert session.scalars(select(Job.state)).all() == ["done"]


def test_regrade_queues_what_has_no_pending_job(tmp_path: Path) -> None:
    book = _book(tmp_path)
    for i in range(3):
        _accept(book, f"s{i}", REFERENCE + f"#{i}".encode())
    assert queue.regrade(book.engine, "metrics") == 0  # all three still queued
    for held in queue.claim(book.engine, "w", 3, 60):
        grade = grade_task(str(METRICS.root), "process", held.path, held.sha256, held.student)
        assert queue.finish(book.engine, held, checks_hash(METRICS), grade, LatePolicy())
    assert queue.regrade(book.engine, "metrics") == 3
    assert queue.stats(book.engine).queued == 3


def test_the_worker_grades_the_queue_like_a_batch(tmp_path: Path) -> None:
    book = _book(tmp_path)
    accepted = {name: _accept(book, name, data) for name, data in {"reference": REFERENCE, **EXAMPLES}.items()}
    worker = QueueWorker(book, WorkerSettings(slots=2, sandbox="auto", home=REPO, lease_seconds=30), b"k" * 32)
    assert worker.run(threading.Event(), exit_when_idle=True) == len(accepted)
    from grader.server.status import attempt

    for name, item in accepted.items():
        status = attempt(book.engine, item.submission_id)
        assert status is not None and status.state == "graded" and status.record is not None
        path = book.files_dir / "metrics" / name
        [kept] = list(path.iterdir())
        direct = grade_task(str(METRICS.root), "process", str(kept), status.record.sha256, name, b"k" * 32)
        assert status.record.grade.score == direct.score, name
        assert [c.outcome for c in status.record.grade.checks] == [c.outcome for c in direct.checks], name
    assert queue.stats(book.engine).done == len(accepted) and queue.stats(book.engine).queued == 0


def test_an_exercise_no_worker_can_load_is_a_judge_error_that_uses_no_quota(tmp_path: Path) -> None:
    book = _book(tmp_path)
    item = _accept(book, "alice", REFERENCE)
    with Session(book.engine) as session:  # the job names an exercise no worker can load
        session.execute(update(Job).values(exercise="no-such-exercise"))
        session.commit()
    worker = QueueWorker(book, WorkerSettings(slots=1, home=REPO), b"k" * 32)
    worker.run(threading.Event(), exit_when_idle=True)
    from grader.server.status import attempt

    status = attempt(book.engine, item.submission_id)
    assert status is not None and status.state == "judge_error"
    assert "cannot load the exercise" in status.record.grade.notes[0]  # type: ignore[union-attr]
    assert intake.quota_of(book, METRICS, "alice").used == 0


def test_an_old_gradebook_is_refused_until_db_upgrade_keeps_its_data(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from grader.cli import cli

    db = tmp_path / "old.sqlite"
    with sqlite3.connect(db) as con:  # the schema `judge grade` wrote before migrations, with a result
        con.executescript("""
        create table meta (key varchar(64) primary key, value varchar(256));
        create table students (id integer primary key, name varchar(128) unique);
        create table exercises (id integer primary key, name varchar(128) unique, title varchar(256),
                                checks_hash varchar(64), points float);
        create table submissions (id integer primary key, exercise_id integer references exercises(id),
            student_id integer references students(id), sha256 varchar(64), submitted_at datetime, path text,
            constraint uq_submission unique (exercise_id, student_id, sha256));
        create table results (id integer primary key, submission_id integer references submissions(id),
            checks_hash varchar(64), score float, raw_score float, max_score float, late_days integer,
            penalty float, verdict varchar(32), status varchar(16), checks json, resources json, grade json,
            judge_version varchar(32), graded_at datetime, constraint uq_result unique (submission_id, checks_hash));
        insert into meta values ('schema_version', '1'), ('judge_version', '0.1.0');
        insert into students values (1, 'alice');
        insert into exercises values (1, 'metrics', 'M', 'abc', 10);
        insert into submissions values (1, 1, 1, 'f00', '2026-11-01 10:00:00.000000', '/x/solution.py');
        """)
    url = f"sqlite:///{db}"
    with pytest.raises(GradebookError, match="judge db upgrade"):
        Gradebook(url, tmp_path / "files")
    result = CliRunner().invoke(cli, ["db", "upgrade", "--db", url])
    from grader.course.migrate import HEAD

    assert result.exit_code == 0 and f"upgraded from 0001 to schema revision {HEAD}" in result.output, result.output
    again = CliRunner().invoke(cli, ["db", "upgrade", "--db", url])
    assert again.exit_code == 0 and "already at" in again.output
    book = Gradebook(url, tmp_path / "files")
    with Session(book.engine) as session:
        from grader.course.schema import SubmissionRow

        [sub] = session.scalars(select(SubmissionRow)).all()
        assert (sub.sha256, sub.student.name, sub.channel, sub.original_name) == ("f00", "alice", "batch", "")


def test_head_is_the_newest_migration() -> None:
    from alembic.script import ScriptDirectory

    from grader.course import migrate

    scripts = ScriptDirectory(str(Path(migrate.__file__).with_name("migrations")))
    assert scripts.get_current_head() == migrate.HEAD


def test_the_revision_is_read_as_alembic_reads_it(tmp_path: Path) -> None:
    """Opening a gradebook reads its revision without Alembic; the answer is Alembic's own."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine

    from grader.course import migrate

    engine = create_engine(f"sqlite:///{tmp_path / 'g.sqlite'}")
    try:
        seen = []
        for step in ("empty", "made", "stamped older"):
            with engine.begin() as conn:
                if step == "made":
                    migrate.upgrade(conn)
                elif step == "stamped older":
                    from alembic import command

                    command.stamp(migrate.config(conn), migrate.LEGACY)
                seen.append((migrate.revision_of(conn), MigrationContext.configure(conn).get_current_revision()))
        assert seen == [(None, None), (migrate.HEAD, migrate.HEAD), (migrate.LEGACY, migrate.LEGACY)]
    finally:
        engine.dispose()


def test_a_worker_on_another_machine_grades_from_the_gradebooks_copy(tmp_path: Path) -> None:
    """Workers elsewhere share only the database: the server's files folder is not theirs."""
    server = _book(tmp_path)
    item = _accept(server, "alice", REFERENCE)
    for kept in (server.files_dir / "metrics" / "alice").iterdir():
        kept.unlink()  # not on the worker's machine
    elsewhere = Gradebook(server.url, tmp_path / "elsewhere" / "files")
    QueueWorker(elsewhere, WorkerSettings(slots=1, home=REPO), b"k" * 32).run(threading.Event(), exit_when_idle=True)
    from grader.server.status import attempt

    status = attempt(server.engine, item.submission_id)
    assert status is not None and status.state == "graded" and status.record is not None
    assert status.record.grade.score == METRICS.points
    assert [p.name for p in (tmp_path / "elsewhere" / "files" / "metrics" / "alice").iterdir()] == [
        f"{status.record.sha256}.py"]
