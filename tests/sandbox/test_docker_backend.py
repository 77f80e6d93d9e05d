"""The docker backend: what a submission can and cannot see or do inside its container."""

from __future__ import annotations

import os
import socket
import subprocess
import textwrap
import time
from pathlib import Path

import pytest

from grader.assignment import get_assignment
from grader.grade import grade_one
from grader.models import Limits, Submission, Verdict
from grader.proxy import SubmissionFault, WorkerSession
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.docker import IMAGE_ENV, LABEL, DockerSandbox, configured_image

pytestmark = pytest.mark.skipif(
    not DockerSandbox.available(), reason=f"no docker engine or no image {configured_image()} here"
)

REPO = Path(__file__).resolve().parents[2]
HIDDEN = REPO / "assignments" / "recommender-svd" / "checks" / "hidden" / "test_hidden.py"


def session_for(tmp_path: Path, source: str, **limits: object) -> WorkerSession:
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source))
    return WorkerSession(get_sandbox("docker"), WorkerSpec(path, "solution", ("f",), Limits(**limits)))  # type: ignore[arg-type]


def call(tmp_path: Path, source: str, *args: object, **limits: object) -> object:
    session = session_for(tmp_path, source, **limits)
    try:
        return session.module().f(*args)
    finally:
        session.close()


def our_containers() -> list[str]:
    """Containers started by this test process that still exist (running or not)."""
    done = subprocess.run(
        ["docker", "ps", "-a", "-q", "--filter", f"label={LABEL}.pid={os.getpid()}"],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.split()


def mljudge_containers() -> list[str]:
    """``docker ps -a --filter name=mljudge-``, narrowed to ours (other graders may share the engine)."""
    done = subprocess.run(
        ["docker", "ps", "-a", "-q", "--filter", "name=mljudge-", "--filter", f"label={LABEL}.pid={os.getpid()}"],
        capture_output=True, text=True, check=True,
    )
    return done.stdout.split()


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
    assert call(tmp_path, READ, path) in ("FileNotFoundError", "PermissionError")


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
                    "caps": [l for l in open("/proc/self/status") if l.startswith("CapEff")][0].split()[1],
                    "nnp": [l for l in open("/proc/self/status") if l.startswith("NoNewPrivs")][0].split()[1],
                    "env": sorted(os.environ)}
    """,
    )
    assert isinstance(info, dict)
    assert (info["uid"], info["gid"], info["euid"]) == (10001, 10001, 10001)
    assert info["cwd"] == "/tmp" and info["sandbox"] == ["solution.py"]
    assert info["repo"] is False
    assert info["host"] == "sandbox" and info["ifaces"] == ["lo"]
    assert int(info["caps"], 16) == 0 and info["nnp"] == "1"
    assert "PATH" in info["env"] and not any(k.startswith(("SSH", "AWS", "GITHUB", "DOCKER")) for k in info["env"])


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
                out = []
                for host in ("127.0.0.1", "172.17.0.1", "10.0.2.2", "deb.debian.org"):
                    try:
                        socket.create_connection((host, port), timeout=2).close()
                        out.append("connected")
                    except OSError as exc:
                        out.append(type(exc).__name__)
                return out
        """,
            port,
        )
    finally:
        listener.close()
    assert isinstance(result, list) and "connected" not in result, result


def test_cannot_write_outside_tmp(tmp_path: Path) -> None:
    result = call(
        tmp_path,
        """
        import errno, os
        def f():
            out = {}
            for path in ("/sandbox/x", "/opt/mljudge/lib/x", "/usr/x", "/x", "/etc/x", "/opt/venv/x"):
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
    assert time.monotonic() - started < 30
    assert our_containers() == []
    assert call(tmp_path, "def f():\n    return 42\n") == 42  # the grader is fine


def test_process_limit_holds(tmp_path: Path) -> None:
    started = call(
        tmp_path,
        """
        import os, time
        def f():
            n = 0
            for _ in range(100):
                try:
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    n += 1
                except OSError:
                    break
            return n
    """,
        processes=16,
    )
    assert isinstance(started, int) and started < 16
    assert our_containers() == []


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
    assert our_containers() == []


def test_endless_loop_hits_the_call_time_limit_and_leaves_nothing(tmp_path: Path) -> None:
    session = session_for(tmp_path, "def f():\n    while True:\n        pass\n", call_time=1.5)
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    assert [e.verdict for e in session.events] == [Verdict.TIME_LIMIT]
    assert our_containers() == []
    assert mljudge_containers() == []


def test_cpu_rlimit_is_a_time_limit(tmp_path: Path) -> None:
    session = session_for(tmp_path, "def f():\n    while True:\n        pass\n", cpu_time=1.0, call_time=20.0)
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    assert [e.verdict for e in session.events] == [Verdict.TIME_LIMIT], session.events
    assert session.runs[0].signal is not None


def test_output_flood_is_an_output_limit(tmp_path: Path) -> None:
    session = session_for(
        tmp_path,
        """
        import sys
        def f():
            while True:
                print("x" * 1000)
                sys.stdout.flush()
    """,
        output_kb=64,
        call_time=20.0,
    )
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    assert [e.verdict for e in session.events] == [Verdict.OUTPUT_LIMIT], session.events
    run = session.runs[0]
    assert run.output_truncated and len(run.output) <= 64 * 1024
    assert our_containers() == []


def test_printed_output_is_captured_apart_from_the_channel(tmp_path: Path) -> None:
    source = "import sys\ndef f():\n    print('to stdout')\n    print('to stderr', file=sys.stderr)\n    return 7\n"
    session = session_for(tmp_path, source)
    try:
        assert session.module().f() == 7
    finally:
        session.close()
    assert "to stdout" in session.runs[0].output and "to stderr" in session.runs[0].output


def test_large_values_cross_the_channel(tmp_path: Path) -> None:
    import numpy as np

    result = call(tmp_path, "import numpy as np\ndef f(a):\n    return a * 2\n", np.arange(3_000_000, dtype=np.float64))
    assert isinstance(result, np.ndarray) and result.shape == (3_000_000,) and result[-1] == 2 * 2_999_999


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


def test_stop_is_idempotent_and_removes_the_container(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text("def f():\n    return 1\n")
    worker = DockerSandbox().start(WorkerSpec(path, "solution", ("f",), Limits()))
    assert len(our_containers()) == 1
    first = worker.stop()
    assert worker.stop() is first
    assert our_containers() == []


def test_recommender_grades_the_same_as_on_process() -> None:
    grade = grade_one(
        assignment=get_assignment("recommender-svd", REPO),
        submission=Submission.from_path(REPO / "solutions" / "recommender-svd" / "solution.py"),
        sandbox=get_sandbox("docker"),
    )
    assert (grade.status, grade.verdict, grade.score, grade.max_score) == ("ok", Verdict.PASSED, 10.0, 10.0)
    assert grade.isolated is True
    assert our_containers() == []


def test_auto_picks_docker_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    image = configured_image()
    monkeypatch.delenv(IMAGE_ENV, raising=False)
    assert get_sandbox("auto").name != "docker"
    monkeypatch.setenv(IMAGE_ENV, image)
    assert get_sandbox("auto").name == "docker"
