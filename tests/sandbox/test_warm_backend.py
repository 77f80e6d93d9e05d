"""The bwrap-warm backend: same grades as cold bwrap workers, each child isolated, limits held,
nothing left behind once the pool is closed."""

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

import pytest

from grader.authoring.verify import verify_cases
from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.grade import grade_one
from grader.core.remote import WorkerSession
from grader.core.values import Grade, Limits, Submission, Verdict
from grader.sandbox import get_sandbox
from grader.sandbox.base import SandboxError, WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import Keeper, KeeperKey, WarmBwrapSandbox, Zygote, owner_tag
from tests.sandbox.helpers import our_cgroups

pytestmark = pytest.mark.skipif(not WarmBwrapSandbox.available(), reason="bwrap with cgroups cannot run here")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def _close_pools() -> Iterator[None]:
    yield
    WarmBwrapSandbox.close_all()

#: A checkout under /tmp (CI's) puts the venv's read-only mount points there: not a leftover.
INSTALLED_UNDER_TMP = {p.split("/")[2] for p in (sys.prefix, sys.base_prefix) if p.startswith("/tmp/")}


def session_for(tmp_path: Path, source: str, **limits: object) -> WorkerSession:
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source))
    preload = tuple(limits.pop("preload", ()))  # type: ignore[call-overload]
    spec = WorkerSpec(path, "solution", ("f",), Limits(**limits), preload)  # type: ignore[arg-type]
    return WorkerSession(get_sandbox("bwrap-warm"), spec)


def call(tmp_path: Path, source: str, *args: object, **limits: object) -> object:
    session = session_for(tmp_path, source, **limits)
    try:
        return session.module().f(*args)
    finally:
        session.close()


# --------------------------------------------------------------------------- same grades as cold workers


def summary(g: Grade) -> tuple[object, ...]:
    return (g.status, g.verdict, g.score, g.max_score,
            tuple((c.name, c.outcome, c.points_earned) for c in g.checks))


#: Exercises whose time-limit examples are graded both ways: a limit reached costs the whole budget
#: twice, and the warm sandbox's handling of it does not depend on the exercise.
TIMEOUT_PARITY = {"metrics", "online-learning"}


def _cases(exercise: str) -> list[tuple[str, str]]:
    """The reference, the stub and the made-up examples (each a kind of failure); the corpus adapted
    from real code (``real-*``) is proved by ``judge verify`` on the default sandbox instead."""
    assignment = get_assignment(exercise, REPO)
    return [(exercise, case.name) for case in verify_cases(assignment)
            if not case.name.startswith("examples/real-")
            and (case.verdict is not Verdict.TIME_LIMIT or exercise in TIMEOUT_PARITY)]


#: Every exercise of the catalogue (the reference, the stub and every made-up example of each).
EXERCISES = sorted(p.parent.name for p in (REPO / "assignments").glob("*/assignment.toml")
                   if (REPO / "solutions" / p.parent.name).is_dir())
SLOW = {"image-recognition", "optimization", "recommender-movielens", "text-classification"}


@pytest.mark.parametrize(
    ("exercise", "case"),
    [pytest.param(*c, marks=[pytest.mark.slow] if e in SLOW else []) for e in EXERCISES for c in _cases(e)],
)
def test_same_grade_as_cold_bwrap(exercise: str, case: str) -> None:
    assignment = get_assignment(exercise, REPO)
    path = next(c.path for c in verify_cases(assignment) if c.name == case)
    submission = Submission.from_path(path)
    cold = grade_one(assignment=assignment, submission=submission, sandbox=get_sandbox("bwrap"))
    warm = grade_one(assignment=assignment, submission=submission, sandbox=get_sandbox("bwrap-warm"))
    assert warm.sandbox == "bwrap-warm" and warm.isolated
    assert summary(warm) == summary(cold), (cold.notes, warm.notes)


# --------------------------------------------------------------------------- what a child is


