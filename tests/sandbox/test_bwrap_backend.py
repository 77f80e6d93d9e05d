"""The bwrap backend's own traits (what every isolating backend must hold is in
``test_isolating_backends.py``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.models import Limits
from grader.proxy import WorkerSession
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
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
