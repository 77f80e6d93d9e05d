"""Each grading process of a batch, and the sandbox machinery it starts, on cores of its own.

A grading process and its sandboxes hand the work back and forth: the trusted checks wait for the
worker's replies and the worker for the next call, with a warm zygote and its keepers preparing the
next one. Left to the scheduler, two such chains on two cores kept meeting on one core while the
other idled (a core idle 17.6 % of the time in the steady state of a 2-worker batch, 2 % pinned),
and each move lost the caches: a 400-submission batch of recommender-svd took 15.5-16.0 s
unpinned and 13.1-13.6 s with each grading process on a core of its own. A pool with no more
processes than cores therefore splits the cores the grader may use into disjoint sets, one per
process; a pool with more processes than cores is left to the scheduler.

The submission's own work is not pinned: each sandboxed worker is told to run on every core the
grader may use (``grader.sandbox.worker_env.WORKER_CORES_ENV``, ``harness.worker.run_on``), so a
heavy submission still takes a core its neighbour leaves idle (``judge verify image-recognition``:
118.5 s with the workers pinned too, 111.9 s with them free, 112.4 s with nothing pinned). A pin
is a placement, not a limit: CPU limits stay the sandbox's (rlimits, cgroups).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from multiprocessing.sharedctypes import Synchronized

from grader.sandbox.worker_env import WORKER_CORES_ENV


def usable_cores() -> list[int]:
    """The cores this process may run on, in order (its affinity: a container's or taskset's share)."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # no affinity on this platform
        return list(range(os.cpu_count() or 1))


def core_sets(workers: int, cores: Sequence[int]) -> list[frozenset[int]] | None:
    """``workers`` disjoint, contiguous sets that share out ``cores`` (the first sets take one more
    when they do not divide evenly), or None when there are more workers than cores (or one core)."""
    if workers < 1 or workers > len(cores) or len(cores) < 2:
        return None
    size, extra = divmod(len(cores), workers)
    sets, start = [], 0
    for index in range(workers):
        end = start + size + (1 if index < extra else 0)
        sets.append(frozenset(cores[start:end]))
        start = end
    return sets


def claim(counter: Synchronized[int], sets: Sequence[frozenset[int]]) -> frozenset[int]:
    """The next set, in the order the pool's processes start (``counter`` is the pool's shared count:
    a process started after one died takes a set again, in turn)."""
    with counter.get_lock():
        index = counter.value
        counter.value = index + 1
    return sets[index % len(sets)]


def pin(cores: frozenset[int]) -> bool:
    """Run this process (and what it starts from now on) on ``cores``, its sandboxed workers on every
    core it could use before; False where it cannot."""
    usable = usable_cores()
    try:
        os.sched_setaffinity(0, cores)
    except (AttributeError, OSError, ValueError):
        return False
    os.environ[WORKER_CORES_ENV] = ",".join(str(core) for core in usable)
    return True
