"""Each grading process of a batch on cores of its own.

A grading process and its sandbox chain (the warm zygote, the keeper, the worker) hand the work back
and forth: the trusted checks wait for the worker's replies and the worker for the next call. Left
to the scheduler, two such chains on two cores keep meeting on one core while the other idles, and
each move loses its caches: on this project's 2-core machine a 400-submission batch took 15.5-16 s
unpinned and 13.3-13.6 s with each process (and so its sandboxes, which inherit it) on a core of
its own. A pool with no more processes than cores therefore splits the cores the grader may use
into disjoint sets, one per process; a pool with more processes than cores is left to the
scheduler (sharing a core is the scheduler's job). The pin is a placement, not a limit: CPU time
limits stay the sandbox's (rlimits, cgroups).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from multiprocessing.sharedctypes import Synchronized


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
    """Run this process (and what it starts from now on) on ``cores``; False where it cannot."""
    try:
        os.sched_setaffinity(0, cores)
    except (AttributeError, OSError, ValueError):
        return False
    return True
