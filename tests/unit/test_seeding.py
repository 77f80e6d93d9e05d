"""harness.seeding: each library's global generator seeded once, when first seen loaded."""

from __future__ import annotations

import random
import sys
import types

import numpy as np
import pytest

from harness.seeding import Seeder, parse_seed


def test_loaded_generators_start_from_the_seed_once() -> None:
    seeder = Seeder(7)
    seeder.seed_new()
    first = (random.random(), float(np.random.rand()))
    assert first == (random.Random(7).random(), float(np.random.RandomState(7).rand()))
    seeder.seed_new()  # seen already: the draws go on, they do not start over
    assert (random.random(), float(np.random.rand())) != first


def test_a_library_imported_later_is_seeded_when_first_seen(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds: list[object] = []
    fake = types.SimpleNamespace(manual_seed=seeds.append, seed=lambda: seeds.append("entropy"))
    monkeypatch.delitem(sys.modules, "torch", raising=False)
    seeder = Seeder(3)
    seeder.seed_new()
    assert seeds == []
    monkeypatch.setitem(sys.modules, "torch", fake)
    seeder.seed_new()
    seeder.seed_new()
    assert seeds == [3]
    Seeder(None).seed_new()
    assert seeds == [3, "entropy"]


def test_no_seed_means_entropy_and_a_broken_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    draws = set()
    for _ in range(3):
        Seeder(None).seed_new()
        draws.add(float(np.random.rand()))
    assert len(draws) == 3
    monkeypatch.setitem(sys.modules, "tensorflow", types.SimpleNamespace())  # no .random: skipped
    Seeder(1).seed_new()
    assert float(np.random.rand()) == float(np.random.RandomState(1).rand())


@pytest.mark.parametrize(("value", "seed"), [(0, 0), (2**32 - 1, 2**32 - 1), (2**32, None), (-1, None),
                                             (True, None), ("5", None), (None, None), (1.0, None)])
def test_parse_seed(value: object, seed: int | None) -> None:
    assert parse_seed(value) == seed
