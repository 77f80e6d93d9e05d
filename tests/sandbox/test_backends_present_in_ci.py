"""In CI the isolating backends must really run: their tests may not quietly skip there."""

from __future__ import annotations

import os
import shutil

import pytest

from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.docker import DockerSandbox

in_ci = pytest.mark.skipif(os.environ.get("CI") != "true", reason="only enforced in CI (CI=true)")


@in_ci
def test_bwrap_with_cgroups_runs_in_ci() -> None:
    assert BwrapSandbox.available(), "bubblewrap must work in CI (.ci/run installs it)"
    assert BwrapSandbox.cgroups_available(), "cgroup limits must work in CI"


@in_ci
def test_docker_runs_in_ci() -> None:
    assert DockerSandbox.available(), "the docker engine and the worker image must be there in CI (.ci/run)"


@in_ci
def test_chromium_for_the_report_tests_runs_in_ci() -> None:
    assert shutil.which("chromium"), "headless Chromium must be installed in CI (make system-deps)"
