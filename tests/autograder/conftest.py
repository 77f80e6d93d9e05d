"""Gradescope-like containers of exported autograders (scripts/gradescope-image.sh), and a runner.

Every container runs with ``--network none`` and as root, as Gradescope runs ``run_autograder``. The two
modes (with and without user namespaces) are ``tests.autograder.helpers.MODES``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.autograder.helpers import BASE_IMAGE, MODES, REPO

MARK = "=====mljudge-test-results====="
#: What a Gradescope container has too: a bound on the whole container (should the judge's limits fail).
LIMITS = ["--memory", "3g", "--memory-swap", "3g", "--pids-limit", "2048"]


def _docker_ready() -> str | None:
    """Why these tests cannot run here, or None."""
    if shutil.which("docker") is None:
        return "no docker client"
    if subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0:
        return "the docker engine does not answer (scripts/start-dockerd.sh)"
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True, check=False).returncode:
        return f"no {BASE_IMAGE} image (scripts/docker-image.sh makes it)"
    return None


@pytest.fixture(scope="session")
def docker_ready() -> None:
    why = _docker_ready()
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the Gradescope tests must run in CI: {why}")
        pytest.skip(why)


_images: dict[str, str] = {}


@pytest.fixture(scope="session")
def autograder_image(docker_ready: None) -> Callable[[str], str]:
    """The image of an exercise's exported autograder (built once per content hash, reused after)."""

    def get(exercise: str) -> str:
        if exercise not in _images:
            done = subprocess.run([str(REPO / "scripts" / "gradescope-image.sh"), exercise], cwd=REPO,
                                  capture_output=True, text=True, timeout=1800, check=False)
            assert done.returncode == 0, done.stderr[-4000:]
            _images[exercise] = done.stdout.strip().splitlines()[-1]
        return _images[exercise]

    return get


@dataclass(frozen=True)
class Run:
    """One run of run_autograder in a fresh container."""

    results: dict[str, Any]
    stdout: str
    stderr: str
    after: str  # what the container's ``after`` commands printed

    @property
    def output(self) -> str:
        return str(self.results.get("output", ""))

    @property
    def isolation(self) -> str:
        return str(self.results.get("extra_data", {}).get("isolation", {}).get("backend", ""))


def run_in_container(image: str, mode: str, files: dict[str, bytes], *, before: str = "", after: str = "") -> Run:
    """Put ``files`` in /autograder/submission (a tar on stdin: nothing of the host is mounted), run
    ``before`` (as root), run_autograder, then ``after``; return results.json and what was printed."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    script = (f"set -e; tar -x -C /autograder/submission; {before}\n"
              f"/autograder/run_autograder || echo run_autograder exit $?\n"
              f"{after}\necho {MARK}; cat /autograder/results/results.json")
    command = ["docker", "run", "--rm", "-i", "--network", "none", *LIMITS, *MODES[mode], image, "bash", "-c", script]
    done = subprocess.run(command, input=archive.getvalue(), capture_output=True, timeout=300, check=False)
    stdout, stderr = done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    assert MARK in stdout, f"exit {done.returncode}\n{stdout[-3000:]}\n{stderr[-3000:]}"
    head, _, body = stdout.partition(MARK)
    return Run(json.loads(body), head, stderr, head)


@pytest.fixture
def run_autograder() -> Callable[..., Run]:
    return run_in_container
