"""The trusted side of ``harness.in_place``: arrays the submission changed in place during a call
are written into the checks' own arguments, as a call within one process would leave them.

Only the checks' writeable arrays are written, and only with an array of their own shape and dtype
(plain data that the decoder already validated). A check keeps an array safe from the submission
by passing a read-only one (``array.flags.writeable = False``) or a copy.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def write_back(changed: Any, args: list[Any], kwargs: dict[str, Any]) -> bool:
    """Copy each ``[kind, key, array]`` of ``changed`` into the argument it names; False if the
    list is malformed (a protocol violation: the worker never sends one)."""
    if type(changed) is not list:
        return False
    for entry in changed:
        if type(entry) is not list or len(entry) != 3 or type(entry[2]) is not np.ndarray:
            return False
        kind, key, array = entry
        if kind == "a" and type(key) is int and 0 <= key < len(args):
            target = args[key]
        elif kind == "k" and type(key) is str and key in kwargs:
            target = kwargs[key]
        else:
            return False
        if (isinstance(target, np.ndarray) and target.flags.writeable
                and target.shape == array.shape and target.dtype == array.dtype):
            np.copyto(target, array, casting="no")
    return True
