"""A keeper: the process a zygote forks for one submission, which builds the worker's namespaces
and reports how it ended. Here, the grader's ends of its pipes, what it is prepared for, and its
move into a control group of its own."""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from typing import Any

from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap_command import LIB_DIR, SANDBOX_GID, SANDBOX_UID, SECCOMP_FILE
from grader.sandbox.cgroups import CgroupError, WorkerCgroup
from grader.sandbox.worker_env import rlimits_for, worker_cores

CONTROL_TIMEOUT = 10.0  # for any answer of the zygote, a keeper or a worker being set up


@dataclass(frozen=True)
class KeeperKey:
    """What a keeper is prepared for: a prepared keeper serves only a submission with the same."""

    module: str
    names: tuple[str, ...]
    rlimits: tuple[tuple[str, int], ...]
    tmp_bytes: int
    memory_mb: int
    processes: int
    seed: int | None = 0
    cores: tuple[int, ...] | None = None

    @classmethod
    def of(cls, spec: WorkerSpec) -> KeeperKey:
        limits = spec.limits
        cores = worker_cores()
        return cls(spec.module_name, tuple(spec.entry_points), tuple(sorted(rlimits_for(limits).items())),
                   max(16, limits.file_size_mb) * 1024 * 1024, limits.memory_mb, limits.processes, spec.seed,
                   tuple(cores) if cores is not None else None)

    def request(self) -> dict[str, Any]:
        return {"module": self.module, "uid": SANDBOX_UID, "gid": SANDBOX_GID, "names": list(self.names),
                "rlimits": dict(self.rlimits), "tmp_bytes": self.tmp_bytes, "seccomp": f"{LIB_DIR}/{SECCOMP_FILE}",
                "seed": self.seed, "cores": list(self.cores) if self.cores is not None else None}


class Keeper:
    """The grader's ends of a forked keeper: its channel, output, submission memfd, "go" and
    "report" pipes, and its control group. The keeper's ends go to the zygote (``theirs``)."""

    def __init__(self, key: KeeperKey) -> None:
        self.key = key
        self.cgroup: WorkerCgroup | None = None
        self.host = 0
        self.inner: int | None = None
        self.ready = threading.Event()  # set once it is in its group (ok) or could not be (error)
        self.fds_lock = threading.Lock()  # the thread that moves it into its group writes "g"
        self.ok = False
        self.error = ""
        made: list[int] = []
        try:
            for _ in range(6):
                made += os.pipe()
            made.append(os.memfd_create("submission", os.MFD_CLOEXEC))
        except OSError:
            for fd in made:
                os.close(fd)
            raise
        to_worker_r, self.to_worker, self.from_worker, from_worker_w, self.out_r, out_w, \
            go_r, self.go_w, self.report_r, report_w, self.setup_r, setup_w, self.memfd = made
        self.theirs = [to_worker_r, from_worker_w, out_w, self.memfd, go_r, report_w, setup_w]
        self.mine = [self.to_worker, self.from_worker, self.out_r, self.go_w, self.report_r, self.setup_r,
                     self.memfd]

    def handed_over(self) -> None:
        """The zygote holds its own copies of the keeper's ends now: close ours of them."""
        for fd in self.theirs:
            if fd != self.memfd:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.theirs = []

    def go(self, source: bytes) -> None:
        """Hand the keeper the submission (through the memfd) and let it fork the worker."""
        view = memoryview(source)
        while view:
            view = view[os.write(self.memfd, view):]
        os.write(self.go_w, b"s")
        self.close(self.go_w)

    def close(self, fd: int) -> None:
        with self.fds_lock:
            if fd in self.mine:  # never close a number twice: it may be another pipe's by now
                self.mine.remove(fd)
                with contextlib.suppress(OSError):
                    os.close(fd)

    def release(self, fd: int) -> int:
        """Hand one of our ends to a new owner (that closes it); return it."""
        with self.fds_lock:
            self.mine.remove(fd)
        return fd

    def close_all(self) -> None:
        with self.fds_lock:
            for fd in dict.fromkeys([*self.theirs, *self.mine]):  # the memfd is in both
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.theirs, self.mine = [], []

    def discard(self) -> None:
        """Never used: close the "go" pipe (the keeper exits), kill and remove its group."""
        self.close_all()
        if self.cgroup is not None:
            self.cgroup.destroy()


def join_group(keeper: Keeper) -> None:
    """Move the keeper into a fresh group of its own, then let it build its namespaces ("g")."""
    try:
        keeper.cgroup = WorkerCgroup.create(keeper.key.memory_mb, keeper.key.processes)
        for procs in keeper.cgroup.procs_files():
            with open(procs, "w") as fh:
                fh.write(str(keeper.host))
        with keeper.fds_lock:  # never write to the number of a "go" pipe already closed
            if keeper.go_w not in keeper.mine:
                raise OSError("the keeper was discarded meanwhile")
            os.write(keeper.go_w, b"g")
        keeper.ok = True
    except (OSError, CgroupError) as exc:
        keeper.error = f"{type(exc).__name__}: {exc}"
        if keeper.cgroup is not None and keeper.go_w not in keeper.mine:  # discarded: nobody else will
            keeper.cgroup.destroy()
    finally:
        keeper.ready.set()
