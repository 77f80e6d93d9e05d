"""The same submission draws the same numbers in every backend and on every run: the worker
seeds the global generators (``harness.seeding``) at the same points, cold or warm, so that a
submission's unseeded training gives it one score, not a different one per run or sandbox."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core.remote import WorkerSession
from grader.core.values import Limits
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.docker import DockerSandbox
from grader.sandbox.warm import WarmBwrapSandbox

AVAILABLE = {
    "process": True,
    "bwrap": BwrapSandbox.available() and BwrapSandbox.cgroups_available(),
    "bwrap-warm": WarmBwrapSandbox.available(),
    "docker": DockerSandbox.available(),
}

#: Draws at import and in a call, from generators the submission never seeds (``random`` imported
#: by the submission itself, after the worker started: seeded once the import is done).
DRAWS = """
import numpy as np
AT_IMPORT = float(np.random.rand())
def f():
    import random
    return [AT_IMPORT, float(np.random.rand()), random.random(), [float(v) for v in np.random.normal(size=3)]]
"""


@pytest.fixture(autouse=True, scope="module")
def _close_pools() -> Iterator[None]:
    yield
    WarmBwrapSandbox.close_all()


def draw(backend: str, tmp_path: Path, source: str, seed: int | None = 0, preload: tuple[str, ...] = (),
         **limits: object) -> object:
    if not AVAILABLE[backend]:
        pytest.skip(f"{backend} cannot run here")
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source))
    spec = WorkerSpec(path, "solution", ("f",), Limits(**limits), preload, seed=seed)  # type: ignore[arg-type]
    session = WorkerSession(get_sandbox(backend), spec)
    try:
        return session.module().f()
    finally:
        session.close()


def test_every_backend_draws_the_same_numbers_every_run(tmp_path: Path) -> None:
    draws = {backend: [draw(backend, tmp_path, DRAWS) for _ in range(2)] for backend in AVAILABLE
             if AVAILABLE[backend]}
    assert len(draws) >= 2, draws
    first = draws["process"][0]
    assert all(run == first for runs in draws.values() for run in runs), draws
    other = draw("process", tmp_path, DRAWS, seed=1)
    assert other != first


def test_without_a_seed_each_warm_worker_draws_its_own(tmp_path: Path) -> None:
    """``seed = false``: entropy, also in warm workers, which never share the zygote's state."""
    runs = [draw("bwrap-warm", tmp_path, DRAWS, seed=None) for _ in range(3)]
    assert len({repr(run) for run in runs}) == 3, runs


KERAS = """
import keras
def f():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.Dropout(0.5)])
    noise = model(keras.ops.ones((1, 4)), training=True)
    return [float(w) for w in model.layers[0].get_weights()[0].ravel()] + [float(v) for v in noise[0]]
"""


def test_keras_initial_weights_match_cold_and_warm(tmp_path: Path) -> None:
    """TensorFlow and Keras preloaded in the zygote start from the seed as in a cold worker."""
    limits = {"start_time": 60, "wall_time": 120, "call_time": 60, "cpu_time": 120, "memory_mb": 2048}
    cold = draw("bwrap", tmp_path, KERAS, preload=("keras",), **limits)
    warm = draw("bwrap-warm", tmp_path, KERAS, preload=("keras",), **limits)
    assert cold == warm
    assert draw("bwrap-warm", tmp_path, KERAS, preload=("keras",), **limits) == warm
