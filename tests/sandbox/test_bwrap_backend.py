"""The bwrap backend: what a submission can and cannot see or do inside it."""

from __future__ import annotations

import os
import socket
import subprocess
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from grader.assignment import get_assignment
from grader.grade import grade_one
from grader.models import Limits, Submission, Verdict
from grader.proxy import SubmissionFault, WorkerSession
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.cgroups import BASE, CGROUP_ROOT

pytestmark = pytest.mark.skipif(not BwrapSandbox.available(), reason="bubblewrap cannot run here")

REPO = Path(__file__).resolve().parents[2]
HIDDEN = REPO / "assignments" / "recommender-svd" / "checks" / "hidden" / "test_hidden.py"
needs_cgroups = pytest.mark.skipif(not BwrapSandbox.cgroups_available(), reason="no usable cgroups here")


def session_for(tmp_path: Path, source: str, **limits: object) -> WorkerSession:
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source))
    return WorkerSession(get_sandbox("bwrap"), WorkerSpec(path, "solution", ("f",), Limits(**limits)))  # type: ignore[arg-type]


def call(tmp_path: Path, source: str, *args: object, **limits: object) -> object:
    session = session_for(tmp_path, source, **limits)
    try:
        return session.module().f(*args)
    finally:
        session.close()


def our_cgroups() -> list[Path]:
    """Worker groups made by this test process that still exist."""
    prefix = f"w-{os.getpid()}-"
    found = []
    for base in CGROUP_ROOT.glob(f"**/{BASE}"):
        if base.is_dir():
            found += [p for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)]
    return found


def _descends_from_us(pid: int) -> bool:
    me = os.getpid()
    for _ in range(64):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat[stat.rfind(")") + 2 :].split()[1])
        if pid == me:
            return True
        if pid <= 1:
            return False
    return False


def sandboxed_processes(marker: str = "/opt/mljudge") -> list[int]:
    """Live processes started by this test process whose command line contains ``marker``."""
    done = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True, check=False)
    pids = [int(p) for p in done.stdout.split()]
    return [p for p in pids if _descends_from_us(p) and "Z" not in _state(p)]


def _state(pid: int) -> str:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return "Z"
    return stat[stat.rfind(")") + 2 :].split()[0]


READ = """
def f(path):
    try:
        with open(path, "rb") as fh:
            return "read " + str(len(fh.read()))
    except Exception as exc:
        return type(exc).__name__
"""


@pytest.mark.parametrize("path", [str(HIDDEN), "/etc/shadow", str(REPO / "pyproject.toml"), "/root/.bashrc"])
def test_cannot_read_outside_files(tmp_path: Path, path: str) -> None:
    assert call(tmp_path, READ, path) == "FileNotFoundError"


def test_cannot_read_a_file_the_grader_wrote_next_to_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("answer")
    assert call(tmp_path, READ, str(secret)) == "FileNotFoundError"
    assert str(call(tmp_path, READ, "/etc/passwd")).startswith("read ")


def test_sees_only_what_python_needs(tmp_path: Path) -> None:
    info = call(
        tmp_path,
        """
        import os, socket
        def f():
            return {"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(), "cwd": os.getcwd(),
                    "sandbox": sorted(os.listdir("/sandbox")), "repo": os.path.exists("/work/main/assignments"),
                    "host": socket.gethostname(), "ifaces": [n for _, n in socket.if_nameindex()],
                    "passwd": open("/etc/passwd").read(), "env": sorted(os.environ)}
    """,
    )
    assert isinstance(info, dict)
    assert (info["uid"], info["gid"], info["euid"]) == (65534, 65534, 65534)
    assert info["cwd"] == "/tmp" and info["sandbox"] == ["solution.py"]
    assert info["repo"] is False
    assert info["host"] == "sandbox" and info["ifaces"] == ["lo"]
    assert info["passwd"].count("\n") == 1 and "root" not in info["passwd"]
    assert "PATH" in info["env"] and not any(k.startswith(("SSH", "AWS", "GITHUB")) for k in info["env"])


