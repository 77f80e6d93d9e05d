"""The bwrap backend's own traits (what every isolating backend must hold is in
``test_isolating_backends.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.core.remote import SubmissionFault, WorkerSession
from grader.core.values import Limits
from grader.sandbox import get_sandbox
from grader.sandbox.base import SandboxError, WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox

pytestmark = pytest.mark.skipif(not BwrapSandbox.available(), reason="bubblewrap cannot run here")


def call(tmp_path: Path, source: str) -> object:
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source))
    session = WorkerSession(get_sandbox("bwrap"), WorkerSpec(path, "solution", ("f",), Limits()))
    try:
        return session.module().f()
    finally:
        session.close()


def test_passwd_names_only_the_sandbox_user(tmp_path: Path) -> None:
    passwd = call(tmp_path, "def f():\n    return open('/etc/passwd').read()\n")
    assert isinstance(passwd, str)
    assert passwd.count("\n") == 1 and "root" not in passwd and ":65534:65534:" in passwd


def test_auto_picks_bwrap() -> None:
    assert get_sandbox("auto").name == "bwrap"


def test_without_control_groups_it_refuses_unless_told(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No memory or process limit is no sandbox for others' work: a judge error, never a silent
    grading without limits; MLJUDGE_ALLOW_NO_CGROUPS=1 lets it run (one's own code)."""
    monkeypatch.setattr(BwrapSandbox, "_cgroups", False)
    monkeypatch.delenv("MLJUDGE_ALLOW_NO_CGROUPS", raising=False)
    with pytest.raises(SandboxError, match="MLJUDGE_ALLOW_NO_CGROUPS"):
        call(tmp_path, "def f():\n    return 1\n")
    assert get_sandbox("auto").name == "process"  # auto does not pick a backend that would refuse
    monkeypatch.setenv("MLJUDGE_ALLOW_NO_CGROUPS", "1")
    assert call(tmp_path, "def f():\n    return 1\n") == 1
    assert get_sandbox("auto").name == "bwrap"


@pytest.mark.parametrize(("source", "verdict"), [
    ("def f():\n    blocks = []\n    while True:\n        blocks.append(bytearray(16 << 20))\n", "memory_limit"),
    ("import os\ndef f():\n    while True:\n        os.fork()\n", None),
])
def test_without_control_groups_the_process_tree_is_held(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          source: str, verdict: str | None) -> None:
    """Told to run without control groups, ``bwrap`` still holds memory and the process count by
    watching the sandbox's process tree: a memory hog or a fork bomb ends, with its verdict."""
    monkeypatch.setattr(BwrapSandbox, "_cgroups", False)
    monkeypatch.setenv("MLJUDGE_ALLOW_NO_CGROUPS", "1")
    path = tmp_path / "submission.py"
    path.write_text(source)
    session = WorkerSession(get_sandbox("bwrap"), WorkerSpec(path, "solution", ("f",),
                                                             Limits(memory_mb=256, processes=32, call_time=20)))
    try:
        with pytest.raises(SubmissionFault):
            session.module().f()
    finally:
        session.close()
    verdicts = [event.verdict.value for event in session.events]
    assert verdicts, "the worker was not stopped"
    if verdict is not None:
        assert verdict in verdicts, verdicts
    assert "time_limit" not in verdicts, verdicts  # held by the watch, not by the call's clock


def test_a_root_grader_leases_distinct_unprivileged_uids(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Leases are exclusive while held, across processes (a flock per uid), and run out cleanly."""
    from grader.sandbox import host_ids

    if os.geteuid() != 0:
        pytest.skip("only a root grader leases uids")
    monkeypatch.setattr(host_ids, "LEASE_DIR", tmp_path / "uids")
    monkeypatch.setenv("MLJUDGE_SANDBOX_UID_BASE", "1990100000")
    monkeypatch.setenv("MLJUDGE_SANDBOX_UID_COUNT", "3")
    leases = [host_ids.lease_ids() for _ in range(3)]
    uids = {lease.ids.uid for lease in leases}
    assert len(uids) == 3 and all(1990100000 <= uid < 1990100003 and uid != 0 for uid in uids)
    with pytest.raises(host_ids.NoFreeIds):
        host_ids.lease_ids()
    held_elsewhere = subprocess.run(  # another process cannot take a held uid either
        [sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
         "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)", str(tmp_path / "uids" / str(leases[0].ids.uid))],
        capture_output=True, check=False)
    assert held_elsewhere.returncode != 0
    leases[0].release()
    again = host_ids.lease_ids()
    assert again.ids.uid == leases[0].ids.uid
    for lease in (again, *leases[1:]):
        lease.release()
