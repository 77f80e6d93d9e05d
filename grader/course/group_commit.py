"""Results written in groups by a thread of their own: one transaction for what arrived meanwhile.

A class batch hands over a result every few hundredths of a second; committing each alone costs
the grader process more than grading it (three queries, a commit and an fsync each). Here a writer
thread takes the first result waiting, lingers up to ``linger`` seconds for more (at most ``most``),
writes them with one call and goes on. So a result is in the gradebook within about ``linger``
seconds of its grading, and a grader killed meanwhile loses only those (a rerun grades them again).

A write that fails stops the writer: the next :meth:`GroupCommit.put` or :meth:`GroupCommit.close`
raises its exception in the caller's thread, as a write of the caller's own would.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

#: Seconds a group waits for more after its first result.
LINGER = 0.25
#: The most results one write takes.
MOST = 64

_STOP = object()


class GroupCommit(Generic[T]):
    """``write`` (a list of items, in arrival order) called from one thread of its own."""

    def __init__(self, write: Callable[[Sequence[T]], None], *, linger: float = LINGER, most: int = MOST) -> None:
        self._write, self._linger, self._most = write, linger, max(1, most)
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="mljudge-group-commit", daemon=True)
        self._thread.start()

    def put(self, item: T) -> None:
        """Queue ``item`` for the next group; raises what a previous write raised."""
        self._raise_failure()
        if self._closed:
            raise RuntimeError("this group commit is closed")
        self._queue.put(item)

    def close(self) -> None:
        """Write what is queued, stop the thread (idempotent); raises what a write raised."""
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join()
        self._raise_failure()

    def __enter__(self) -> GroupCommit[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.close()
            return
        with contextlib.suppress(Exception):  # the caller's own exception wins; what can be written still is
            self.close()

    def _raise_failure(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is _STOP:
                return
            group: list[T] = [first]  # type: ignore[list-item]
            deadline = time.monotonic() + self._linger
            while len(group) < self._most:
                try:
                    item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                group.append(item)  # type: ignore[arg-type]
            try:
                self._write(group)
            except BaseException as exc:  # handed to the caller's thread
                self._error = exc
                return
