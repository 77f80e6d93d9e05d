"""Each grading process of a pool with no more processes than cores runs on cores of its own."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from grader.course import core_slots
from grader.course.batch import default_executor


def test_the_cores_are_split_into_disjoint_sets_that_cover_them() -> None:
    assert core_slots.core_sets(2, [0, 1]) == [frozenset({0}), frozenset({1})]
    assert core_slots.core_sets(1, [0, 1, 2, 3]) == [frozenset({0, 1, 2, 3})]
    sets = core_slots.core_sets(3, [0, 1, 2, 3, 4, 5, 6, 7])
    assert sets is not None
    assert [len(s) for s in sets] == [3, 3, 2]
    assert frozenset().union(*sets) == frozenset(range(8))
    assert sum(len(s) for s in sets) == 8  # disjoint
    assert core_slots.core_sets(2, [4, 9]) == [frozenset({4}), frozenset({9})]  # the usable cores, not 0..n


def test_more_workers_than_cores_are_left_to_the_scheduler() -> None:
    assert core_slots.core_sets(3, [0, 1]) is None
    assert core_slots.core_sets(2, [0]) is None
    assert core_slots.core_sets(1, [0]) is None  # one core: nothing to place
    assert core_slots.core_sets(0, [0, 1]) is None


def test_processes_take_the_sets_in_turn_and_again_after_a_restart() -> None:
    counter = multiprocessing.get_context("spawn").Value("i", 0)
    sets = [frozenset({0}), frozenset({1})]
    assert [core_slots.claim(counter, sets) for _ in range(3)] == [sets[0], sets[1], sets[0]]


def _where() -> tuple[int, list[int]]:
    time.sleep(0.2)  # long enough that the pool's other process takes the next task
    return os.getpid(), sorted(os.sched_getaffinity(0))


@pytest.mark.skipif(len(core_slots.usable_cores()) < 2, reason="needs two cores")
def test_a_pool_of_two_runs_each_process_on_its_own_cores() -> None:
    executor = default_executor(2)
    try:
        seen: dict[int, list[int]] = {}
        for _ in range(10):
            seen.update(f.result(timeout=120) for f in [executor.submit(_where) for _ in range(4)])
            if len(seen) == 2:
                break
    finally:
        executor.shutdown()
    assert len(seen) == 2, seen
    first, second = (set(cores) for cores in seen.values())
    assert first and second and not first & second, seen
    assert first | second == set(core_slots.usable_cores()), seen


def test_a_pool_with_more_processes_than_cores_pins_none() -> None:
    usable = core_slots.usable_cores()
    executor = default_executor(len(usable) + 1)
    try:
        _, cores = executor.submit(_where).result(timeout=120)
    finally:
        executor.shutdown()
    assert cores == usable
