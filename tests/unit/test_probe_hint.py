"""A bubblewrap probe is taken as done only when an ancestor of the process made it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader.sandbox.probe_hint import PROBED_ENV, ancestors, probed_by_ancestor

ASK = "from grader.sandbox.probe_hint import probed_by_ancestor; print(probed_by_ancestor())"


def _child(value: str) -> str:
    env = {**os.environ, PROBED_ENV: value}
    return subprocess.run([sys.executable, "-c", ASK], env=env, capture_output=True, text=True, check=True).stdout


def test_a_child_takes_its_parents_probe_and_not_a_strangers() -> None:
    assert _child(str(os.getpid())).strip() == "True"
    assert _child("1").strip() == "False"  # init is everyone's ancestor, and never probes
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert _child(str(stranger.pid)).strip() == "False"
    finally:
        stranger.kill()
        stranger.wait()
    assert _child("not a pid").strip() == "False" and _child("").strip() == "False"


def test_ancestors_start_with_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ancestors()[0] == os.getppid()
    monkeypatch.setenv(PROBED_ENV, str(os.getpid()))
    assert not probed_by_ancestor()  # this process itself is not its own ancestor
