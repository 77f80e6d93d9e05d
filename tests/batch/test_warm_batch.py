"""A batch with the default sandbox uses warm workers: the same grades as cold bwrap, and nothing of
the warm pools (zygotes, their control groups) outlives the batch — finished or interrupted."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from grader.sandbox.cgroups import BASE, CGROUP_ROOT
from grader.sandbox.warm import WarmBwrapSandbox
from tests.batch.helpers import JUDGE, make_class, wait_for_busy_worker
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not WarmBwrapSandbox.available(), reason="no bwrap with cgroups here")

KINDS = {"ann": "reference", "ben": "wrong", "cat": "zeros-for-missing", "dan": "raises", "eve": "syntax-error",
         "fay": "global-mean-centred", "gus": "stub"}


def _judge(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([JUDGE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=REPO,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _grades(course: Path) -> dict[str, dict[str, object]]:
    with sqlite3.connect(course / "gradebook.sqlite", timeout=30) as con:
        rows = con.execute("select st.name, r.grade from results r join submissions s on s.id = r.submission_id "
                           "join students st on st.id = s.student_id")
        return {student: json.loads(grade) for student, grade in rows}


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def orphans() -> list[str]:
    """Zygotes whose grader process is gone, and worker groups of a grader that is gone."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        for arg in argv:
            if arg.startswith(b"mljudge-owner-") and not _alive(int(arg.rsplit(b"-", 1)[1])):
                found.append(f"process {entry} of {arg.decode()}")
    for folder in Path(tempfile.gettempdir()).glob("mljudge-zygote-*"):
        pid = folder.name.split("-")[2]
        if pid.isdigit() and not _alive(int(pid)):
            found.append(f"folder {folder}")
    for base in _group_bases():
        try:  # a grader's sweep may remove groups while we look
            groups = list(base.iterdir()) if base.is_dir() else []
        except OSError:
            continue
        for group in groups:
            parts = group.name.split("-")
            if len(parts) == 3 and parts[0] == "w" and parts[1].isdigit() and not _alive(int(parts[1])):
                found.append(f"cgroup {group}")
    return found


def _group_bases() -> list[Path]:
    """Every ``mljudge`` base of control groups; the walk is made again if a group it passes is
    removed meanwhile (a grader's sweep)."""
    for _ in range(5):
        try:
            return list(CGROUP_ROOT.glob(f"**/{BASE}"))
        except OSError:
            time.sleep(0.1)
    return list(CGROUP_ROOT.glob(f"**/{BASE}"))


def _settled(before: set[str]) -> set[str]:
    """What the batch left behind (``before``: orphans of earlier, killed graders, not ours)."""
    deadline = time.monotonic() + 15
    while (left := set(orphans()) - before) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def test_default_batch_is_warm_and_grades_like_cold_bwrap(tmp_path: Path) -> None:
    subs = make_class(tmp_path / "subs", KINDS)
    grades = {}
    before = set(orphans())
    for sandbox in ("auto", "bwrap"):
        course = tmp_path / sandbox
        proc = _judge("grade", "recommender-svd", str(subs), "--course", str(course), "--home", str(REPO),
                      "--workers", "2", "--sandbox", sandbox)
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, out + err
        grades[sandbox] = _grades(course)
        assert _settled(before) == set()
    assert {g["sandbox"] for g in grades["auto"].values()} == {"bwrap-warm"}
    assert {g["sandbox"] for g in grades["bwrap"].values()} == {"bwrap"}
    for student in KINDS:
        warm, cold = grades["auto"][student], grades["bwrap"][student]
        assert (warm["verdict"], warm["score"]) == (cold["verdict"], cold["score"]), student


@pytest.mark.slow
def test_interrupted_warm_batch_leaves_no_zygote_or_group(tmp_path: Path) -> None:
    subs = make_class(tmp_path / "subs", {"a-fast": "reference", "loop0": "infinite-loop", "loop1": "infinite-loop"})
    course = tmp_path / "course"
    before = set(orphans())
    proc = _judge("grade", "recommender-svd", str(subs), "--course", str(course), "--home", str(REPO),
                  "--workers", "2")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (course / "gradebook.sqlite").exists():
        time.sleep(0.1)
    wait_for_busy_worker(proc.pid)  # the loops are running in warm workers now
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert _settled(before) == set()
