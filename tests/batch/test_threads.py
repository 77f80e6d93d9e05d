"""Every grading process of a batch pins the trusted side's thread pools to its share of the cores."""

from __future__ import annotations

import os
import subprocess
import sys

from grader.course import core_slots, forkserver
from grader.course.batch import THREAD_VARIABLES, default_executor, threads_per_worker
from tests.conftest import REPO


def pool_widths() -> dict[str, object]:
    """Run in a pool process: its thread-pool variables and the width of each loaded BLAS/OpenMP pool."""
    import numpy as np
    from threadpoolctl import threadpool_info

    np.dot(np.ones((64, 64)), np.ones((64, 64)))  # BLAS is loaded and used
    return {"env": {name: os.environ.get(name) for name in THREAD_VARIABLES},
            "pools": sorted({info["num_threads"] for info in threadpool_info()})}


def test_each_share_is_the_cores_divided_by_the_workers() -> None:
    assert threads_per_worker(2, cores=2) == 1
    assert threads_per_worker(1, cores=8) == 8
    assert threads_per_worker(3, cores=8) == 2
    assert threads_per_worker(16, cores=2) == 1


def test_pool_processes_use_their_share_only() -> None:
    workers = 2
    share = threads_per_worker(workers)
    executor = default_executor(workers)
    try:
        widths = executor.submit(pool_widths).result(timeout=120)
    finally:
        executor.shutdown()
    assert set(widths["env"].values()) == {str(share)}, widths
    assert widths["pools"] and max(widths["pools"]) <= share, widths



def test_the_forkserver_imports_with_one_thread_per_pool() -> None:
    """Its first preload pins the pools, so numpy's OpenBLAS (and the rest) start no thread per core
    beside the grader; a test in a fresh interpreter, as the forkserver is one."""
    assert forkserver.preload(None)[0] == "grader.course.single_threaded_imports"
    probe = ("import grader.course.single_threaded_imports, numpy, os\n"
             "print(open(f'/proc/{os.getpid()}/status').read().split('Threads:')[1].split()[0])")
    threads = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60,
                             check=True).stdout.strip()
    assert threads == "1", threads
    importer = ("import os\nos.environ.pop('OMP_NUM_THREADS', None)\nimport grader.course.batch, grader.cli.classwide\n"
                "print(os.environ.get('OMP_NUM_THREADS'))")
    unchanged = subprocess.run([sys.executable, "-c", importer], cwd=REPO, capture_output=True, text=True,
                               timeout=60, check=True).stdout.strip()
    assert unchanged == "None", "importing the batch changed the grader's own thread pools"


def test_a_single_worker_widens_its_pools_to_every_core_again() -> None:
    """A grading process forked from that forkserver gets its share of the cores (all of them, alone)."""
    cores = len(core_slots.usable_cores())
    executor = default_executor(1)
    try:
        widths = executor.submit(pool_widths).result(timeout=120)
    finally:
        executor.shutdown()
    assert set(widths["env"].values()) == {str(cores)}, widths
    assert widths["pools"] and max(widths["pools"]) == cores, widths
