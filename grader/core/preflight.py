"""Before grading: can this environment import what the exercise needs?

A grader without TensorFlow must not give a correct Keras submission "0/10 crashed": an exercise's
``preload`` and ``allowed`` modules (what its submissions import on the sandbox's side, the same
Python here) are looked up first, and a missing one makes the grade a judge error naming it.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache


@lru_cache(maxsize=64)
def missing_modules(names: tuple[str, ...]) -> tuple[str, ...]:
    """The modules of ``names`` this Python cannot find (looked up, not imported, where it can)."""
    missing = []
    for name in names:
        try:
            found = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            found = None
        if found is None:
            missing.append(name)
    return tuple(missing)


def missing_problem(missing: tuple[str, ...]) -> str:
    """The judge-error note for modules the environment lacks."""
    names = ", ".join(repr(m) for m in missing)
    hint = " (pip install 'mljudge[tf]')" if any(m.split(".")[0] in {"tensorflow", "keras"} for m in missing) else ""
    return (f"the judge's environment cannot import {names}, which this exercise needs "
            f"(limits.preload or assignment.allowed): "
            f"install it where the grader and its sandboxes run{hint}, or fix a misspelt name")