def test_child_has_no_capabilities_and_a_world_of_its_own(tmp_path: Path) -> None:
    info = call(tmp_path, """
        import os
        def f():
            status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
            return {k: status[k].strip() for k in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs")} | {
                "pid": os.getpid(), "ppid": os.getppid(), "uid": os.getuid(), "gid": os.getgid(),
                "procs": sorted(p for p in os.listdir("/proc") if p.isdigit()), "tmp": os.listdir("/tmp"),
                "shm": os.listdir("/dev/shm"), "sandbox": os.listdir("/sandbox"), "cwd": os.getcwd()}
    """)
    assert isinstance(info, dict)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(info[key], 16) == 0, info
    assert info["NoNewPrivs"] == "1"
    assert (info["pid"], info["ppid"], info["procs"]) == (2, 1, ["1", "2"]), info  # pid 1: its init, as in bwrap
    assert (info["uid"], info["gid"]) == (65534, 65534)
    tmp = [name for name in info["tmp"] if name not in INSTALLED_UNDER_TMP]
    assert (tmp, info["shm"], info["sandbox"], info["cwd"]) == ([], [], ["solution.py"], "/tmp")


def test_child_cannot_mount_unshare_or_write_outside(tmp_path: Path) -> None:
    found = call(tmp_path, """
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        def f():
            out = {}
            out["mount"] = libc.mount(b"tmpfs", b"/tmp", b"tmpfs", 0, None)
            out["umount"] = libc.umount2(b"/tmp", 2)
            out["unshare_user"] = libc.unshare(0x10000000)
            for path in ("/sandbox/x", "/dev/x", "/opt/mljudge/lib/x", "/x"):
                try:
                    open(path, "w")
                    out[path] = "written"
                except OSError as exc:
                    out[path] = type(exc).__name__
            return out
    """)
    assert isinstance(found, dict)
    assert found["mount"] == found["umount"] == -1, found
    assert all(v != "written" for k, v in found.items() if k.startswith("/")), found


def test_each_child_gets_fresh_tmp_and_a_random_state_from_the_seed(tmp_path: Path) -> None:
    """Never the zygote's state, nor the previous child's: each starts from the exercise's seed (see
    test_seeded_randomness.py for ``seed = false``)."""
    source = """
        import os, numpy as np
        def f():
            listing = os.listdir("/tmp") + os.listdir("/dev/shm")
            open("/tmp/left", "w").write("x"); open("/dev/shm/left", "w").write("x")
            return [listing, float(np.random.rand())]
    """
    first = call(tmp_path, source)
    second = call(tmp_path, source)
    assert [n for n in first[0] if n not in INSTALLED_UNDER_TMP] == []
    assert [n for n in second[0] if n not in INSTALLED_UNDER_TMP] == []
    assert first[1] == second[1]


# --------------------------------------------------------------------------- limits


# --------------------------------------------------------------------------- the pool


