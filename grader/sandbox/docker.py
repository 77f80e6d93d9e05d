"""The ``docker`` backend: one container per worker, through the docker SDK for Python.

The image (``Dockerfile``, built by ``scripts/docker-image.sh``) holds Python, the pinned
scientific stack and the harness at ``/opt/mljudge/lib``. Each worker runs in a fresh container
with no network (``network_mode=none``: only ``lo``), a read-only root, a size-capped tmpfs
``/tmp``, memory = memory+swap, a process limit, one CPU, every capability dropped,
no-new-privileges, uid/gid 10001, and a clean environment. The submission is bind-mounted
read-only at ``/sandbox/<module>.py``; an exercise's ``allowed`` packages are the only ones the
container shows (``grader.sandbox.docker_site``). ``docker-init`` (tini) is PID 1, so the worker gets its
signals (SIGXCPU from its own CPU rlimit) like anywhere else.

The channel is the container's attached stdin/stdout/stderr: one hijacked socket, multiplexed
(8-byte headers: stream type, then a big-endian length). A reader thread feeds stdout into a pipe
read by ``FrameReader`` and keeps stderr (the student's output) capped. Stopping kills the
container by name, reads its state (``OOMKilled`` → memory limit), and removes it; containers
still alive when the grader exits are removed by an ``atexit`` hook, and those of a grader killed
outright (labelled with its host and pid) by the next grader on the host (``sweep_orphans``).

Configuration: ``MLJUDGE_DOCKER_IMAGE`` names the image (default: ``default_image()``, the tag
``scripts/docker-image.sh`` builds for this checkout). ``--sandbox auto`` only picks docker when
that variable is set (see ``DockerSandbox.configured``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, ClassVar

from grader.sandbox import leftovers, seccomp
from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.docker_image import IMAGE_ENV, configured_image, default_image
from grader.sandbox.docker_site import package_mounts
from grader.sandbox.docker_worker import DockerWorker, client, track, untrack
from grader.sandbox.staging import stage_submission
from grader.sandbox.worker_env import worker_argv, worker_environment

__all__ = ["IMAGE_ENV", "DockerSandbox", "configured_image", "default_image", "sweep_orphans"]

SANDBOX_USER = "10001:10001"
PYTHON = "/opt/venv/bin/python"
LIB_DIR = "/opt/mljudge/lib"
SUBMISSION_DIR = "/sandbox"
HOME = "/tmp"
NAME_PREFIX = "mljudge-"
LABEL = "org.mljudge.sandbox"
STAGED_PREFIX = "mljudge-docker-"  # then the grader's pid


class DockerSandbox(Sandbox):
    """Runs each worker in a fresh container of the grader image."""

    name = "docker"
    isolated = True

    _probe_lock: ClassVar[threading.Lock] = threading.Lock()
    _probed: ClassVar[dict[str, bool]] = {}

    def __init__(self, image: str | None = None) -> None:
        self.image = image or configured_image()

    @classmethod
    def configured(cls) -> bool:
        """Whether docker was asked for (``$MLJUDGE_DOCKER_IMAGE``): only then may ``auto`` pick it."""
        return bool(os.environ.get(IMAGE_ENV))

    @classmethod
    def available(cls) -> bool:
        """The SDK imports, the engine answers, and the image exists (probed once per image)."""
        image = configured_image()
        with cls._probe_lock:
            if image not in cls._probed:
                cls._probed[image] = cls._probe(image)
            return cls._probed[image]

    @staticmethod
    def _probe(image: str) -> bool:
        try:
            engine = client()
            engine.ping()
            engine.images.get(image)
        except Exception:
            return False
        return True

    def start(self, spec: WorkerSpec) -> WorkerProcess:
        try:
            import docker.errors  # type: ignore[import-untyped]

            engine = client()
        except Exception as exc:
            raise SandboxError(f"the docker engine cannot be reached: {exc}") from exc
        sweep_orphans(engine)
        staged = Path(tempfile.mkdtemp(prefix=f"{STAGED_PREFIX}{os.getpid()}-"))
        name = f"{NAME_PREFIX}{uuid.uuid4().hex[:20]}"
        try:
            container = self._create(engine, spec, name, _stage(spec, staged))
        except SandboxError:
            _cleanup(engine, name, staged)
            raise
        except docker.errors.ImageNotFound as exc:
            _cleanup(engine, name, staged)
            raise SandboxError(f"the docker image {self.image} does not exist (run scripts/docker-image.sh)") from exc
        except BaseException as exc:
            _cleanup(engine, name, staged)
            if isinstance(exc, Exception):
                raise SandboxError(f"could not create the docker worker: {exc}") from exc
            raise
        try:
            return DockerWorker(engine, container, name, spec.limits, staged)
        except SandboxError:
            raise
        except BaseException as exc:
            _cleanup(engine, name, staged)
            if isinstance(exc, Exception):
                raise SandboxError(f"could not start the docker worker: {exc}") from exc
            raise

    def _create(self, engine: Any, spec: WorkerSpec, name: str, work: Path) -> Any:
        """Create (not start) the worker's container, with the submission folder ``work`` bound in."""
        limits = spec.limits
        argv = worker_argv(PYTHON, LIB_DIR, f"{SUBMISSION_DIR}/{spec.module_name}.py", spec)
        packages = package_mounts(engine, self.image, PYTHON, spec.allowed)
        track(name)
        api = engine.api
        host_config = api.create_host_config(
            network_mode="none",
            read_only=True,
            tmpfs={HOME: f"size={max(16, limits.file_size_mb)}m,mode=1777", **packages.tmpfs},
            binds={str(work): {"bind": SUBMISSION_DIR, "mode": "ro"},
                   **{host: {"bind": inside, "mode": "ro"} for host, inside in packages.binds.items()}},
            mem_limit=f"{limits.memory_mb}m",
            memswap_limit=f"{limits.memory_mb}m",
            pids_limit=limits.processes,
            nano_cpus=int(1e9),
            cap_drop=["ALL"],
            # the judge's own seccomp policy (grader.sandbox.seccomp), in place of docker's default
            security_opt=["no-new-privileges", f"seccomp={seccomp.docker_profile()}"],
            init=True,
            auto_remove=False,
        )
        config = api.create_container_config(
            self.image,
            command=argv,
            hostname="sandbox",
            user=SANDBOX_USER,
            working_dir=HOME,
            environment=worker_environment(home=HOME),
            stdin_open=True,
            tty=False,
            detach=True,
            network_disabled=True,
            labels={LABEL: "worker", f"{LABEL}.pid": str(os.getpid()), f"{LABEL}.host": socket.gethostname()},
            host_config=host_config,
        )
        config["StdinOnce"] = True  # the worker reads end-of-file when the grader goes away
        created = api.create_container_from_config(config, name=name)
        return engine.containers.prepare_model({"Id": created["Id"]})