def test_no_network_to_the_host(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    try:
        result = call(
            tmp_path,
            """
            import socket
            def f(port):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                    return "connected"
                except OSError as exc:
                    return type(exc).__name__
        """,
            port,
        )
    finally:
        listener.close()
    assert result in ("ConnectionRefusedError", "TimeoutError", "OSError")


def test_cannot_write_outside_tmp(tmp_path: Path) -> None:
    result = call(
        tmp_path,
        """
        import errno, os
        def f():
            out = {}
            for path in ("/sandbox/x", "/opt/mljudge/lib/x", "/usr/x", "/x", "/etc/x"):
                try:
                    open(path, "w").close()
                    out[path] = "written"
                except OSError as exc:
                    out[path] = errno.errorcode.get(exc.errno, str(exc.errno))
            with open("/tmp/scratch", "w") as fh:
                fh.write("ok")
            out["/tmp"] = open("/tmp/scratch").read()
            return out
    """,
    )
    assert isinstance(result, dict)
    assert result.pop("/tmp") == "ok"
    assert set(result.values()) <= {"EROFS", "EACCES", "EPERM"}, result
    assert "EROFS" in result.values()


@needs_cgroups
def test_fork_bomb_is_stopped_by_the_process_limit(tmp_path: Path) -> None:
    session = session_for(
        tmp_path,
        """
        import os
        def f():
            while True:
                os.fork()
    """,
        processes=32,
        call_time=10.0,
    )
    started = time.monotonic()
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    assert time.monotonic() - started < 20
    assert our_cgroups() == []
    assert call(tmp_path, "def f():\n    return 42\n") == 42  # the grader is fine


@needs_cgroups
def test_memory_limit_is_a_memory_limit_verdict(tmp_path: Path) -> None:
    session = session_for(
        tmp_path,
        """
        def f():
            data = b"x" * (2 * 1024 ** 3)
            return len(data)
    """,
        memory_mb=256,
        call_time=20.0,
    )
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    assert [e.verdict for e in session.events] == [Verdict.MEMORY_LIMIT], session.events
    assert session.runs[0].peak_memory_mb >= 200
    assert our_cgroups() == []


def test_endless_loop_hits_the_call_time_limit_and_leaves_nothing(tmp_path: Path) -> None:
    session = session_for(tmp_path, "def f():\n    while True:\n        pass\n", call_time=1.5)
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    assert [e.verdict for e in session.events] == [Verdict.TIME_LIMIT]
    assert our_cgroups() == []
    assert sandboxed_processes() == []


def test_daemonised_child_is_killed_when_the_session_closes(tmp_path: Path) -> None:
    marker = f"mljudge-sleeper-{uuid.uuid4().hex}"
    session = session_for(
        tmp_path,
        f"""
        import os, sys, time
        def f():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{marker}"])
                os._exit(0)
            time.sleep(0.3)
            return "forked"
    """,
    )
    try:
        assert session.module().f() == "forked"
        assert sandboxed_processes(marker) != []
    finally:
        session.close()
    deadline = time.monotonic() + 3
    while sandboxed_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sandboxed_processes(marker) == []
    assert our_cgroups() == []


def test_cpu_time_and_memory_are_measured(tmp_path: Path) -> None:
    session = session_for(
        tmp_path,
        """
        def f():
            total = 0
            for i in range(3_000_000):
                total += i
            block = bytearray(b"y") * (64 * 1024 * 1024)
            return total + len(block)
    """,
    )
    try:
        session.module().f()
    finally:
        session.close()
    run = session.runs[0]
    assert run.cpu_seconds > 0.05
    assert run.peak_memory_mb >= 64


def test_recommender_grades_the_same_as_on_process() -> None:
    grade = grade_one(
        assignment=get_assignment("recommender-svd", REPO),
        submission=Submission.from_path(REPO / "solutions" / "recommender-svd" / "solution.py"),
        sandbox=get_sandbox("bwrap"),
    )
    assert (grade.status, grade.verdict, grade.score, grade.max_score) == ("ok", Verdict.PASSED, 10.0, 10.0)
    assert grade.isolated is True


def test_auto_picks_bwrap() -> None:
    assert get_sandbox("auto").name == "bwrap"
