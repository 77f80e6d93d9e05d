"""Output pipes are drained by a thread that owns the read end: once a worker is stopped, no stale
reader is left to steal bytes from the pipes of the next worker (which reuse its numbers)."""

from __future__ import annotations

import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.core.remote import SubmissionFault, WorkerSession
from grader.core.values import Limits
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.drain import OutputCapture, TailCapture


def test_finish_stops_a_reader_whose_writer_never_closes() -> None:
    read_end, write_end = os.pipe()
    drain = OutputCapture(read_end, 1024, lambda: None)
    drain.start()
    os.write(write_end, b"before")
    time.sleep(0.05)
    drain.finish(timeout=0.1)  # the write end is still open: no end of file will come
    assert not drain.is_alive()
    assert drain.text() == "before"
    reused_r, reused_w = os.pipe()  # may well get the number the drain had
    try:
        os.write(reused_w, b"frame")
        assert os.read(reused_r, 100) == b"frame"
    finally:
        for fd in (reused_r, reused_w, write_end):
            os.close(fd)


def test_finish_is_idempotent_and_closes_an_unstarted_drain() -> None:
    read_end, write_end = os.pipe()
    drain = TailCapture(read_end, 4)
    drain.finish(timeout=0.1)
    drain.finish(timeout=0.1)
    with pytest.raises(OSError):
        os.fstat(read_end)
    os.close(write_end)


def test_tail_capture_keeps_the_last_bytes() -> None:
    read_end, write_end = os.pipe()
    drain = TailCapture(read_end, 4)
    drain.start()
    os.write(write_end, b"0123456789")
    os.close(write_end)
    drain.finish(timeout=5.0)
    assert drain.text() == "6789"


ESCAPES = """
import os, sys
WRITER = "import os, time\\ntime.sleep(2.0)\\nfor _ in range(50):\\n    os.write(2, b'x' * 4096); time.sleep(0.02)"
def f():
    if os.fork() == 0:  # a grandchild in a session of its own, with a clean environment: it escapes
        os.setsid()     # the process backend's kill and holds the output pipe open
        os.execve(sys.executable, [sys.executable, "-c", WRITER], {})
    return 1
"""

CHATTY = """
import sys, time
def f():
    for i in range(60):
        print(f"line {i}", file=sys.stderr, flush=True)
        time.sleep(0.05)
    return 2
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and setsid: Linux")
def test_an_escaped_writer_cannot_disturb_the_next_worker(tmp_path: Path) -> None:
    """The unisolated ``process`` backend cannot kill a process that left the worker's session:
    it holds the output pipe and writes after the worker was stopped. The next worker, whose pipes
    reuse the stopped one's numbers, must still get its own answer and all of its output."""
    def session(source: str, name: str) -> WorkerSession:
        path = tmp_path / f"{name}.py"
        path.write_text(textwrap.dedent(source))
        return WorkerSession(get_sandbox("process"), WorkerSpec(path, "solution", ("f",),
                                                                 Limits(call_time=10.0, output_kb=1024)))

    first = session(ESCAPES, "escapes")
    try:
        assert first.module().f() == 1
    finally:
        first.close()
    second = session(CHATTY, "chatty")
    try:
        assert second.module().f() == 2
    except SubmissionFault as exc:
        pytest.fail(f"the next worker's answer was lost: {exc}")
    finally:
        second.close()
    assert second.exits[-1].output.split() == [word for i in range(60) for word in ("line", str(i))]
    time.sleep(1.0)  # let the escaped writer finish
