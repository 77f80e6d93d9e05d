"""The ``process`` sandbox, driven the way grading drives it: through ``WorkerSession``.

Each test writes a small submission to ``tmp_path`` and calls it via
``WorkerSession(get_sandbox("process"), WorkerSpec(path, "solution", ("f",), Limits(...)))``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.core.remote import SubmissionRaised, SubmissionUnavailable, WorkerSession
from grader.core.values import Limits, Verdict
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.worker_env import worker_environment

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="rlimits and /proc: Linux")

FAST = dict(wall_time=20.0, call_time=3.0, start_time=10.0, cpu_time=10.0, memory_mb=1024, output_kb=256)


class Sessions:
    """Makes sessions for submissions written to tmp_path and closes them at the end."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.sessions: list[WorkerSession] = []

    def __call__(self, source: str, **limits: Any) -> WorkerSession:
        path = self.tmp_path / f"submission{len(self.sessions)}.py"
        path.write_text(textwrap.dedent(source))
        spec = WorkerSpec(path, "solution", ("f",), Limits(**{**FAST, **limits}))
        session = WorkerSession(get_sandbox("process"), spec)
        self.sessions.append(session)
        return session

    def close(self) -> None:
        for session in self.sessions:
            session.close()


@pytest.fixture
def make_session(tmp_path: Path) -> Iterator[Sessions]:
    sessions = Sessions(tmp_path)
    yield sessions
    sessions.close()


def verdicts(session: WorkerSession) -> list[Verdict]:
    return [event.verdict for event in session.events]


def pid_gone(pid: int, within: float = 3.0) -> bool:
    """True once ``pid`` no longer exists (or is a zombie: dead, waiting to be reaped)."""
    deadline = time.monotonic() + within
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                stat = fh.read()
            if stat[stat.rfind(b")") + 2 :].split()[0] in (b"Z", b"X"):
                return True
        except OSError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


# --------------------------------------------------------------------------- environment and files


