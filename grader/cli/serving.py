"""The course server's processes: ``judge serve`` (web pages and API) and ``judge worker`` (grading)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType

import click
from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console, open_gradebook, secret_of
from grader.course.inbox import course_root


@cli.command("worker")
@click.option("--slots", type=click.IntRange(min=1), default=None,
              help="Submissions graded at once (default: all cores).")
@click.option("--lease", type=click.FloatRange(min=1), default=30.0, show_default=True,
              help="Seconds a claimed job is held without a heartbeat before another worker may take it.")
@click.option("--exit-when-idle", is_flag=True, help="Stop once the queue is empty (for scripts and tests).")
@click.option("--name", default="", help="This worker's name on the instructor's page (default: host:pid).")
@click.option("--nice", type=click.IntRange(min=0, max=19), default=0, show_default=True,
              help="Lower the priority of this worker and its sandboxes (the embedded worker of `judge serve` "
                   "uses 10, so that pages and uploads stay quick while it grades).")
@options.course
@options.db
@options.sandbox
@options.home
def worker_command(slots: int | None, lease: float, exit_when_idle: bool, name: str, nice: int,
                   course: Path | None, db: str | None, sandbox: str, home: Path | None) -> None:
    """Grade submissions from the course server's queue (any number of workers, on any hosts, share one --db).

    SIGTERM or Ctrl-C: finish what is being graded, then stop; a second one stops at once (what was
    being graded goes back to the queue)."""
    from grader.sandbox import SandboxError, get_sandbox
    from grader.server.worker import QueueWorker, WorkerSettings

    try:
        get_sandbox(sandbox, batch=True)
    except SandboxError as exc:
        raise JudgeUsageError(str(exc)) from exc
    root = course_root(course)
    if nice:
        os.nice(nice)  # inherited by the grading processes and their sandboxes
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    settings = WorkerSettings(slots=slots or os.cpu_count() or 1, sandbox=sandbox, home=home, lease_seconds=lease,
                              name=name)
    with open_gradebook(root, db) as gradebook:
        worker = QueueWorker(gradebook, settings, secret_of(root))
        err = make_console(stderr=True)
        err.print(Text(f"worker {worker.name}: {settings.slots} slot(s), sandbox {sandbox}", style="dim"))
        try:
            graded = worker.run(stop, exit_when_idle=exit_when_idle)
        except KeyboardInterrupt:
            graded = worker.graded
        err.print(Text(f"worker {worker.name}: stopped after recording {graded} result(s)", style="dim"))


def _die_with_parent() -> None:
    """In the embedded worker (before exec): get SIGTERM when ``judge serve`` dies, even by kill -9."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG


def _embedded_worker(slots: int, course: Path, db: str | None, sandbox: str,
                     home: Path | None) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "grader", "worker", "--slots", str(slots), "--course", str(course), "--sandbox",
            sandbox, "--nice", "10"]
    if db:
        args += ["--db", db]
    if home:
        args += ["--home", str(home)]
    return subprocess.Popen(args, preexec_fn=_die_with_parent if sys.platform == "linux" else None)


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (put TLS in front).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Submissions graded at once by the embedded worker (default: all cores; 0: none, run "
                   "`judge worker` elsewhere against the same --db).")
@click.option("--base-url", default=None, help="The address students use (for invitation links; default http://HOST:PORT).")
@click.option("--secure-cookies", is_flag=True, help="Mark cookies Secure (behind an HTTPS reverse proxy).")
@click.option("--exercise", "exercises", multiple=True, help="Offer only these exercises (default: all found).")
@options.course
@options.db
@options.sandbox
@options.home
def serve_command(host: str, port: int, workers: int | None, base_url: str | None, secure_cookies: bool,
                  exercises: tuple[str, ...], course: Path | None, db: str | None, sandbox: str,
                  home: Path | None) -> None:
    """Run the course server: sign-in, uploads, live status and feedback, the instructor's pages,
    the JSON API (documented at /docs); with an embedded worker unless --workers 0."""
    import uvicorn

    from grader.course.gradebook import default_url
    from grader.server import logs
    from grader.server.app import create_app
    from grader.server.settings import ServerSettings

    root = course_root(course)
    with open_gradebook(root, db):  # creates a new gradebook, refuses one that needs `judge db upgrade`
        pass
    secret_of(root)  # made now, before the worker and the pages need it
    settings = ServerSettings(db_url=db or default_url(root), course=root, home=home, secure_cookies=secure_cookies,
                              base_url=(base_url or f"http://{host}:{port}").rstrip("/"), exercises=exercises)
    from grader.core.assignment import AssignmentError
    from grader.course.gradebook import GradebookError

    try:
        app = create_app(settings)
    except (AssignmentError, GradebookError) as exc:
        raise JudgeUsageError(str(exc)) from exc
    slots = (os.cpu_count() or 1) if workers is None else workers
    worker = _embedded_worker(slots, root, db, sandbox, home) if slots else None
    logs.install()
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=120)
            except subprocess.TimeoutExpired:
                worker.kill()
