"""Threads that drain a pipe and own its read end.

Only the draining thread closes the descriptor, after its last read. Another thread must never
close it under a reader that may still be running: the number would be reused by the next
``pipe()`` (another worker's channel, say), and the stale reader would steal that channel's bytes.
A reader that does not see the end of its pipe in time (a process that escaped the kill still
holds the write end) is woken through a pipe of its own and stops.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections.abc import Callable

CHUNK = 65536
WAKE_TIME = 5.0  # for a woken reader to notice and stop


class PipeDrain(threading.Thread):
    """Reads ``fd`` until end of file (or ``finish`` gives up on it), handing each chunk to ``take``.
    Owns ``fd``: nobody else may close it once the thread is made."""

    def __init__(self, fd: int, name: str) -> None:
        super().__init__(daemon=True, name=name)
        self.fd = fd
        self._wake_r, self._wake_w = os.pipe()
        self._closed = False
        self._finished = False

    def take(self, chunk: bytes) -> None:
        raise NotImplementedError

    def run(self) -> None:
        try:
            poller = select.poll()
            poller.register(self.fd, select.POLLIN)
            poller.register(self._wake_r, select.POLLIN)
            while True:
                ready = {fd for fd, _ in poller.poll()}
                if self._wake_r in ready:
                    return
                chunk = os.read(self.fd, CHUNK)
                if not chunk:
                    return
                self.take(chunk)
        except OSError:
            return
        finally:
            self._close_ends()

    def _close_ends(self) -> None:
        if self._closed:
            return
        self._closed = True
        for fd in (self.fd, self._wake_r):
            with contextlib.suppress(OSError):
                os.close(fd)

    def finish(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the end of the pipe, then stop reading; the
        descriptors are closed when this returns. Idempotent. ``take`` must never wait for the
        caller of ``finish``."""
        if self._finished:
            return
        self._finished = True
        if self.ident is None:  # never started
            self._close_ends()
        else:
            self.join(timeout)
            if self.is_alive():
                with contextlib.suppress(OSError):
                    os.write(self._wake_w, b"x")
                self.join(WAKE_TIME)  # if it is still busy even so, it closes its ends when it ends
        with contextlib.suppress(OSError):
            os.close(self._wake_w)


class OutputCapture(PipeDrain):
    """Drains the worker's stderr, keeping at most ``limit`` bytes; calls ``on_exceed`` past it."""

    def __init__(self, fd: int, limit: int, on_exceed: Callable[[], None]) -> None:
        super().__init__(fd, "mljudge-output")
        self.limit = limit
        self.on_exceed = on_exceed
        self.data = bytearray()
        self.total = 0

    def take(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.total += len(chunk)
        if self.total > self.limit:
            self.on_exceed()

    def text(self) -> str:
        return self.data.decode("utf-8", errors="backslashreplace").replace("\x00", "\\x00")


class TailCapture(PipeDrain):
    """Drains a pipe, keeping its last ``keep`` bytes (a long-lived process's log)."""

    def __init__(self, fd: int, keep: int, name: str = "mljudge-log") -> None:
        super().__init__(fd, name)
        self.keep = keep
        self.data = bytearray()

    def take(self, chunk: bytes) -> None:
        self.data += chunk
        del self.data[:-self.keep]

    def text(self, last: int = 2000) -> str:
        return self.data.decode("utf-8", errors="replace")[-last:]
