"""Which of the checks' arrays a call into the submission changed in place (``harness.in_place``).

Arguments cross the boundary as copies, so the checks' own arrays never change, whatever the
submission does: a check that computes its expected values after the call cannot be fooled by
a submission that overwrites them. The worker names, with a call's result, the array arguments
whose contents the call changed; this record keeps which of the checks' arrays those were, for
the ``changed_in_place`` fixture ("transform must not change its argument").
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np


class ChangedArguments:
    """The checks' arrays that calls changed in place since :meth:`clear` (a check's start)."""

    def __init__(self) -> None:
        self._changed: dict[int, weakref.ref[np.ndarray]] = {}

    def clear(self) -> None:
        self._changed.clear()

    def record(self, changed: Any, args: list[Any], kwargs: dict[str, Any]) -> bool:
        """Note each ``[kind, key]`` of a reply's ``changed`` list (``"a"``: a positional index,
        ``"k"``: a keyword); False if the list is malformed (the worker never sends one)."""
        if type(changed) is not list:
            return False
        for entry in changed:
            if type(entry) is not list or len(entry) != 2:
                return False
            kind, key = entry
            if kind == "a" and type(key) is int and 0 <= key < len(args):
                target = args[key]
            elif kind == "k" and type(key) is str and key in kwargs:
                target = kwargs[key]
            else:
                return False
            if isinstance(target, np.ndarray):
                self._changed[id(target)] = weakref.ref(target)
        return True

    def __call__(self, array: Any) -> bool:
        """Whether a call of the current check changed ``array`` (passed as an argument) in place."""
        ref = self._changed.get(id(array))
        return ref is not None and ref() is array
