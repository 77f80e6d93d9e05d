"""Every isolating backend (cold bwrap, warm bwrap, docker) holds the same line: what a submission
can see, what it cannot reach, and the verdict each limit gives. Backend-specific behaviour lives in
``test_<backend>_backend.py``."""

from __future__ import annotations

import os
import socket
import subprocess
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.remote import SubmissionFault, WorkerSession
from grader.core.values import Limits, Submission, Verdict
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.docker import DockerSandbox
from grader.sandbox.warm import WarmBwrapSandbox, owner_tag
from tests.sandbox.helpers import cold_leftovers, our_containers, warm_leftovers

REPO = Path(__file__).resolve().parents[2]
HIDDEN = REPO / "assignments" / "recommender-svd" / "checks" / "hidden" / "test_hidden.py"


@dataclass(frozen=True)
class Backend:
    name: str
    uid: int
    leftovers: Callable[[], list[object]]  # what a stopped worker left behind: must be []

    def session(self, tmp_path: Path, source: str, **limits: object) -> WorkerSession:
        path = tmp_path / "submission.py"
        path.write_text(textwrap.dedent(source))
        spec = WorkerSpec(path, "solution", ("f",), Limits(**limits))  # type: ignore[arg-type]
        return WorkerSession(get_sandbox(self.name), spec)

    def call(self, tmp_path: Path, source: str, *args: object, **limits: object) -> object:
        session = self.session(tmp_path, source, **limits)
        try:
            return session.module().f(*args)
        finally:
            session.close()

    def fault(self, tmp_path: Path, source: str, **limits: object) -> WorkerSession:
        """Run ``f``, which must fail the session; return the closed session."""
        session = self.session(tmp_path, source, **limits)
        try:
            with pytest.raises(SubmissionFault):
                session.module().f()
        finally:
            session.close()
        return session


BACKENDS = {
    "bwrap": (Backend("bwrap", 65534, cold_leftovers), BwrapSandbox.available() and BwrapSandbox.cgroups_available()),
    "bwrap-warm": (Backend("bwrap-warm", 65534, warm_leftovers), WarmBwrapSandbox.available()),
    "docker": (Backend("docker", 10001, lambda: list(our_containers())), DockerSandbox.available()),
}


@pytest.fixture(params=list(BACKENDS), scope="module")
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    made, available = BACKENDS[request.param]
    if not available:
        pytest.skip(f"{request.param} cannot run here")
    yield made
    if made.name == "bwrap-warm":
        WarmBwrapSandbox.close_all()


# --------------------------------------------------------------------------- what it sees

READ = """
def f(path):
    try:
        with open(path, "rb") as fh:
            return "read " + str(len(fh.read()))
    except Exception as exc:
        return type(exc).__name__
"""


@pytest.mark.parametrize("path", [str(HIDDEN), "/etc/shadow", str(REPO / "pyproject.toml"), "/root/.bashrc"])
def test_cannot_read_outside_files(backend: Backend, tmp_path: Path, path: str) -> None:
    assert backend.call(tmp_path, READ, path) in ("FileNotFoundError", "PermissionError")


