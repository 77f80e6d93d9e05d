"""Fixtures of the course server's web tests: a course on the small ``metrics`` exercise (with a small
quota: 3 submissions, one back per hour, 4 KB per file), the app, a signed-in TestClient, a real
uvicorn server on 127.0.0.1, and grading of queued jobs in the test process."""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from grader.core.assignment import AssignmentSpec, checks_hash, get_assignment
from grader.core.secret import course_secret
from grader.core.values import Grade, Verdict
from grader.course.batch import grade_task
from grader.course.gradebook import Gradebook, LatePolicy
from grader.server import accounts, queue
from grader.server.app import create_app
from grader.server.settings import ServerSettings

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
QUOTA = "\n[submissions]\ncapacity = 3\nrefill_per_day = 24\nmax_kb = 4\n"


@pytest.fixture(scope="session")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding only ``metrics`` (and its reference), with the small quota."""
    root = tmp_path_factory.mktemp("home")
    shutil.copytree(REPO / "assignments" / "metrics", root / "assignments" / "metrics")
    shutil.copytree(REPO / "solutions" / "metrics", root / "solutions" / "metrics")
    toml = root / "assignments" / "metrics" / "assignment.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + QUOTA, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def metrics(home: Path) -> AssignmentSpec:
    return get_assignment("metrics", home)


@pytest.fixture(scope="session")
def reference(metrics: AssignmentSpec) -> bytes:
    return metrics.solution.read_bytes()


@pytest.fixture
def settings(tmp_path: Path, home: Path) -> ServerSettings:
    course = tmp_path / "course"
    return ServerSettings(db_url=f"sqlite:///{course / 'gradebook.sqlite'}", course=course, home=home,
                          secure_cookies=False, base_url="http://testserver", exercises=())


@pytest.fixture
def app(settings: ServerSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def gradebook(app: FastAPI) -> Gradebook:
    found: Gradebook = app.state.course.gradebook
    return found


@dataclass(frozen=True)
class People:
    """Two students with passwords and tokens, one instructor with a password."""

    alice_token: str
    bob_token: str


@pytest.fixture
def people(gradebook: Gradebook) -> People:
    engine = gradebook.engine
    entries = accounts.import_roster(engine, "student_id,name,email\nalice,Alice A,alice@example.org\n"
                                             "bob,Bob B,bob@example.org\n")
    for entry in entries:
        assert entry.invitation is not None
        accounts.accept_invitation(engine, entry.invitation, PASSWORD)
    accounts.add_instructor(engine, "prof", PASSWORD, display_name="The Professor")
    tokens = {p.login: accounts.issue_token(engine, p.id) for p in accounts.people(engine) if p.student}
    return People(tokens["alice"], tokens["bob"])


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def signed_in(app: FastAPI, login: str, password: str = PASSWORD) -> TestClient:
    client = TestClient(app)
    page = client.get("/signin")
    answer = client.post("/signin", data={"login": login, "password": password, "csrf": csrf_of(page.text)},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def grade_queued(gradebook: Gradebook, assignment: AssignmentSpec, course: Path) -> int:
    """Grade every queued job of the gradebook in this process (process sandbox); how many."""
    done = 0
    policy = LatePolicy(assignment.due, assignment.late_penalty_per_day)
    while claims := queue.claim(gradebook.engine, "test-worker", 4, 60.0):
        for held in claims:
            grade = grade_task(str(assignment.root), "process", held.path, held.sha256, held.student,
                               course_secret(course))
            assert queue.finish(gradebook.engine, held, checks_hash(assignment), grade, policy)
            done += 1
    return done


def fail_queued(gradebook: Gradebook, assignment: AssignmentSpec) -> int:
    """Finish every queued job with a judge error (the judge's fault, not the student's)."""
    done = 0
    for held in queue.claim(gradebook.engine, "test-worker", 100, 60.0):
        grade = Grade(exercise=assignment.id, submission_sha256=held.sha256, status="error",
                      verdict=Verdict.JUDGE_ERROR, score=0.0, max_score=assignment.points, checks=(),
                      notes=("the sandbox could not start",))
        assert queue.finish(gradebook.engine, held, checks_hash(assignment), grade, LatePolicy())
        done += 1
    return done


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Captured(logging.Handler):
    """Every log line written while installed (formatted as it would be written)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: FastAPI
    server: uvicorn.Server


@pytest.fixture
def live(app: FastAPI) -> Iterator[LiveServer]:
    """The app served by uvicorn on a free port of 127.0.0.1, in a thread."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="info", access_log=True, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, server)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class BackgroundGrader:
    """``judge worker``'s QueueWorker (process sandbox, one slot) in a thread of the test process,
    until stopped. It grades in its pool's processes: grading in a thread of this process would
    change the environment pytest itself uses."""

    def __init__(self, gradebook: Gradebook, assignment: AssignmentSpec, course: Path) -> None:
        from grader.server.worker import QueueWorker, WorkerSettings

        settings = WorkerSettings(slots=1, sandbox="process", home=assignment.root.parent.parent, lease_seconds=60,
                                  poll_seconds=0.1, name="test-worker")
        self.worker = QueueWorker(gradebook, settings, course_secret(course))
        self.stop = threading.Event()
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.worker.run(self.stop)
        except BaseException as exc:  # reported by the fixture
            self.errors.append(exc)


@pytest.fixture
def background_grader(gradebook: Gradebook, metrics: AssignmentSpec) -> Iterator[BackgroundGrader]:
    grader = BackgroundGrader(gradebook, metrics, gradebook.files_dir.parent)
    grader.thread.start()
    yield grader
    grader.stop.set()
    grader.thread.join(60)
    assert not grader.errors, grader.errors
