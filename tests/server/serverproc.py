"""Real course-server processes for the fault tests and the benchmark: ``judge serve`` and
``judge worker`` started as subprocesses on 127.0.0.1, and an HTTP client of the JSON API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from grader.course.gradebook import Gradebook
from grader.server import accounts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def judge(*args: str) -> list[str]:
    return [sys.executable, "-m", "grader", *args]


@dataclass
class Proc:
    """A subprocess whose output goes to a log file (read it when a test fails)."""

    popen: subprocess.Popen[bytes]
    log: Path

    def kill9(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self, timeout: float = 120) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill9()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def start(args: Sequence[str], log: Path, env: dict[str, str] | None = None) -> Proc:
    handle = log.open("ab")
    popen = subprocess.Popen(list(args), stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env={**os.environ, **(env or {})})
    handle.close()
    return Proc(popen, log)


def start_server(*, course: Path, db: str, home: Path, port: int, workers: int, log: Path,
                 sandbox: str = "auto") -> Proc:
    proc = start(judge("serve", "--course", str(course), "--db", db, "--home", str(home), "--port", str(port),
                       "--workers", str(workers), "--sandbox", sandbox), log)
    wait_until_up(port, proc)
    return proc


def start_worker(*, course: Path, db: str, home: Path, slots: int, log: Path, lease: float = 5.0,
                 sandbox: str = "auto", name: str = "") -> Proc:
    args = ["worker", "--course", str(course), "--db", db, "--home", str(home), "--slots", str(slots),
            "--lease", str(lease), "--sandbox", sandbox]
    return start(judge(*args, *(["--name", name] if name else [])), log)


def wait_until_up(port: int, proc: Proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise AssertionError(f"the server exited ({proc.popen.returncode}):\n{proc.tail()}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/exercises", timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError(f"the server did not start within {timeout} s:\n{proc.tail()}")


def students_with_tokens(db: str, course: Path, count: int) -> dict[str, str]:
    """``count`` students on the roster, each with an API token: student id -> token."""
    book = Gradebook(db, course / "files")
    try:
        roster = "student_id,name,email\n" + "".join(f"st{i:03d},Student {i},st{i:03d}@example.org\n"
                                                    for i in range(count))
        accounts.import_roster(book.engine, roster, invite=False)
        return {p.student: accounts.issue_token(book.engine, p.id) for p in accounts.people(book.engine)
                if p.student is not None}
    finally:
        book.close()


def upload(client: httpx.Client, base: str, exercise: str, token: str, name: str, data: bytes) -> httpx.Response:
    return client.post(f"{base}/api/v1/exercises/{exercise}/submissions", headers={"Authorization": f"Bearer {token}"},
                       files={"file": (name, data, "text/x-python")})
