"""Shared fixtures: the repository root, the bundled exercise, sandboxes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.sandbox import get_sandbox
from grader.sandbox.base import Sandbox

REPO = Path(__file__).resolve().parents[1]

#: PostgreSQL fixtures (pg_url …) for the gradebook and course server tests
pytest_plugins = ["tests.pg_fixtures"]

#: One course secret for the whole suite (and the `judge` processes it starts): tests that grade the
#: same class into two course folders compare their grades, which the secret keys. Tests of the
#: secret itself unset it.
os.environ.setdefault("MLJUDGE_SECRET", "the mljudge test suite's course secret")


@pytest.fixture(scope="module", autouse=True)
def _no_warm_pool_outlives_its_module() -> Iterator[None]:
    """A warm pool a module started in this process (a grading with the "auto" sandbox) is stopped
    with the module: the sandbox tests' leftover checks must see only their own workers."""
    yield
    from grader.sandbox import close_all

    close_all()


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def recommender() -> AssignmentSpec:
    return get_assignment("recommender-svd", REPO)


@pytest.fixture(scope="session")
def process_sandbox() -> Sandbox:
    return get_sandbox("process")


@pytest.fixture
def exercise_copy(tmp_path: Path) -> Path:
    """A writable copy of the recommender exercise (and its reference) under a fresh home."""
    home = tmp_path / "home"
    shutil.copytree(REPO / "assignments" / "recommender-svd", home / "assignments" / "recommender-svd")
    shutil.copytree(REPO / "solutions" / "recommender-svd", home / "solutions" / "recommender-svd")
    return home / "assignments" / "recommender-svd"
