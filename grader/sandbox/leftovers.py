"""The one sweep of what graders that are gone left behind (a batch worker killed with SIGKILL runs
no exit hook): folders, control groups and containers named or labelled with their grader's pid.

Each kind is swept once per process, by the first grader code that makes one of its own; what a
live pid owns is never touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

_swept: set[tuple[str, int]] = set()


def first_sweep(kind: str) -> bool:
    """True the first time this process asks for ``kind``, then False (until ``forget``)."""
    key = (kind, os.getpid())
    if key in _swept:
        return False
    _swept.add(key)
    return True


def forget(kind: str) -> None:
    """Let this process sweep ``kind`` again (for tests)."""
    _swept.discard((kind, os.getpid()))


def owner_gone(pid: str) -> bool:
    """Whether ``pid`` names a process that no longer exists."""
    return pid.isdigit() and not Path(f"/proc/{pid}").exists()


def orphans(entries: Iterable[Path], prefix: str) -> list[Path]:
    """The entries named ``<prefix><pid>-…`` (or ``<prefix><pid>``) whose pid is gone."""
    return [entry for entry in entries
            if entry.name.startswith(prefix) and owner_gone(entry.name[len(prefix):].split("-")[0])]


def remove_temp_orphans(prefix: str) -> None:
    """Remove the temporary folders ``<prefix><pid>-…`` of graders that are gone."""
    for folder in orphans(Path(tempfile.gettempdir()).glob(f"{prefix}*"), prefix):
        shutil.rmtree(folder, ignore_errors=True)
