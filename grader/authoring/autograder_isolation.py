"""Which sandbox a Gradescope container allows, strongest first, and what it guarantees.

1. ``bwrap``: bubblewrap, if user namespaces work in the container (the probe really makes one).
   Without control groups (a container's are read-only) the grader holds its memory and process count
   by watching the sandbox's process tree (``grader.sandbox.tree_watch``).
2. ``process-user``: the process backend as a leased unprivileged uid under a seccomp filter allowing
   local sockets only (``grader.sandbox.process_user``); file permissions hide the judge's files.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from grader.sandbox.base import Sandbox, SandboxError
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.host_ids import IdLease, lease_ids
from grader.sandbox.process_user import MIN_NPROC, ProcessUserSandbox
from grader.sandbox.tree_watch import TreeWatchedBwrapSandbox

BWRAP = ("bubblewrap: its own user, pid, network (loopback only), IPC, UTS and mount namespaces, a leased "
         "unprivileged uid, a read-only view of the Python runtime, the harness and the submission only, "
         "a seccomp filter")
NO_CGROUPS = ("; no control groups in this container: the grader holds memory and process count by watching the "
              "sandbox's process tree")
PROCESS_USER = ("unprivileged uid {uid} (no namespaces: user namespaces are not available in this container), "
                "a seccomp filter (local sockets only; no ptrace, mounts or namespaces), at most {nproc} "
                "processes; the hidden checks, the judge and its environment are root-only, the rest of the "
                "container's files are visible as that uid")


@dataclass(frozen=True)
class Isolation:
    """The sandbox chosen and the sentence results.json shows about it."""

    sandbox: Sandbox
    backend: str
    description: str
    user_namespaces: bool
    cgroups: bool


def choose_isolation(processes: int) -> tuple[Isolation, IdLease | None]:
    """The strongest sandbox here (see the module's docstring) and the uid lease to hold while grading
    (``process-user`` only). ``processes``: the exercise's process limit. Needs root."""
    if os.geteuid() != 0:
        raise SandboxError("the autograder runs as root (as on Gradescope): it drops privileges for the submission")
    cgroups = BwrapSandbox.cgroups_available()
    if not cgroups:
        os.environ["MLJUDGE_ALLOW_NO_CGROUPS"] = "1"  # bwrap refuses otherwise; said in the description
    if BwrapSandbox.available():
        text = BWRAP + ("" if cgroups else NO_CGROUPS)
        return Isolation(TreeWatchedBwrapSandbox(), "bwrap", text, True, cgroups), None
    lease = lease_ids()
    sandbox = ProcessUserSandbox(uid=lease.ids.uid, gid=lease.ids.gid, python=sys.executable)
    text = PROCESS_USER.format(uid=lease.ids.uid, nproc=max(MIN_NPROC, processes))
    return Isolation(sandbox, "process-user", text, False, cgroups), lease