def _stage(spec: WorkerSpec, staged: Path) -> Path:
    """The submission alone in a folder the container's user can read; return that folder."""
    work = staged / "sandbox"
    work.mkdir()
    target = stage_submission(spec, work / f"{spec.module_name}.py")
    os.chmod(staged, 0o755)
    os.chmod(work, 0o755)
    os.chmod(target, 0o644)
    return work


def _cleanup(engine: Any, name: str, staged: Path) -> None:
    with contextlib.suppress(Exception):
        engine.api.remove_container(name, force=True)
    untrack(name)
    shutil.rmtree(staged, ignore_errors=True)


def sweep_orphans(engine: Any) -> None:
    """Once per process: remove the containers and staging folders of graders on this host that
    are gone (a batch worker killed with SIGKILL runs no exit hook). Those of live pids are kept."""
    if not leftovers.first_sweep("docker"):
        return
    with contextlib.suppress(Exception):
        found = engine.api.containers(all=True, filters={"label": f"{LABEL}.host={socket.gethostname()}"})
        for container in found:
            if leftovers.owner_gone(str((container.get("Labels") or {}).get(f"{LABEL}.pid", ""))):
                with contextlib.suppress(Exception):
                    engine.api.remove_container(container["Id"], force=True)
    leftovers.remove_temp_orphans(STAGED_PREFIX)
