"""End a grading process when the process that started it is gone.

A batch's pool processes wait for work on a pipe whose write end they hold themselves, and each holds
the forkserver's "alive" pipe: when the grader (a `judge grade`, a server's grading worker) is
killed with SIGKILL, nothing would ever tell them to stop, and they and the forkserver would stay
forever. Each pool process watches the grader's pid (a pidfd: no polling, no pid reuse) and, when
it ends, calls ``on_gone`` in a thread of its own.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import time
from collections.abc import Callable

#: Seconds between two looks where pidfds are not available (a pid reused meanwhile is missed).
POLL_SECONDS = 1.0


def watch(pid: int, on_gone: Callable[[], None]) -> None:
    """Call ``on_gone`` (in a daemon thread) once process ``pid`` has ended; now if it already has."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        on_gone()
        return
    except (AttributeError, OSError):
        fd = -1
    threading.Thread(target=_wait, args=(pid, fd, on_gone), name="mljudge-parent-watch", daemon=True).start()


def _wait(pid: int, fd: int, on_gone: Callable[[], None]) -> None:
    if fd >= 0:
        select.select([fd], [], [])  # readable once the process has ended
        with contextlib.suppress(OSError):
            os.close(fd)
    else:
        while _alive(pid):
            time.sleep(POLL_SECONDS)
    on_gone()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
