"""Imported first by a batch's forkserver (:mod:`grader.course.forkserver`): the libraries it then
imports (numpy's OpenBLAS, scikit-learn's OpenMP…) start one thread each, not one per core.

Starting a thread pool per core cost the forkserver about 0.15 s of CPU on another core while the
grader was busy there; each grading process forked from it sets its own share of the cores
(:func:`grader.course.batch.pin_thread_pools`, which can raise a pool as well as lower it).
Only the forkserver imports this module: its import changes the process's environment.
"""

from __future__ import annotations

import os

from grader.course.forkserver import THREAD_VARIABLES

for _name in THREAD_VARIABLES:
    os.environ[_name] = "1"