def test_a_killed_zygote_is_replaced(tmp_path: Path) -> None:
    assert call(tmp_path, "def f():\n    return 1\n") == 1
    pids = WarmBwrapSandbox.pool_pids()
    assert pids
    for pid in pids:
        os.killpg(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert call(tmp_path, "def f():\n    return 2\n") == 2
    assert not set(WarmBwrapSandbox.pool_pids()) & set(pids)


def test_two_sessions_at_once_use_two_zygotes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = session_for(tmp_path / "a", "def f():\n    return 'a'\n")
    second = session_for(tmp_path / "b", "def f():\n    return 'b'\n")
    try:
        assert first.module().f() == "a"
        assert second.module().f() == "b"
    finally:
        first.close()
        second.close()


def test_preload_is_declared_per_exercise(tmp_path: Path) -> None:
    found = call(tmp_path, "import sys\ndef f():\n    return 'sklearn' in sys.modules\n", preload=("sklearn",))
    assert found is True


def test_nothing_left_after_close(tmp_path: Path) -> None:
    call(tmp_path, "def f():\n    return 1\n")
    assert WarmBwrapSandbox.pool_pids()
    pids = WarmBwrapSandbox.pool_pids()
    WarmBwrapSandbox.close_all()
    assert WarmBwrapSandbox.pool_pids() == []
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    assert our_cgroups() == []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            assert owner_tag().encode() not in Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0"), entry
    assert not list(Path(tempfile.gettempdir()).glob(f"mljudge-zygote-{os.getpid()}-*"))


def test_cold_bwrap_is_unchanged() -> None:
    assert BwrapSandbox.name == "bwrap" and WarmBwrapSandbox.name == "bwrap-warm"
    from grader.sandbox import AUTO_ORDER

    assert "bwrap-warm" not in AUTO_ORDER


def test_assignment_preload_field(tmp_path: Path) -> None:
    assignment: AssignmentSpec = get_assignment("recommender-svd", REPO)
    assert assignment.preload == () and get_assignment("image-recognition", REPO).preload == ("keras",)


@pytest.mark.parametrize("fault", [{"uid": 2**32 - 1}, {"tmp_bytes": -1}], ids=["worker-setup", "keeper-setup"])
def test_a_child_that_cannot_be_set_up_is_a_judge_error(
        fault: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    """A real setup failure (an impossible uid map, an impossible /tmp) is the judge's, not the student's."""
    WarmBwrapSandbox.close_all()
    original = KeeperKey.request
    monkeypatch.setattr(KeeperKey, "request", lambda self: {**original(self), **fault})
    assignment = get_assignment("recommender-svd", REPO)
    grade = grade_one(assignment=assignment, submission=Submission.from_path(assignment.solution),
                      sandbox=get_sandbox("bwrap-warm"))
    assert grade.verdict is Verdict.JUDGE_ERROR and grade.status == "error"
    # reported when the keeper's report comes, or already when handing it the submission failed
    assert any("could not be set up" in note or "could not start a warm worker" in note for note in grade.notes)
    monkeypatch.undo()
    WarmBwrapSandbox.close_all()
    again = grade_one(assignment=assignment, submission=Submission.from_path(assignment.solution),
                      sandbox=get_sandbox("bwrap-warm"))
    assert again.verdict is Verdict.PASSED and again.score == 10


def test_a_spare_that_cannot_be_prepared_spares_the_running_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Preparing the next keeper fails (a fault injected into the zygote's fork): the submission
    being started still runs to the end, and the zygote is replaced after it, not during it."""
    WarmBwrapSandbox.close_all()
    real = Zygote._fork_keeper
    calls: list[int] = []

    def second_fails(self: Zygote, key: KeeperKey) -> Keeper:
        calls.append(1)
        if len(calls) == 2:  # the spare forked while the first worker starts
            raise SandboxError("injected: the zygote refused to fork")
        return real(self, key)

    monkeypatch.setattr(Zygote, "_fork_keeper", second_fails)
    assert call(tmp_path, "def f():\n    return 41 + 1\n") == 42
    before = WarmBwrapSandbox.pool_pids()
    WarmBwrapSandbox.quiesce()
    monkeypatch.undo()
    assert call(tmp_path, "def f():\n    return 7\n") == 7
    assert not set(WarmBwrapSandbox.pool_pids()) & set(before), "the suspect zygote was replaced"


def test_the_zygote_prepared_for_a_batch_is_the_one_its_gradings_use() -> None:
    """``warmup.prepare`` starts the zygote an exercise's workers ask for (its preload and its
    allowed packages): grading then starts no second one."""
    from grader.course import warmup

    assignment = get_assignment("recommender-svd", REPO)
    assert assignment.allowed is not None
    WarmBwrapSandbox.close_all()
    warmup.prepare(str(assignment.root), "bwrap-warm")
    prepared = WarmBwrapSandbox.pool_pids()
    assert len(prepared) == 1
    grade = grade_one(assignment=assignment, submission=Submission.from_path(REPO / "solutions" / "recommender-svd"
                                                                             / "solution.py"),
                      sandbox=get_sandbox("bwrap-warm"), scope="all")
    assert grade.score == assignment.points
    assert WarmBwrapSandbox.pool_pids() == prepared
