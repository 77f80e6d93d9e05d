"""Start children that must outlive the thread that asks for them.

Linux sends the parent-death signal (``PR_SET_PDEATHSIG``, which bubblewrap's ``--die-with-parent``
sets) when the *thread* that forked the child exits, not the process. A warm zygote started from
a short-lived thread (a batch process getting ready while it collects the checks) was killed as
soon as that thread ended, and the first submission started another. Long-lived children are
therefore forked by one daemon thread per process, which lasts as long as the process does.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_requests: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] | None = None
_pid = 0


def call(function: Callable[[], T]) -> T:
    """``function()``, run in this process's lasting thread (at once when called from the main
    thread, which lasts as long as the process); its exception is raised here."""
    if threading.current_thread() is threading.main_thread():
        return function()
    done: Future[T] = Future()
    _queue().put((function, done))
    return done.result()


def _queue() -> queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]]:
    global _requests, _pid
    with _lock:
        if _requests is None or _pid != os.getpid():  # a forked child has no such thread
            _requests, _pid = queue.SimpleQueue(), os.getpid()
            threading.Thread(target=_serve, args=(_requests,), name="mljudge-spawner", daemon=True).start()
        return _requests


def _serve(requests: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]]) -> None:
    while True:
        function, done = requests.get()
        try:
            done.set_result(function())
        except BaseException as exc:  # handed to the caller
            done.set_exception(exc)
