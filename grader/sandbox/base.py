"""The sandbox interface: start a harness worker under limits, talk to it in frames, stop it.

A backend only has to say how to start a worker and how to stop it; everything about the
protocol, time budgets and restarts lives in ``grader.core.remote``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from grader.core.values import Limits, WorkerExit


class SandboxError(Exception):
    """The sandbox itself failed (could not start, misconfigured): a judge error, not the student's."""


@dataclass(frozen=True)
class WorkerSpec:
    """What to run in the sandbox: one submission file, imported as ``module_name``."""

    submission: Path
    module_name: str
    entry_points: tuple[str, ...]
    limits: Limits
    #: modules a warm sandbox (``bwrap-warm``) imports once per worker pool, e.g. ("sklearn",)
    preload: tuple[str, ...] = ()
    #: the only packages the worker's interpreter can see besides the standard library (numpy always);
    #: None: the whole environment (``allowed`` in ``[assignment]``)
    allowed: tuple[str, ...] | None = None
    #: the seed of the worker's global random generators (``harness.seeding``); None: entropy
    seed: int | None = 0


class WorkerProcess(ABC):
    """A running harness worker: a frame channel plus a way to stop it and learn how it ended."""

    @abstractmethod
    def send(self, frame: bytes, timeout: float) -> None:
        """Write one frame; raise ``ChannelTimeout`` or ``ChannelClosed``."""

    @abstractmethod
    def receive(self, timeout: float) -> bytes:
        """Read one frame; raise ``ChannelTimeout``, ``ChannelClosed`` or ``ProtocolError``."""

    @abstractmethod
    def stop(self) -> WorkerExit:
        """Kill everything the worker started, reap it, clean up, and report. Idempotent."""


class Sandbox(ABC):
    """A backend that starts workers."""

    name: ClassVar[str]
    isolated: ClassVar[bool]

    @classmethod
    def available(cls) -> bool:
        """Whether this backend can run on this machine."""
        return True

    @classmethod
    def close_all(cls) -> None:
        """Stop what this backend keeps alive between submissions in this process (warm pools); most
        backends keep nothing."""
        return None

    def prepare(self, preload: tuple[str, ...] = (), allowed: tuple[str, ...] | None = None) -> None:
        """Start ahead what this backend keeps between submissions (a warm pool for ``preload`` and
        ``allowed``, as the exercise's workers will ask), so that the first submission does not wait
        for it; most backends keep nothing."""
        return None

    @abstractmethod
    def start(self, spec: WorkerSpec) -> WorkerProcess:
        """Start a worker for ``spec``; raise ``SandboxError`` if the sandbox cannot start."""