def test_cannot_read_a_file_the_grader_wrote_next_to_it(backend: Backend, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("answer")
    assert backend.call(tmp_path, READ, str(secret)) == "FileNotFoundError"
    assert str(backend.call(tmp_path, READ, "/etc/passwd")).startswith("read ")


def test_sees_only_what_python_needs(backend: Backend, tmp_path: Path) -> None:
    info = backend.call(tmp_path, """
        import os, socket
        def f():
            status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
            return {"uid": os.getuid(), "gid": os.getgid(), "euid": os.geteuid(), "cwd": os.getcwd(),
                    "sandbox": sorted(os.listdir("/sandbox")), "repo": os.path.exists("/work/main/assignments"),
                    "host": socket.gethostname(), "ifaces": [n for _, n in socket.if_nameindex()],
                    "caps": status["CapEff"].strip(), "nnp": status["NoNewPrivs"].strip(), "env": sorted(os.environ)}
    """)
    assert isinstance(info, dict)
    assert (info["uid"], info["gid"], info["euid"]) == (backend.uid,) * 3
    assert info["cwd"] == "/tmp" and info["sandbox"] == ["solution.py"]
    assert info["repo"] is False
    assert info["host"] == "sandbox" and info["ifaces"] == ["lo"]
    assert int(info["caps"], 16) == 0 and info["nnp"] == "1"
    assert "PATH" in info["env"] and not any(k.startswith(("SSH", "AWS", "GITHUB", "DOCKER")) for k in info["env"])


def test_no_network_to_the_host(backend: Backend, tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        result = backend.call(tmp_path, """
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
        """, listener.getsockname()[1])
    finally:
        listener.close()
    assert isinstance(result, list) and "connected" not in result, result


def test_cannot_write_outside_tmp(backend: Backend, tmp_path: Path) -> None:
    result = backend.call(tmp_path, """
        import errno, os, sys
        def f():
            out = {}
            for path in ("/sandbox/x", "/opt/mljudge/lib/x", "/usr/x", "/x", "/etc/x", "/dev/x", sys.prefix + "/x"):
                try:
                    open(path, "w").close()
                    out[path] = "written"
                except OSError as exc:
                    out[path] = errno.errorcode.get(exc.errno, str(exc.errno))
            for scratch in ("/tmp", "/dev/shm"):
                with open(scratch + "/scratch", "w") as fh:
                    fh.write("ok")
                out[scratch] = open(scratch + "/scratch").read()
            return out
    """)
    assert isinstance(result, dict)
    assert result.pop("/tmp") == result.pop("/dev/shm") == "ok"
    assert set(result.values()) <= {"EROFS", "EACCES", "EPERM"}, result
    assert "EROFS" in result.values()


def test_printed_output_is_captured_apart_from_the_channel(backend: Backend, tmp_path: Path) -> None:
    source = "import sys\ndef f():\n    print('to stdout')\n    print('to stderr', file=sys.stderr)\n    return 7\n"
    session = backend.session(tmp_path, source)
    try:
        assert session.module().f() == 7
    finally:
        session.close()
    assert "to stdout" in session.exits[0].output and "to stderr" in session.exits[0].output


def test_large_values_cross_the_channel(backend: Backend, tmp_path: Path) -> None:
    import numpy as np

    result = backend.call(tmp_path, "import numpy as np\ndef f(a):\n    return a * 2\n",
                          np.arange(3_000_000, dtype=np.float64))
    assert isinstance(result, np.ndarray) and result.shape == (3_000_000,) and result[-1] == 2 * 2_999_999


# --------------------------------------------------------------------------- limits


def test_fork_bomb_is_stopped_by_the_process_limit(backend: Backend, tmp_path: Path) -> None:
    started = time.monotonic()
    backend.fault(tmp_path, "import os\ndef f():\n    while True:\n        os.fork()\n", processes=32, call_time=10.0)
    assert time.monotonic() - started < 30
    assert backend.leftovers() == []
    assert backend.call(tmp_path, "def f():\n    return 42\n") == 42  # the grader is fine


def test_process_limit_holds(backend: Backend, tmp_path: Path) -> None:
    started = backend.call(tmp_path, """
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
    """, processes=16)
    assert isinstance(started, int) and started < 16
    assert backend.leftovers() == []


def test_memory_limit_is_a_memory_limit_verdict(backend: Backend, tmp_path: Path) -> None:
    session = backend.fault(tmp_path, "def f():\n    data = b'x' * (2 * 1024 ** 3)\n    return len(data)\n",
                            memory_mb=256, call_time=20.0)
    assert [e.verdict for e in session.events] == [Verdict.MEMORY_LIMIT], session.events
    assert session.exits[0].peak_memory_mb >= 200
    assert backend.leftovers() == []


def test_endless_loop_hits_the_call_time_limit_and_leaves_nothing(backend: Backend, tmp_path: Path) -> None:
    session = backend.fault(tmp_path, "def f():\n    while True:\n        pass\n", call_time=1.5)
    assert [e.verdict for e in session.events] == [Verdict.TIME_LIMIT]
    assert backend.leftovers() == []


def test_cpu_rlimit_is_a_time_limit(backend: Backend, tmp_path: Path) -> None:
    session = backend.fault(tmp_path, "def f():\n    while True:\n        pass\n", cpu_time=1.0, call_time=20.0)
    assert [e.verdict for e in session.events] == [Verdict.TIME_LIMIT], session.events


def test_output_flood_is_an_output_limit(backend: Backend, tmp_path: Path) -> None:
    session = backend.fault(tmp_path, """
        import sys
        def f():
            while True:
                print("x" * 1000)
                sys.stdout.flush()
    """, output_kb=64, call_time=20.0)
    assert [e.verdict for e in session.events] == [Verdict.OUTPUT_LIMIT], session.events
    run = session.exits[0]
    assert run.output_truncated and len(run.output) <= 64 * 1024
    assert backend.leftovers() == []


def test_daemonised_child_is_killed_when_the_session_closes(backend: Backend, tmp_path: Path) -> None:
    marker = f"mljudge-sleeper-{uuid.uuid4().hex}"

    def sleepers() -> list[str]:
        done = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True, check=False)
        return done.stdout.split()

    session = backend.session(tmp_path, f"""
        import os, sys, time
        def f():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(600)", "{marker}"])
                os._exit(0)
            time.sleep(0.3)
            return "forked"
    """)
    try:
        assert session.module().f() == "forked"
        assert sleepers() != []
    finally:
        session.close()
    deadline = time.monotonic() + 5
    while sleepers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sleepers() == []
    assert backend.leftovers() == []


def test_cpu_time_and_memory_are_measured_per_worker(backend: Backend, tmp_path: Path) -> None:
    session = backend.session(tmp_path, """
        import time
        def f():
            t = time.process_time()
            while time.process_time() - t < 0.5:
                pass
            block = bytearray(b"y") * (256 * 1024 * 1024)
            return len(block)
    """)
    try:
        session.module().f()
    finally:
        session.close()
    run = session.exits[0]
    assert 0.4 < run.cpu_seconds < 3.0, run
    assert 200 < run.peak_memory_mb < 800, run


# --------------------------------------------------------------------------- a whole grade


def test_recommender_grades_the_same_as_on_process(backend: Backend) -> None:
    grade = grade_one(
        assignment=get_assignment("recommender-svd", REPO),
        submission=Submission.from_path(REPO / "solutions" / "recommender-svd" / "solution.py"),
        sandbox=get_sandbox(backend.name),
    )
    assert (grade.status, grade.verdict, grade.score, grade.max_score) == ("ok", Verdict.PASSED, 10.0, 10.0)
    assert grade.sandbox == backend.name and grade.isolated is True
    assert backend.leftovers() == []


def test_peak_memory_is_the_workers_not_the_graders(backend: Backend, tmp_path: Path) -> None:
    """A grader that holds a lot of memory itself (it imported TensorFlow for an earlier exercise,
    say) must not show up in its workers' figures: a spawned child's rusage high-water mark starts
    from its parent's resident set."""
    ballast = bytearray(b"z") * (900 * 1024 * 1024)
    try:
        session = backend.session(tmp_path, "def f():\n    return 1\n")
        try:
            assert session.module().f() == 1
        finally:
            session.close()
    finally:
        del ballast
    assert session.exits[0].peak_memory_mb < 400, session.exits[0]


# --------------------------------------------------------------------------- identity, seen from the host


def _host_uids_of_workers(marker: str) -> list[tuple[int, int]]:
    """(pid, real uid on the host) of every live Python process whose command line carries
    ``marker``: the workers themselves, not the launch chain before them (the enter step and
    bubblewrap, which set the sandbox up with the grader's rights)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if marker.encode() not in argv or not os.path.basename(argv[0]).startswith(b"python"):
                continue
            if any(arg.endswith(b"enter.py") for arg in argv):
                continue
            uid_line = next(line for line in (entry / "status").read_text().splitlines() if line.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        found.append((int(entry.name), int(uid_line.split()[1])))
    return found


def test_the_worker_is_an_unprivileged_uid_on_the_host(backend: Backend, tmp_path: Path) -> None:
    """Seen from outside, not from the worker's own namespace: the process running the submission
    is not uid 0 (a root grader leases it an unprivileged uid), and no two live workers share one."""
    if backend.name == "docker":
        pytest.skip("docker's containers run as uid 10001 with no user namespace: nothing to map")
    source = "def f():\n    return 1\n"
    sessions = []
    for n in range(2):
        (tmp_path / str(n)).mkdir()
        sessions.append(backend.session(tmp_path / str(n), source))
    try:
        for session in sessions:
            assert session.module().f() == 1
        if backend.name == "bwrap-warm":  # forked from zygotes (host root, never running student code)
            processes = _host_uids_of_workers(owner_tag())
            workers = [(pid, uid) for pid, uid in processes if uid != 0]
            assert len(workers) == 2, processes  # one per session: both unprivileged
        else:
            workers = _host_uids_of_workers("/sandbox/solution.py")
            assert len(workers) == 2 and all(uid != 0 for _, uid in workers), workers
        if os.geteuid() == 0:
            assert len({uid for _, uid in workers}) == len(workers), workers
    finally:
        for session in sessions:
            session.close()