def test_environment_is_clean(make_session: Sessions, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_TOKEN", "hunter2-do-not-leak")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "hunter3")
    monkeypatch.setenv("PYTHONPATH", "/somewhere/secret")
    session = make_session(
        """
        import os
        def f():
            return dict(os.environ)
        """
    )
    env = session.module().f()
    assert type(env) is dict
    assert "SECRET_TOKEN" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert not any("hunter" in value for value in env.values())
    allowed = set(worker_environment(home="x")) | {"LC_CTYPE", "MLJUDGE_RUN"}  # locale coercion; the run marker
    assert set(env) <= allowed, set(env) - allowed
    leaked = {k for k, v in os.environ.items() if env.get(k) == v and k not in worker_environment(home="x")}
    assert not leaked
    assert env["OMP_NUM_THREADS"] == "1"
    assert "PYTHONPATH" not in env


def test_cwd_is_a_private_temp_dir_holding_only_the_solution(make_session: Sessions, tmp_path: Path) -> None:
    session = make_session(
        """
        import os, sys
        def f():
            return os.getcwd(), sorted(os.listdir(".")), os.environ["HOME"], os.environ["TMPDIR"]
        """
    )
    cwd, listing, home, tmpdir = session.module().f()
    assert listing == ["solution.py"]
    assert home == cwd and tmpdir == cwd
    assert not cwd.startswith(str(tmp_path))  # not the folder the submission came from
    assert os.path.realpath(cwd).startswith(os.path.realpath(tempfile.gettempdir()))
    root = Path(cwd).parent
    assert root.name.startswith("mljudge-") and root.is_dir()
    session.close()
    assert not Path(cwd).exists()
    assert not root.exists()
    session.close()  # idempotent


def test_cwd_holds_nothing_but_the_solution(make_session: Sessions) -> None:
    session = make_session(
        """
        import os
        def f():
            return sorted(os.listdir("."))
        """
    )
    assert session.module().f() == ["solution.py"]


def test_hash_seed_is_pinned_so_runs_are_reproducible(make_session: Sessions) -> None:
    source = """
        import sys
        def f():
            return hash("mljudge"), sys.flags.hash_randomization
        """
    first = make_session(source).module().f()
    second = make_session(source).module().f()
    assert first == second
    assert first[1] == 0


def test_temp_dirs_of_killed_workers_are_removed_too(make_session: Sessions) -> None:
    session = make_session(
        """
        import os
        def f(loop):
            if loop:
                while True:
                    pass
            return os.getcwd()
        """,
        call_time=1.0,
    )
    module = session.module()
    first = module.f(False)
    with pytest.raises(SubmissionUnavailable):
        module.f(True)
    assert not Path(first).parent.exists()  # removed as soon as the worker was stopped
    second = module.f(False)
    assert second != first
    session.close()
    assert not Path(second).parent.exists()


# --------------------------------------------------------------------------- time


def test_call_time_limit_kills_the_call_and_the_next_call_gets_a_fresh_worker(make_session: Sessions) -> None:
    session = make_session(
        """
        import os
        def f(loop):
            if loop:
                while True:
                    pass
            return os.getpid()
        """,
        call_time=1.0,
    )
    module = session.module()
    first_pid = module.f(False)
    started = time.monotonic()
    with pytest.raises(SubmissionUnavailable, match="time limit"):
        module.f(True)
    assert 0.9 <= time.monotonic() - started < 3.0
    assert verdicts(session) == [Verdict.TIME_LIMIT]
    assert len(session.exits) == 1
    assert session.exits[0].signal == signal.SIGKILL
    assert pid_gone(first_pid)

    second_pid = module.f(False)  # the module handle is valid in every worker
    assert second_pid != first_pid
    assert session.generation == 2
    session.close()
    assert len(session.exits) == 2  # grade.py reports workers_started = len(session.exits)
    assert verdicts(session) == [Verdict.TIME_LIMIT]


def test_whole_submission_wall_budget(make_session: Sessions) -> None:
    session = make_session(
        """
        import time
        def f(seconds):
            time.sleep(seconds)
            return seconds
        """,
        wall_time=2.0,
        call_time=10.0,
    )
    module = session.module()
    assert module.f(0.1) == 0.1
    started = time.monotonic()
    with pytest.raises(SubmissionUnavailable, match="time limit"):
        module.f(30)  # the per-call limit is 10 s, but only ~2 s of the budget are left
    assert time.monotonic() - started < 2.5
    assert verdicts(session) == [Verdict.TIME_LIMIT]
    with pytest.raises(SubmissionUnavailable, match="used up its time limit"):
        module.f(0)
    assert session.generation == 1  # no new worker once the budget is spent
    assert len(session.exits) == 1
    assert verdicts(session) == [Verdict.TIME_LIMIT]


def test_cpu_time_limit_gives_time_limit_via_sigxcpu(make_session: Sessions) -> None:
    session = make_session(
        """
        def f():
            x = 0
            while True:
                x += 1
        """,
        cpu_time=1.0,
        call_time=10.0,
    )
    started = time.monotonic()
    with pytest.raises(SubmissionUnavailable):
        session.module().f()
    assert time.monotonic() - started < 4.0  # the CPU limit, not the 10 s call limit
    assert verdicts(session) == [Verdict.TIME_LIMIT]
    assert "CPU time" in session.events[0].reason
    run = session.exits[0]
    assert run.signal == signal.SIGXCPU
    assert run.verdict == Verdict.TIME_LIMIT
    assert run.cpu_seconds >= 0.9


# --------------------------------------------------------------------------- memory, output, files


def test_memory_limit_via_the_monitor(make_session: Sessions) -> None:
    session = make_session(
        """
        import time
        def f():
            block = b"x" * (2 << 30)   # 2 GiB, every page written
            time.sleep(10)
            return len(block)
        """,
        memory_mb=300,
        call_time=5.0,
    )
    started = time.monotonic()
    with pytest.raises(SubmissionUnavailable, match="memory"):
        session.module().f()
    assert time.monotonic() - started < 4.0
    assert verdicts(session) == [Verdict.MEMORY_LIMIT]
    assert session.events[0].reason == "used more than 300 MiB of memory"
    run = session.exits[0]
    assert run.verdict == Verdict.MEMORY_LIMIT
    assert run.signal == signal.SIGKILL
    assert run.peak_memory_mb > 300


def test_peak_memory_is_the_workers_not_the_graders(make_session: Sessions) -> None:
    """rusage's high-water mark of a spawned child starts from the grader's own resident set."""
    ballast = bytearray(b"z") * (900 * 1024 * 1024)
    session = make_session("def f():\n    return len(bytearray(b'y') * (100 * 1024 * 1024))\n")
    try:
        assert session.module().f() == 100 * 1024 * 1024
    finally:
        session.close()
        del ballast
    assert 100 < session.exits[0].peak_memory_mb < 400, session.exits[0]


def test_output_limit(make_session: Sessions) -> None:
    session = make_session(
        """
        import sys
        def f():
            sys.stdout.write("x" * (5 << 20))
            sys.stdout.flush()
            return "done"
        """,
        output_kb=64,
    )
    with pytest.raises(SubmissionUnavailable):
        session.module().f()
    assert verdicts(session) == [Verdict.OUTPUT_LIMIT]
    assert "64 KiB" in session.events[0].reason
    run = session.exits[0]
    assert run.verdict == Verdict.OUTPUT_LIMIT
    assert run.output_truncated
    assert run.output == "x" * (64 * 1024)


def test_file_size_limit_fails_inside_the_submission(make_session: Sessions) -> None:
    session = make_session(
        """
        import os
        def f():
            with open("big.bin", "wb") as fh:
                fh.write(b"\\0" * (100 << 20))
            return "wrote it"
        def size():
            return os.path.getsize("big.bin")
        """,
        file_size_mb=1,
    )
    module = session.module()
    with pytest.raises(SubmissionRaised) as excinfo:
        module.f()
    assert excinfo.value.type_name == "OSError"
    assert "File too large" in excinfo.value.student_message
    assert module.size() <= 1 << 20  # the same worker is still alive and answering
    assert session.generation == 1
    assert session.events == []


# --------------------------------------------------------------------------- processes


def test_child_processes_are_killed_when_the_session_closes(make_session: Sessions) -> None:
    session = make_session(
        """
        import subprocess
        def f():
            return subprocess.Popen(["sleep", "1000"]).pid
        """
    )
    pid = session.module().f()
    assert type(pid) is int
    os.kill(pid, 0)  # alive while the session is open
    session.close()
    assert pid_gone(pid)
    assert session.events == []


def test_grandchildren_are_killed_when_the_session_closes(make_session: Sessions) -> None:
    session = make_session(
        """
        import subprocess
        def f():
            proc = subprocess.Popen(["sh", "-c", "sleep 1000 & echo $!"], stdout=subprocess.PIPE, text=True)
            return int(proc.stdout.readline())
        """
    )
    pid = session.module().f()
    os.kill(pid, 0)
    session.close()
    assert pid_gone(pid)


def test_children_in_a_new_session_are_killed_when_the_session_closes(make_session: Sessions) -> None:
    session = make_session(
        """
        import subprocess
        def f():
            return subprocess.Popen(["sleep", "1000"], start_new_session=True).pid
        """
    )
    pid = session.module().f()
    try:
        session.close()
        assert pid_gone(pid, within=1.0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # don't leave it behind


# --------------------------------------------------------------------------- output and errors


def test_stdout_and_stderr_are_captured_in_order(make_session: Sessions) -> None:
    session = make_session(
        """
        import os, sys
        print("import-time")
        def f():
            print("out 1")
            print("err 1", file=sys.stderr)
            sys.stdout.write("out 2\\n")
            sys.stderr.write("err 2\\n")
            os.write(1, b"raw out\\n")
            os.write(2, b"raw err\\n")
            print("non-ascii é 漢")
            return 42
        """
    )
    assert session.module().f() == 42
    session.close()
    assert session.exits[0].output == ("import-time\nout 1\nerr 1\nout 2\nerr 2\nraw out\nraw err\nnon-ascii é 漢\n")
    assert not session.exits[0].output_truncated
    assert session.events == []


def test_student_exception_comes_back_as_data_with_the_students_traceback(make_session: Sessions) -> None:
    session = make_session(
        """
        def helper(x):
            raise ValueError(f"boom {x}")

        def f(x):
            return helper(x)
        """
    )
    with pytest.raises(SubmissionRaised) as excinfo:
        session.module().f(7)
    error = excinfo.value
    assert error.type_name == "ValueError"
    assert error.student_message == "boom 7"
    assert "solution.py" in error.traceback
    assert "helper" in error.traceback and 'raise ValueError(f"boom {x}")' in error.traceback
    for private in ("harness", "worker.py", "protocol.py", "mljudge-", "/tmp"):
        assert private not in error.traceback
    assert error.traceback.rstrip().endswith("ValueError: boom 7")
    assert "f raised ValueError: boom 7" in str(error)
    assert session.events == []
    assert session.generation == 1


def test_system_exit_in_student_code_is_an_exception_not_a_dead_worker(make_session: Sessions) -> None:
    session = make_session(
        """
        import sys
        def f():
            sys.exit(0)
        def g():
            return "still here"
        """
    )
    with pytest.raises(SubmissionRaised) as excinfo:
        session.module().f()
    assert excinfo.value.type_name == "SystemExit"
    assert session.module().g() == "still here"
    assert session.generation == 1
    assert session.events == []
