"""A sandboxed worker runs on the cores the grader names (``MLJUDGE_WORKER_CORES``), not on those its
grading process is pinned to (``grader.course.core_slots``): the submission's own work may use
every core the grader may, in every backend, cold or warm."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core.remote import WorkerSession
from grader.core.values import Limits
from grader.course import core_slots
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import WarmBwrapSandbox
from grader.sandbox.worker_env import WORKER_CORES_ENV, worker_cores

AVAILABLE = {
    "process": True,
    "bwrap": BwrapSandbox.available() and BwrapSandbox.cgroups_available(),
    "bwrap-warm": WarmBwrapSandbox.available(),
}

WHERE = "import os\ndef f():\n    return sorted(os.sched_getaffinity(0))\n"


@pytest.fixture()
def pinned_to_the_last_core(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """This process on its last core, its workers told to run on the first one: the cores seen by a
    worker then say which it followed (neither is what it would inherit or find by itself)."""
    usable = core_slots.usable_cores()
    if len(usable) < 2:
        pytest.skip("needs two cores")
    monkeypatch.setenv(WORKER_CORES_ENV, str(usable[0]))
    os.sched_setaffinity(0, {usable[-1]})
    try:
        yield [usable[0]]
    finally:
        os.sched_setaffinity(0, usable)
        WarmBwrapSandbox.close_all()


def where_it_runs(backend: str, tmp_path: Path) -> object:
    if not AVAILABLE[backend]:
        pytest.skip(f"{backend} cannot run here")
    path = tmp_path / "submission.py"
    path.write_text(WHERE)
    session = WorkerSession(get_sandbox(backend), WorkerSpec(path, "solution", ("f",), Limits()))
    try:
        return session.module().f()
    finally:
        session.close()


@pytest.mark.parametrize("backend", list(AVAILABLE))
def test_the_worker_runs_on_the_cores_it_is_given(backend: str, tmp_path: Path,
                                                   pinned_to_the_last_core: list[int]) -> None:
    assert where_it_runs(backend, tmp_path) == pinned_to_the_last_core


def test_the_cores_variable_is_read_strictly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKER_CORES_ENV, "1,0,1")
    assert worker_cores() == [0, 1]
    for bad in ("", "x", "-1", "0,,x"):
        monkeypatch.setenv(WORKER_CORES_ENV, bad)
        assert worker_cores() is None, bad
    monkeypatch.delenv(WORKER_CORES_ENV)
    assert worker_cores() is None
