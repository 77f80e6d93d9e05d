"""Which array arguments a call changed in place ("transform must not change its argument").

An argument reaches the worker as a fresh copy, so a submission that writes into its argument
(``X[np.isnan(X)] = 0``) changes nothing on the trusted side, and the checks could not tell. The
worker remembers which top-level arguments were arrays and the bytes they arrived as; after the
call it names, with the result, those whose contents changed (``[kind, key]``, never the contents:
a changed training set may be large). The grader notes which of the checks' arrays those were
(``grader.core.changed_arguments``).

Runs next to untrusted code: the grader validates what it receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class PassedArray:
    """One array argument of a call: where it sat, the object the submission got, its bytes then."""

    kind: str  # "a": positional (key: its index); "k": keyword (key: its name)
    key: int | str
    array: np.ndarray
    dtype: str
    shape: tuple[int, ...]
    original: bytes


def passed_arrays(args_tree: Any, kwargs_tree: Any, args: list[Any], kwargs: dict[str, Any],
                  buffers: list[bytes]) -> list[PassedArray]:
    """The top-level array arguments of a call, from the request's trees and the decoded values."""
    found: list[PassedArray] = []
    if type(args_tree) is list:
        for index, tree in enumerate(args_tree):
            if index < len(args):
                _add(found, "a", index, tree, args[index], buffers)
    if type(kwargs_tree) is dict and type(kwargs_tree.get("v")) is list:
        for pair in kwargs_tree["v"]:
            if type(pair) is list and len(pair) == 2 and type(pair[0]) is str and pair[0] in kwargs:
                _add(found, "k", pair[0], pair[1], kwargs[pair[0]], buffers)
    return found


def _add(found: list[PassedArray], kind: str, key: int | str, tree: Any, value: Any, buffers: list[bytes]) -> None:
    if type(tree) is not dict or tree.get("t") != "nd" or type(value) is not np.ndarray:
        return
    index = tree.get("b")
    if type(index) is int and 0 <= index < len(buffers):
        found.append(PassedArray(kind, key, value, value.dtype.str, value.shape, buffers[index]))


def changed_in_place(passed: list[PassedArray]) -> list[list[Any]]:
    """``[kind, key]`` for each passed array whose contents the call changed."""
    changed = []
    for item in passed:
        array = item.array
        if array.dtype.str != item.dtype or array.shape != item.shape:
            changed.append([item.kind, item.key])  # reshaped, resized or retyped in place
            continue
        now = np.ascontiguousarray(array).reshape(-1).view(np.uint8)
        if not np.array_equal(now, np.frombuffer(item.original, dtype=np.uint8)):
            changed.append([item.kind, item.key])
    return changed
