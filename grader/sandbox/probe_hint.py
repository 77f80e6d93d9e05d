"""A probe's success, handed down to the processes a grader starts.

Probing bubblewrap starts a sandbox (about 0.1 s). A batch's parent probes it to choose the
backend, then every grading process of its pool would probe again. The parent leaves its pid in
``MLJUDGE_BWRAP_PROBED``; a process takes the probe as done only when that pid is one of its own
ancestors (so a value inherited from elsewhere, or left in a shell, is ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

PROBED_ENV = "MLJUDGE_BWRAP_PROBED"
_MAX_DEPTH = 16


def ancestors(pid: int | None = None) -> list[int]:
    """The parent, grandparent, … of ``pid`` (this process), nearest first."""
    found: list[int] = []
    current = pid if pid is not None else os.getpid()
    for _ in range(_MAX_DEPTH):
        try:
            stat = Path(f"/proc/{current}/stat").read_bytes()
            current = int(stat[stat.rfind(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if current <= 0:
            break
        found.append(current)
    return found


def probed_by_ancestor() -> bool:
    """Whether an ancestor of this process probed bubblewrap successfully."""
    value = os.environ.get(PROBED_ENV, "")
    return value.isdigit() and int(value) > 1 and int(value) in ancestors()  # init probes nothing
