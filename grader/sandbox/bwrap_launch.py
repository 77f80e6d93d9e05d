"""How a bubblewrap sandbox is entered: the enter step, and a root grader's mapping of its user namespace."""

from __future__ import annotations

import os

from grader.sandbox import enter
from grader.sandbox.base import SandboxError
from grader.sandbox.bwrap_command import SANDBOX_GID, SANDBOX_UID
from grader.sandbox.cgroups import WorkerCgroup
from grader.sandbox.host_ids import IdLease, lease_ids
from grader.sandbox.userns import IdMap, MappingError, NamespaceMapper

MAP_TIMEOUT = 20.0  # bubblewrap reports its child's pid within milliseconds; a loaded machine takes longer


class SandboxLaunch:
    """How one bubblewrap sandbox is entered: ``grader.sandbox.enter`` first (control groups joined,
    a fresh session keyring), then bubblewrap. A root grader maps the sandbox's user namespace itself
    (``grader.sandbox.userns``) once bubblewrap has made it: uid 0 onto host root, for bubblewrap's
    own set-up only (it can then bind a Python under ``/root``), and uid 65534 onto a leased
    unprivileged host uid, which bubblewrap becomes before the sandboxed program runs; the worker
    then moves into a user namespace of its own that maps that uid alone (``harness.confine``).
    Always ``close``, after the sandbox is gone."""

    def __init__(self, bwrap_args: list[str], cgroup: WorkerCgroup | None) -> None:
        self.lease: IdLease | None = None
        self.mapper: NamespaceMapper | None = None
        args = list(bwrap_args)
        try:
            if os.geteuid() == 0:
                self.lease = lease_ids()
                self.mapper = NamespaceMapper()
                args[1:1] = self.mapper.bwrap_args()
        except BaseException:
            self.close()
            raise
        procs = cgroup.procs_files() if cgroup is not None else []
        self.argv = enter.argv_for(args, procs=procs)
        self.child_fds = self.mapper.child_fds if self.mapper is not None else []

    @property
    def host_uid(self) -> int:
        """The host uid the sandboxed program runs as."""
        return self.lease.ids.uid if self.lease is not None else os.getuid()

    def started(self, timeout: float = MAP_TIMEOUT) -> None:
        """Call once bubblewrap runs: map its namespace (root grader), then let it go on."""
        if self.mapper is None or self.lease is None:
            return
        ids = self.lease.ids
        try:
            self.mapper.map(IdMap(((0, 0), (SANDBOX_UID, ids.uid)), ((0, 0), (SANDBOX_GID, ids.gid))), timeout)
        except MappingError as exc:
            raise SandboxError(str(exc)) from exc
        finally:
            self.mapper.close()

    def close(self) -> None:
        if self.mapper is not None:
            self.mapper.close()
        if self.lease is not None:
            self.lease.release()
