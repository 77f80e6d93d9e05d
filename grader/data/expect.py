"""Assertions for exercise checks whose failure messages show the offending values (where and what),
so that a student can act on them: ``finite(pred, "predict(users, items)")``,
``within(pred, 0.5, 5.5, "predict(users, items)")``."""

from __future__ import annotations

from typing import Any

import numpy as np

SHOWN = 5


def _where(index: tuple[np.intp, ...]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _examples(values: np.ndarray, bad: np.ndarray) -> str:
    places = np.argwhere(bad)
    shown = ", ".join(f"{_where(tuple(p))} = {float(values[tuple(p)])!r}" for p in places[:SHOWN])
    more = f" (and {len(places) - SHOWN} more)" if len(places) > SHOWN else ""
    return f"{len(places)} of {values.size} values: {shown}{more}"


def finite(values: Any, what: str) -> np.ndarray:
    """``values`` as a float array; an AssertionError naming the NaN or infinite ones if any."""
    array = np.asarray(values, dtype=float)
    bad = ~np.isfinite(array)
    if bad.any():
        raise AssertionError(f"{what} returned NaN or infinite values: {_examples(array, bad)}")
    return array


def within(values: Any, low: float, high: float, what: str) -> np.ndarray:
    """``values`` as a finite float array in [``low``, ``high``]; else an AssertionError showing them."""
    array = finite(values, what)
    bad = (array < low) | (array > high)
    if bad.any():
        raise AssertionError(f"{what} should be in [{low:g}, {high:g}]; outside it: {_examples(array, bad)}")
    return array
