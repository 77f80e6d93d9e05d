"""The docker backend's own traits (what every isolating backend must hold is in
``test_isolating_backends.py``)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

import docker as docker_sdk  # type: ignore[import-untyped]
import pytest

import grader.sandbox.docker as docker_module
from grader.core.values import Limits
from grader.sandbox import get_sandbox, leftovers
from grader.sandbox.base import WorkerSpec
from grader.sandbox.docker import IMAGE_ENV, DockerSandbox, configured_image
from tests.conftest import REPO
from tests.sandbox.helpers import our_containers

pytestmark = pytest.mark.skipif(
    not DockerSandbox.available(), reason=f"no docker engine or no image {configured_image()} here"
)


def test_stop_is_idempotent_and_removes_the_container(tmp_path: Path) -> None:
    path = tmp_path / "s.py"
    path.write_text("def f():\n    return 1\n")
    worker = DockerSandbox().start(WorkerSpec(path, "solution", ("f",), Limits()))
    assert len(our_containers()) == 1
    first = worker.stop()
    assert worker.stop() is first
    assert our_containers() == []


def test_auto_picks_docker_only_when_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    image = configured_image()
    monkeypatch.delenv(IMAGE_ENV, raising=False)
    assert get_sandbox("auto").name != "docker"
    monkeypatch.setenv(IMAGE_ENV, image)
    assert get_sandbox("auto").name == "docker"


ORPHAN_MAKER = """
import sys, time
from pathlib import Path
from grader.core.values import Limits
from grader.sandbox.base import WorkerSpec
from grader.sandbox.docker import DockerSandbox
path = Path(sys.argv[1])
worker = DockerSandbox().start(WorkerSpec(path, "solution", ("f",), Limits()))
print(worker.name, worker.staged, flush=True)
time.sleep(600)
"""


def test_containers_of_a_killed_grader_are_swept_by_the_next(tmp_path: Path) -> None:
    """A grader killed with SIGKILL runs no exit hook: its container and staging folder stay until
    the next grader on the host starts a docker worker. A live grader's are never touched."""
    path = tmp_path / "s.py"
    path.write_text("def f():\n    return 1\n")
    maker = subprocess.Popen([sys.executable, "-c", ORPHAN_MAKER, str(path)], cwd=REPO, stdout=subprocess.PIPE,
                             text=True)
    assert maker.stdout is not None
    name, staged = maker.stdout.readline().split()
    client = docker_sdk.from_env()
    try:
        leftovers.forget("docker")
        docker_module.sweep_orphans(client)
        assert client.api.containers(all=True, filters={"name": name}), "a live grader's container was removed"
        maker.kill()
        maker.wait()
        assert client.api.containers(all=True, filters={"name": name}) and Path(staged).exists()
        leftovers.forget("docker")
        docker_module.sweep_orphans(client)
        assert client.api.containers(all=True, filters={"name": name}) == []
        assert not Path(staged).exists()
    finally:
        maker.kill()
        with contextlib.suppress(Exception):
            client.api.remove_container(name, force=True)
