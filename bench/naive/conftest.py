"""The naive way, for bench/warm.py: the exercise's checks and the submission in one pytest process.

Run as ``python -m pytest -c bench/naive/conftest.py --rootdir <exercise> -p bench_naive <checks…>``
with ``NAIVE_SUBMISSION=<file>`` and ``NAIVE_EXERCISE=<id>`` in the environment; ``submission`` is
the imported module itself, ``data`` and ``credit`` are the judge's own (plain) classes.
No isolation, no limits: this is the baseline a judge is measured against, nothing more.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from grader.core.plugin import Credit, DataAccess


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "points(n): points this check is worth")
    config.addinivalue_line("markers", "visibility(v): when students see the result")


@pytest.fixture(scope="session")
def submission():
    path = os.environ["NAIVE_SUBMISSION"]
    sys.path.insert(0, str(Path(path).parent))
    spec = importlib.util.spec_from_file_location("solution", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["solution"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def data() -> DataAccess:
    exercise = os.environ["NAIVE_EXERCISE"]
    return DataAccess(exercise, Path(os.environ["NAIVE_ROOT"]) / "data")


@pytest.fixture
def credit() -> Credit:
    return Credit()
