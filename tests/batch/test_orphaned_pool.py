"""A grader killed with SIGKILL leaves nothing behind: its pool's processes (idle or grading), the
forkserver and the sandboxed worker of a grading in progress all end within seconds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.batch.helpers import EXAMPLES, EXERCISE, SANDBOX, descendants
from tests.conftest import REPO

GRADER = """
import sys, time, concurrent.futures as cf
from grader.core.assignment import load_assignment
from grader.core.values import Submission
from grader.course import batch

assignment = load_assignment(__import__("pathlib").Path(sys.argv[1]))
pool = batch.default_executor(2, assignment=assignment, sandbox_name=sys.argv[2])
cf.wait([pool.submit(batch._ready) for _ in range(2)])
looping = Submission.from_path(__import__("pathlib").Path(sys.argv[3]))
pool.submit(batch.grade_task, str(assignment.root), sys.argv[2], str(looping.path), looping.sha256, "looping")
print("ready", flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_grader_leaves_no_pool_forkserver_or_sandbox_behind() -> None:
    left: set[int] = set()
    grader = subprocess.Popen([sys.executable, "-c", GRADER, str(EXERCISE), SANDBOX,
                               str(EXAMPLES / "infinite-loop" / "solution.py")],
                              cwd=REPO, stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert grader.stdout is not None and grader.stdout.readline().strip() == "ready"
        time.sleep(3)  # the looping submission is inside its sandbox by now
        left = descendants(grader.pid) - {grader.pid}
        assert len(left) >= 4, left  # the forkserver, two pool processes, the sandbox (at least)
        os.kill(grader.pid, signal.SIGKILL)
        grader.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in left):
            time.sleep(0.2)
        survivors = {p: Path(f"/proc/{p}/cmdline").read_bytes()[:120] for p in left if _alive(p)}
        assert not survivors, survivors
    finally:
        for pid in [grader.pid, *left] if grader.poll() is None else left:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
