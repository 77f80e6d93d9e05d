"""The ``bwrap-warm`` backend: warm sandboxed workers forked from a zygote (``harness.zygote``).
Here the pools of zygotes; the zygote's client is ``warm_zygote``, the keepers' ``warm_keeper``,
the workers' ``warm_worker``.

The heavy libraries an exercise declares (``preload`` in ``[limits]`` of its assignment.toml;
numpy is always there, the harness needs it) are imported once per zygote, inside one long-lived
bubblewrap sandbox built like the ``bwrap`` backend's (every namespace, uid nobody, read-only
system, no network, dies with the grader), plus ``CAP_SYS_ADMIN`` (and ``CAP_SETFCAP``, to map the
worker's uid) in its own user namespace so that it can give each child namespaces of its own.
For each worker the grader:

1. makes the channel (two pipes), the output pipe, a memfd for the submission, a "go" pipe, a
   "report" pipe and a "setup" pipe, and passes them to the zygote with ``fork`` (``SCM_RIGHTS``);
2. finds the forked keeper's host pid in the zygote's control group (``/proc/<pid>/status``
   NSpid), moves it into a fresh per-worker control group (memory, pids, CPU accounting), and
   only then writes "g": the keeper builds its namespaces and waits. Steps 1–2 for the *next*
   submission happen while the current one starts (the fork before its code runs; joining the
   group in the background), so a batch does not wait for them;
2b. writes the submission to the memfd and "s"; waits for the worker's "k" on the setup pipe
   (isolated, about to import the submission); a worker lost before that is the judge's failure;
3. talks to the worker with ``harness.protocol`` frames, size caps and deadlines exactly as with a
   cold worker (``grader.core.remote`` does not know the difference);
4. stops it by killing its control group, reads the worker's wait status from the report pipe,
   asks the zygote to reap the keeper and compares the zygote's fingerprint with the one it had
   when it started; a zygote that changed, died or stopped answering is thrown away and a new one
   started for the next worker (a denial of service at worst, never a poisoning).

One zygote runs one child at a time; a second worker wanted while one runs (another thread or
session) gets another zygote of the pool. Pools are per grader process, keyed by the preload
list and the allowed packages (``grader.sandbox.site_mounts``: the zygote sees only those), and
closed with ``WarmBwrapSandbox.close_all()`` (also at exit).

Differences from a cold ``bwrap`` worker, on purpose: the preloaded libraries' pages were charged
to the zygote's group, so the per-worker memory figure and limit count what the submission
allocates on top of them (a cold worker also counts the interpreter and the imports); and
``PYTHONHASHSEED`` and module state are the zygote's, as they would be right after the imports.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import socket
import sys
import threading
from typing import ClassVar

from grader.sandbox import leftovers
from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm_keeper import Keeper, KeeperKey
from grader.sandbox.warm_worker import WarmWorker
from grader.sandbox.warm_zygote import ZYGOTE_DIR_PREFIX, Zygote, owner_tag

__all__ = ["Keeper", "KeeperKey", "WarmBwrapSandbox", "Zygote", "owner_tag", "preload_of"]

#: Always preloaded: the harness itself imports numpy.
BASE_PRELOAD = ("numpy",)


def preload_of(spec: WorkerSpec) -> tuple[str, ...]:
    return _with_base(tuple(spec.preload))


def _with_base(declared: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*BASE_PRELOAD, *declared)))


class WarmBwrapSandbox(Sandbox):
    """bwrap workers forked from a warm zygote; opt-in (not in ``auto``)."""

    name = "bwrap-warm"
    isolated = True

    #: keyed by what the zygote imports and what its sandbox lets it see (preload, allowed)
    _pools: ClassVar[dict[tuple[tuple[str, ...], tuple[str, ...] | None], list[Zygote]]] = {}
    _pools_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def available(cls) -> bool:
        return (sys.platform.startswith("linux") and hasattr(socket, "send_fds") and BwrapSandbox.available()
                and BwrapSandbox.cgroups_available())

    def prepare(self, preload: tuple[str, ...] = (), allowed: tuple[str, ...] | None = None) -> None:
        """Start an idle zygote for ``preload`` and ``allowed`` now (none if one is idle already)."""
        self._acquire(_with_base(tuple(preload)), allowed).busy.release()

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        for attempt in range(2):
            zygote = self._acquire(preload_of(spec), spec.allowed)
            try:
                return WarmWorker(zygote, spec)
            except SandboxError:
                zygote.busy.release()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _acquire(cls, preload: tuple[str, ...], allowed: tuple[str, ...] | None = None) -> Zygote:
        """An idle, live zygote for ``preload`` and ``allowed`` (busy held), starting one if there is none."""
        key = (preload, allowed)
        with cls._pools_lock:
            pool = cls._pools.setdefault(key, [])
            for zygote in list(pool):
                if zygote.owner != os.getpid():  # inherited through fork: not ours to use or stop
                    pool.remove(zygote)
                    continue
                if not zygote.busy.acquire(blocking=False):
                    continue
                if zygote.alive():
                    return zygote
                zygote.busy.release()
                pool.remove(zygote)
                zygote.close()
        _close_at_exit()
        zygote = Zygote(preload, allowed)  # outside the lock: this takes seconds
        zygote.busy.acquire()
        with cls._pools_lock:
            cls._pools.setdefault(key, []).append(zygote)
        return zygote

    @classmethod
    def pool_pids(cls) -> list[int]:
        """Host pids of the live zygotes' sandboxes (for tests)."""
        with cls._pools_lock:
            return [z.proc.pid for pool in cls._pools.values() for z in pool if z.proc is not None and z.alive()]

    @classmethod
    def quiesce(cls) -> int:
        """Wait for every zygote's background work; return how many keepers wait prepared ahead
        (each holds a control group of its own until used or discarded)."""
        with cls._pools_lock:
            zygotes = [z for pool in cls._pools.values() for z in pool if z.owner == os.getpid()]
        for zygote in zygotes:
            zygote.quiesce()
        return sum(1 for z in zygotes if z.spare is not None and not z.dead)

    @classmethod
    def close_all(cls) -> None:
        """Stop every zygote this process started."""
        with cls._pools_lock:
            pools, cls._pools = cls._pools, {}
        for pool in pools.values():
            for zygote in pool:
                if zygote.owner == os.getpid():
                    zygote.close()


_hooked: set[int] = set()


def _close_at_exit() -> None:
    """Once per process (registered where the first zygote starts, not where this module was
    imported: a forkserver imports it for all its children): close this process's pools at exit."""
    if os.getpid() in _hooked:
        return
    _hooked.add(os.getpid())
    if leftovers.first_sweep("zygote folders"):  # those of zygotes whose grader is gone
        leftovers.remove_temp_orphans(ZYGOTE_DIR_PREFIX)
    atexit.register(WarmBwrapSandbox.close_all)
    # a multiprocessing worker (a batch's pool) ends without atexit, but runs these finalizers
    multiprocessing.util.Finalize(None, WarmBwrapSandbox.close_all, exitpriority=100)
