"""Poisoning attempts against warm workers (``bwrap-warm``): one submission tries to change what
the next one sees; the next one's grade must equal its grade on a cold ``bwrap`` worker.

Each attack in ``warm_submissions/`` is graded on ``recommender-svd`` with shortened limits and
``preload = ["numpy", "sklearn"]`` by the warm backend; then, *by the same zygote* (checked), a
probe: the reference solution with ``warm_submissions/probe.py`` appended, which refuses to load
(and so would score 0 instead of 10) if it sees anything a previous submission left: files in
``/tmp`` or ``/dev/shm``, another process, a patched numpy / sklearn / builtins, a System V
segment.

| attack               | what it does                                                 | evidence            |
|----------------------|--------------------------------------------------------------|---------------------|
| patch_at_import      | numpy.linalg.svd/norm, builtins.round/abs, sklearn at import | probe = cold        |
| patch_in_call        | numpy.linalg.svd, np.asarray, builtins.isinstance, sklearn   | probe = cold        |
| proc_mem_write       | open /proc/<ppid, 1..5, any>/mem rw; PTRACE_ATTACH 1..4095   | nothing opened      |
| signal_everyone      | SIGSTOP/SIGKILL pids 2..4095; kill(-1, SIGKILL) from a child | no pid hit; = cold  |
| leave_tmp_and_lurker | files in /tmp, /dev/shm; SysV segment; double-fork lurker    | probe = cold        |
| fill_tmp             | fills /tmp and /dev/shm                                      | probe = cold        |

Plus: the zygote killed from outside (a child cannot even name it) is replaced and the next grade
equals the cold one; and nothing (process, control group, folder) is left once the pool is closed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission, Verdict
from grader.sandbox import get_sandbox
from grader.sandbox.cgroups import BASE, CGROUP_ROOT
from grader.sandbox.warm import WarmBwrapSandbox, owner_tag

pytestmark = pytest.mark.skipif(not WarmBwrapSandbox.available(), reason="bwrap with cgroups cannot run here")

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SUBMISSIONS = HERE / "warm_submissions"
REFERENCE = REPO / "solutions" / "recommender-svd" / "solution.py"
SHORT = {"wall_time": 10.0, "call_time": 4.0, "memory_mb": 512, "processes": 32, "output_kb": 64,
         "file_size_mb": 16}
PRELOAD = ("numpy", "sklearn")

ATTACKS = ("patch_at_import", "patch_in_call", "proc_mem_write", "signal_everyone", "leave_tmp_and_lurker",
           "fill_tmp")


@pytest.fixture(scope="module", autouse=True)
def _close_pools() -> Iterator[None]:
    yield
    WarmBwrapSandbox.close_all()


@pytest.fixture(scope="module")
def short() -> AssignmentSpec:
    assignment = get_assignment("recommender-svd", REPO)
    return dataclasses.replace(assignment, limits=dataclasses.replace(assignment.limits, **SHORT), preload=PRELOAD,
                               allowed=("numpy", "sklearn"))


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("probe") / "solution.py"
    path.write_text(REFERENCE.read_text() + "\n\n" + (SUBMISSIONS / "probe.py").read_text())
    return path


@pytest.fixture(scope="module")
def cold_probe(short: AssignmentSpec, probe: Path) -> Grade:
    g = grade(short, probe, "bwrap")
    assert (g.status, g.verdict, g.score) == ("ok", Verdict.PASSED, 10.0), g.notes
    return g


def grade(assignment: AssignmentSpec, path: Path, backend: str) -> Grade:
    return grade_one(assignment=assignment, submission=Submission.from_path(path), sandbox=get_sandbox(backend))


def summary(g: Grade) -> tuple[object, ...]:
    return (g.status, g.verdict, g.score, tuple((c.name, c.outcome, c.points_earned) for c in g.checks))


def attack_result(g: Grade) -> dict:
    for check in g.checks:
        match = re.search(r"ATTACK-RESULT (\{.*?\})(?:\n|$)", check.message)
        if match:
            return json.loads(match.group(1))
    raise AssertionError(f"the attack did not report: {[c.message[:200] for c in g.checks]}")


def test_table_matches_the_attacks() -> None:
    rows = [line for line in (__doc__ or "").splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split("|")[1].strip() for row in rows] == list(ATTACKS)
    assert {p.stem for p in SUBMISSIONS.glob("*.py")} == {*ATTACKS, "probe"}


@pytest.mark.parametrize("name", ATTACKS)
def test_next_submission_sees_a_clean_worker(name: str, short: AssignmentSpec, probe: Path,
                                             cold_probe: Grade) -> None:
    warm_up = grade(short, probe, "bwrap-warm")  # the zygote exists, and is clean
    assert summary(warm_up) == summary(cold_probe), warm_up.notes
    zygotes = WarmBwrapSandbox.pool_pids()
    assert len(zygotes) == 1
    attacked = grade(short, SUBMISSIONS / f"{name}.py", "bwrap-warm")
    assert attacked.status == "ok" and attacked.verdict is not Verdict.JUDGE_ERROR, attacked.notes
    if name == "proc_mem_write":
        found = attack_result(attacked)
        assert found["mem"] == [] and found["attached"] == [], found
        assert found["ppid"] == 1 and found["visible"] == ["1", "2"], found  # itself and its init only
    if name == "signal_everyone":
        assert attack_result(attacked)["hit"] == [], attacked
    if name == "patch_at_import":
        assert attacked.score == 2.0, attacked.notes  # it did load (and its own grade is its own)
    time.sleep(0.3)  # a lurker, had it survived, gets time to act
    after = grade(short, probe, "bwrap-warm")
    assert summary(after) == summary(cold_probe), (after.notes, after.output[:500])
    assert WarmBwrapSandbox.pool_pids() == zygotes, "the same zygote served both"


def test_killed_zygote_is_restarted(short: AssignmentSpec, probe: Path, cold_probe: Grade) -> None:
    grade(short, probe, "bwrap-warm")
    zygotes = WarmBwrapSandbox.pool_pids()
    for pid in zygotes:
        os.killpg(pid, signal.SIGKILL)
    time.sleep(0.2)
    after = grade(short, probe, "bwrap-warm")
    assert summary(after) == summary(cold_probe), after.notes
    assert WarmBwrapSandbox.pool_pids() and not set(WarmBwrapSandbox.pool_pids()) & set(zygotes)


def test_nothing_left_after_the_pool_closes(short: AssignmentSpec) -> None:
    grade(short, SUBMISSIONS / "leave_tmp_and_lurker.py", "bwrap-warm")
    pids = WarmBwrapSandbox.pool_pids()
    WarmBwrapSandbox.close_all()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
        time.sleep(0.05)
    assert not any(Path(f"/proc/{p}").exists() for p in pids)
    prefix = f"w-{os.getpid()}-"
    left = [p for base in CGROUP_ROOT.glob(f"**/{BASE}") if base.is_dir()
            for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)]
    assert left == []
    lurkers = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                # the zygote's command line, which every keeper, worker and lurker forked from it keeps:
                if owner_tag().encode() in Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0"):
                    lurkers.append(entry)
            except OSError:
                pass
    assert lurkers == []
