"""Sandbox backends behind one interface; ``get_sandbox('auto')`` picks the strongest available."""

from __future__ import annotations

from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox, limits_waived
from grader.sandbox.docker import DockerSandbox
from grader.sandbox.process import ProcessSandbox
from grader.sandbox.warm import WarmBwrapSandbox

BACKENDS: dict[str, type[Sandbox]] = {"docker": DockerSandbox, "bwrap": BwrapSandbox, "process": ProcessSandbox,
                                 "bwrap-warm": WarmBwrapSandbox}

#: Strongest first. ``docker`` is only considered when configured (``$MLJUDGE_DOCKER_IMAGE``).
AUTO_ORDER: tuple[str, ...] = ("docker", "bwrap", "process")
BATCH_AUTO_ORDER: tuple[str, ...] = ("docker", "bwrap-warm", "bwrap", "process")


def get_sandbox(name: str = "auto", *, batch: bool = False) -> Sandbox:
    """The backend called ``name``, or for ``auto`` the strongest one that works here. For a
    ``batch`` (many submissions of one exercise), ``auto`` prefers warm workers to cold bwrap ones:
    the same isolation, with the exercise's imports paid once per worker process."""
    if name == "auto":
        for candidate in (BATCH_AUTO_ORDER if batch else AUTO_ORDER):
            backend = BACKENDS[candidate]
            if backend is DockerSandbox and not DockerSandbox.configured():
                continue
            if backend is BwrapSandbox and not (BwrapSandbox.cgroups_available() or limits_waived()):
                continue  # it would refuse every grading: no memory or process limit here
            if backend.available():
                return backend()
        raise SandboxError("no sandbox backend is available on this machine")
    if name not in BACKENDS:
        raise SandboxError(f"unknown sandbox {name!r}; choose one of: auto, {', '.join(BACKENDS)}")
    backend = BACKENDS[name]
    if not backend.available():
        raise SandboxError(f"the {name} sandbox is not available on this machine")
    return backend()


__all__ = ["BACKENDS", "Sandbox", "SandboxError", "WorkerProcess", "WorkerSpec", "get_sandbox"]
