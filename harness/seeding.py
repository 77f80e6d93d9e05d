"""Reproducible randomness in the worker: the global generators a submission draws from unseeded
(Python's ``random``, numpy's legacy global generator, TensorFlow's and Keras's global seeds,
PyTorch's) start from the exercise's seed in every worker, cold or warm, so that the same
submission gets the same score on every run and in every sandbox.

A library is seeded once, the first time the worker sees it loaded: before the submission is
imported (numpy, and the exercise's preloaded libraries), then after the import and before each
call (what the submission imported itself). The points are the same in every backend, so the
draws are too. With no seed (``seed = false`` in assignment.toml) the generators are re-seeded
from the system's entropy instead, so that warm workers never share the zygote's state.

Runs next to untrusted code: a submission may replace these modules; that only changes its own draws.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any


def _python(module: ModuleType, seed: int | None) -> None:
    module.seed(seed)


def _numpy(module: ModuleType, seed: int | None) -> None:
    module.random.seed(seed)


def _tensorflow(module: ModuleType, seed: int | None) -> None:
    if seed is not None:  # TensorFlow draws its op seeds from entropy when none is set
        module.random.set_seed(seed)


def _keras(module: ModuleType, seed: int | None) -> None:
    if seed is not None:  # also resets Keras's own global SeedGenerator (and re-seeds random, numpy, tf)
        module.utils.set_random_seed(seed)


def _torch(module: ModuleType, seed: int | None) -> None:
    if seed is None:
        module.seed()
    else:
        module.manual_seed(seed)


#: In this order: Keras re-seeds the ones before it, to the same seed.
LIBRARIES: tuple[tuple[str, Callable[[ModuleType, int | None], None]], ...] = (
    ("random", _python), ("numpy", _numpy), ("tensorflow", _tensorflow), ("keras", _keras), ("torch", _torch),
)


class Seeder:
    """Seeds each library of ``LIBRARIES`` once, the first time :meth:`seed_new` finds it loaded."""

    def __init__(self, seed: int | None) -> None:
        self.seed = seed
        self.seeded: set[str] = set()

    def seed_new(self) -> None:
        for name, seed_it in LIBRARIES:
            if name in self.seeded:
                continue
            module: Any = sys.modules.get(name)
            if module is None:
                continue
            self.seeded.add(name)
            with contextlib.suppress(Exception):  # a half-imported or replaced module: its own business
                seed_it(module, self.seed)


def parse_seed(value: object) -> int | None:
    """The seed the grader sent (an int, or None for entropy); anything else is no seed."""
    return value if type(value) is int and 0 <= value < 2**32 else None
