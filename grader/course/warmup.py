"""A batch's grading processes get ready before their first submission.

- The pool's forkserver imports what the exercise's checks import at their top (numpy, pytest,
  scikit-learn…) once for the machine: every grading process is forked with them loaded.
- Each grading process, as it starts, starts its sandbox's warm workers (a ``bwrap-warm``
  zygote) in a thread while it collects the checks, so that the two overlap.
- How many grading processes a batch gets follows the work: a process (and its zygote) costs
  about as much to start as grading several small submissions, so a handful of submissions get one.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.core.assignment import AssignmentSpec

#: A grading process beyond the first is started only for this many submissions each: a second
#: process and its zygote cost about half a second of start-up on a core of their own. Measured
#: (2 cores, recommender-svd's 20-mix): 20 submissions take 2.0 s with two processes, 2.2 s with one.
MIN_TASKS_PER_WORKER = 8

#: Libraries that start threads when imported: a process forked after importing them is unsafe.
FORK_UNSAFE = frozenset({"tensorflow", "keras", "torch", "jax", "jaxlib"})


def workers_for(tasks: int, requested: int | None = None, cores: int | None = None) -> int:
    """How many grading processes ``tasks`` submissions get: never more than submissions; by default
    one per core, but a second (third…) only with at least ``MIN_TASKS_PER_WORKER`` submissions each."""
    if requested is not None:
        return max(1, min(requested, tasks))
    return max(1, min(cores or os.cpu_count() or 1, tasks // MIN_TASKS_PER_WORKER))


def check_folders(assignment: AssignmentSpec) -> list[Path]:
    """The exercise's check folders a batch grades with: the public ones, and the hidden ones if any."""
    return [assignment.public_checks, *([assignment.hidden_checks] if assignment.hidden_checks.is_dir() else [])]


def check_imports(folders: Iterable[Path], root: Path) -> tuple[str, ...]:
    """The modules the check files under ``folders`` import at their top level, installed and not
    part of the exercise (its own helpers are left to the checks' collection), minus fork-unsafe ones."""
    names: set[str] = set()
    for folder in folders:
        for path in sorted(Path(folder).rglob("*.py")) if Path(folder).is_dir() else ():
            with contextlib.suppress(OSError, SyntaxError, ValueError):
                names.update(_top_level_imports(ast.parse(path.read_bytes(), filename=str(path))))
    return tuple(sorted(name for name in names if _importable(name, root)))


def _top_level_imports(tree: ast.Module) -> Iterable[str]:
    for node in tree.body:
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module != "__future__":
            yield node.module


def _importable(name: str, root: Path) -> bool:
    top = name.split(".")[0]
    if top in FORK_UNSAFE or top in {"checks", "conftest"}:
        return False
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None:
        return False
    origin = getattr(spec, "origin", None)
    return not (isinstance(origin, str) and Path(origin).resolve().is_relative_to(root.resolve()))


def prepare(assignment_root: str, sandbox_name: str) -> None:
    """Make this grading process ready for the exercise: the sandbox's warm workers start in a
    thread while the checks are collected. Never raises: what fails here fails again, reported,
    when the first submission is graded."""
    from grader.core.suite import SUITES
    from grader.course.batch import _assignment, _sandbox

    try:
        assignment = _assignment(assignment_root)
        sandbox = _sandbox(sandbox_name)
    except Exception:
        return
    warm = threading.Thread(target=_quietly, args=(sandbox.prepare, assignment.preload, assignment.allowed),
                            name="mljudge-prepare", daemon=True)
    warm.start()
    _quietly(SUITES.get, check_folders(assignment), assignment.root)
    warm.join()


def _quietly(function: Callable[..., object], *args: object) -> None:
    with contextlib.suppress(Exception):
        function(*args)
