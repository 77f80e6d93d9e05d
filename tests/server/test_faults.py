"""The course server under faults, with real processes on PostgreSQL: 300 submissions from 60
students in bursts; ``kill -9`` of the server and of one of two workers while they run; restarts.
Every acknowledged submission ends graded exactly once, none is lost, the queue drains, and the
grades equal a batch ``judge grade`` of the same files."""

from __future__ import annotations

import concurrent.futures as cf
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from grader.course.gradebook import Gradebook
from tests.conftest import REPO
from tests.server.serverproc import free_port, start_server, start_worker, students_with_tokens, upload

EXERCISE = "metrics"
SOURCES = {
    "reference": REPO / "solutions" / EXERCISE / "solution.py",
    **{p.name: p / "solution.py" for p in sorted((REPO / "assignments" / EXERCISE / "examples").iterdir())
       if p.name != "infinite-loop"},
}
KINDS = sorted(SOURCES)
STUDENTS = 60
BURSTS = 5


def _content(kind: str, student: str, burst: int) -> bytes:
    return SOURCES[kind].read_bytes() + f"\n# {student}, attempt {burst}\n".encode()


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as con:
            return [tuple(r) for r in con.execute(text(sql))]
    finally:
        engine.dispose()


def _drained(url: str, acked: set[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = _rows(url, "select count(*) from jobs where state <> 'done'")[0][0]
        graded = {r[0] for r in _rows(url, "select distinct submission_id from results")}
        if pending == 0 and acked <= graded:
            return
        time.sleep(1)
    raise AssertionError(f"the queue did not drain in {timeout} s: {pending} jobs pending, "
                         f"{len(acked - graded)} acknowledged submissions without a result")


def _wait_until_grading(url: str, worker: str, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _rows(url, f"select count(*) from jobs where state = 'running' and worker = '{worker}'")[0][0]:
            return
        time.sleep(0.05)
    states = _rows(url, "select state, worker, count(*) from jobs group by state, worker order by 1, 2")
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else "(no log)"
    raise AssertionError(f"worker {worker} never started grading; jobs (state, worker, count): {states}\n"
                         f"its log ends:\n{tail}")


class _Uploads:
    """Acknowledged uploads: submission id -> (student, kind); what failed is sent again later."""

    def __init__(self, base: str, tokens: dict[str, str]) -> None:
        self.base, self.tokens = base, tokens
        self.acked: dict[int, tuple[str, str]] = {}
        self.failed: list[tuple[str, str, int]] = []
        self.lock = threading.Lock()
        self.acks = threading.Semaphore(0)

    def send(self, student: str, kind: str, burst: int) -> None:
        try:
            with httpx.Client(timeout=30) as client:
                reply = upload(client, self.base, EXERCISE, self.tokens[student], f"{kind}.py",
                               _content(kind, student, burst))
        except httpx.HTTPError:
            reply = None
        with self.lock:
            if reply is not None and reply.status_code in (200, 201):
                self.acked[int(reply.json()["submission_id"])] = (student, kind)
                self.acks.release()
            else:
                assert reply is None or reply.status_code >= 500, reply.text  # only the kill may refuse one
                self.failed.append((student, kind, burst))

    def burst(self, burst: int, pool: cf.Executor) -> list[cf.Future[None]]:
        return [pool.submit(self.send, student, KINDS[(i + burst) % len(KINDS)], burst)
                for i, student in enumerate(sorted(self.tokens))]


@pytest.mark.slow
def test_kill_9_of_the_server_and_a_worker_loses_nothing_and_grades_each_once(pg_url: str, tmp_path: Path) -> None:
    course = tmp_path / "course"
    tokens = students_with_tokens(pg_url, course, STUDENTS)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    server = start_server(course=course, db=pg_url, home=REPO, port=port, workers=0, log=logs / "server.log")
    workers = [start_worker(course=course, db=pg_url, home=REPO, slots=1, log=logs / f"w{i}.log", name=f"w{i}")
               for i in range(2)]
    uploads = _Uploads(base, tokens)
    try:
        with cf.ThreadPoolExecutor(16) as pool:
            for burst in range(BURSTS):
                futures = uploads.burst(burst, pool)
                if burst == 1:  # one worker dies mid-grading
                    _wait_until_grading(pg_url, "w0", logs / "w0.log")
                    workers[0].kill9()
                if burst == 2:  # the server dies with uploads in flight, and comes back
                    for _ in range(20):
                        assert uploads.acks.acquire(timeout=60)
                    server.kill9()
                    cf.wait(futures)
                    server = start_server(course=course, db=pg_url, home=REPO, port=port, workers=0,
                                          log=logs / "server.log")
                cf.wait(futures)
                for future in futures:
                    future.result()
                if burst == 3:  # the dead worker comes back
                    workers[0] = start_worker(course=course, db=pg_url, home=REPO, slots=1, log=logs / "w0.log",
                                              name="w0-again")
            retry, uploads.failed = uploads.failed, []
            for future in [pool.submit(uploads.send, *item) for item in retry]:
                future.result()
        assert uploads.failed == [], uploads.failed
        _drained(pg_url, set(uploads.acked), timeout=900)
    finally:
        for proc in (server, *workers):
            proc.stop()
    # every acknowledged submission is there, once, with exactly one result, and every job is done
    acked = uploads.acked
    assert len(acked) == STUDENTS * BURSTS
    per_submission = dict(_rows(pg_url, "select submission_id, count(*) from results group by submission_id"))
    assert {sid: per_submission.get(sid) for sid in acked} == dict.fromkeys(acked, 1)
    assert _rows(pg_url, "select count(*) from submissions") == [(STUDENTS * BURSTS,)]
    assert _rows(pg_url, "select state, count(*) from jobs group by state") == [("done", STUDENTS * BURSTS)]
    # the worker's kill -9 happened while it held a job: that job was claimed again
    assert _rows(pg_url, "select max(claims) from jobs")[0][0] >= 2
    # grades equal a batch `judge grade` of the same files (the grade depends on the kind, not the comment)
    server_grades = _grades(pg_url, course)
    batch = _batch_grades(tmp_path)
    for sid, (student, kind) in acked.items():
        assert server_grades[sid] == batch[kind], (student, kind)


def _grades(url: str, course: Path) -> dict[int, tuple[object, ...]]:
    rows = _rows(url, "select r.submission_id, r.grade from results r")
    out = {}
    for sid, grade in rows:
        assert isinstance(grade, dict)
        out[int(sid)] = (grade["score"], grade["verdict"], tuple((c["id"], c["outcome"]) for c in grade["checks"]))
    return out


def _batch_grades(tmp_path: Path) -> dict[str, tuple[object, ...]]:
    folder = tmp_path / "batch"
    for kind in KINDS:
        (folder / kind).mkdir(parents=True)
        (folder / kind / "solution.py").write_bytes(_content(kind, kind, 0))
    course = tmp_path / "batch-course"
    done = subprocess.run([sys.executable, "-m", "grader", "grade", EXERCISE, str(folder), "--course", str(course),
                           "--home", str(REPO), "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    book = Gradebook(f"sqlite:///{course / 'gradebook.sqlite'}", course / "files")
    try:
        return {r.student: (r.grade.score, r.grade.verdict.value,
                            tuple((c.id, c.outcome.value) for c in r.grade.checks)) for r in book.records(EXERCISE)}
    finally:
        book.close()


def test_one_machine_kill_9_of_the_server_stops_its_worker_and_a_restart_resumes(tmp_path: Path) -> None:
    """`judge serve --workers 2` on SQLite: the embedded worker dies with its server (even kill -9),
    gives back what it held, and the restarted server's worker grades the rest, each once."""
    course = tmp_path / "course"
    db = f"sqlite:///{course / 'gradebook.sqlite'}"
    tokens = students_with_tokens(db, course, 12)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(course=course, db=db, home=REPO, port=port, workers=2, log=tmp_path / "server.log")
    uploads = _Uploads(base, tokens)
    try:
        with cf.ThreadPoolExecutor(4) as pool:
            cf.wait(uploads.burst(0, pool))
        assert len(uploads.acked) == 12, uploads.failed
        time.sleep(1)
        server.kill9()
        deadline = time.monotonic() + 120  # the embedded worker notices and stops
        while time.monotonic() < deadline and _worker_processes(course):
            time.sleep(0.5)
        assert _worker_processes(course) == []
        server = start_server(course=course, db=db, home=REPO, port=port, workers=2, log=tmp_path / "server.log")
        _drained(db, set(uploads.acked), timeout=300)
    finally:
        server.stop()
    per_submission = dict(_rows(db, "select submission_id, count(*) from results group by submission_id"))
    assert per_submission == dict.fromkeys(uploads.acked, 1)
    assert _rows(db, "select state, count(*) from jobs group by state") == [("done", 12)]


def _worker_processes(course: Path) -> list[str]:
    found = subprocess.run(["pgrep", "-f", f"grader worker .*--course {course}"], capture_output=True, text=True)
    return found.stdout.split()
