"""The forkserver a batch's grading processes are forked from, started first thing.

It imports the judge (its pytest and numpy) and what the exercise's checks import (scikit-learn
takes most of a second) once for the machine. ``judge grade DIR`` starts it before it imports
anything heavy itself, so that those imports run on one core while the grader probes the sandbox,
finds the submissions and opens the gradebook on the other. This module imports only the standard
library and :mod:`grader.course.warmup` for that reason.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.forkserver
from typing import TYPE_CHECKING

from grader.course import warmup

if TYPE_CHECKING:
    from grader.core.assignment import AssignmentSpec

#: The trusted side's thread pools (BLAS, OpenMP and the libraries built on them).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")

#: The judge's own modules every grading process runs (the first keeps the imports' thread pools small).
JUDGE_MODULES = ("grader.course.single_threaded_imports", "grader.course.batch", "grader.core.grade")


def preload(assignment: AssignmentSpec | None) -> list[str]:
    """What the forkserver imports once for the machine, not once per process: the judge and what
    the checks import at their top. (Each process still runs a console script such as `judge`
    again, as multiprocessing does: ``grader.cli`` imports only click, its commands' modules are
    imported when they run.)"""
    modules = list(JUDGE_MODULES)
    if assignment is not None:
        modules += warmup.check_imports(warmup.check_folders(assignment), assignment.root)
    return modules


def context(assignment: AssignmentSpec | None) -> multiprocessing.context.ForkServerContext:
    """The forkserver context, told what to preload (only a forkserver not yet running takes it)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload(assignment))
    return ctx


def start(assignment: AssignmentSpec) -> None:
    """Start the forkserver now, importing what ``assignment``'s batch needs, while the caller does
    other work; the pool made later forks its processes from it. Never raises: a forkserver that
    cannot start fails again, reported, when the pool starts."""
    with contextlib.suppress(Exception):
        context(assignment)
        multiprocessing.forkserver.ensure_running()
