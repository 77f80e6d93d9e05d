"""Sandbox backends behind one interface; ``get_sandbox('auto')`` picks the strongest available.

Modules:

- ``base``: the interface (``Sandbox``, ``WorkerProcess``, ``WorkerSpec``, ``SandboxError``).
- ``verdicts``: the one verdict classifier: how a worker ended (``ExitFacts``) -> verdict and reason.
- ``worker_env``: the worker's clean environment, rlimits, bootstrap and command line.
- ``staging``: copying the harness and the submission into a worker's folder.
- ``popen_worker``: a worker run with ``subprocess``: pipes, capped output, memory monitor, stop.
- ``drain``: threads that drain a pipe and own its read end (captured output, logs).
- ``process``: the ``process`` backend (a plain child process; no isolation).
- ``process_user``: the process backend as an unprivileged uid under a local-sockets-only seccomp filter, for a
  root grader without user namespaces (a Gradescope container); ``drop_step``: its step into that uid.
- ``tree_watch``: memory and process limits of a bwrap worker where no control group can be made.
- ``bwrap_command``: the bubblewrap command line of cold workers and zygotes.
- ``bwrap_dirs``: readable parent folders for bubblewrap's mount points.
- ``bwrap_launch``: entering a bubblewrap sandbox (enter step, a root grader's id mapping).
- ``bwrap``: the ``bwrap`` backend (cold workers in bubblewrap under control groups).
- ``warm``: the ``bwrap-warm`` backend (pools of zygotes).
- ``warm_zygote``: the grader's side of one zygote (start, fork, check, stop).
- ``warm_keeper``: a keeper's pipes, what it is prepared for, its move into a group.
- ``warm_worker``: a worker forked by a zygote, as a ``WorkerProcess``.
- ``docker``: the ``docker`` backend (a container per worker).
- ``docker_image``: which image docker workers run in.
- ``docker_worker``: one container as a ``WorkerProcess`` (stdio demultiplexed, groups sampled).
- ``cgroups``: per-worker control groups: limits, accounting, kill, removal.
- ``cgroup_files``: readers of /proc and cgroup files (memberships, accounting, NSpid).
- ``leftovers``: the one sweep of what graders that are gone left behind.
- ``enter``: the step before a sandbox: join its groups, a fresh keyring, exec.
- ``userns``: a root grader's mapping of a sandbox's user namespace.
- ``host_ids``: leases of unprivileged host uids for sandboxes.
- ``seccomp``: the workers' seccomp policy (a BPF program, a docker profile).
"""

from __future__ import annotations

from grader.sandbox.base import Sandbox, SandboxError, WorkerProcess, WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox, limits_waived
from grader.sandbox.docker import DockerSandbox
from grader.sandbox.process import ProcessSandbox
from grader.sandbox.tree_watch import TreeWatchedBwrapSandbox
from grader.sandbox.warm import WarmBwrapSandbox

#: ``bwrap`` holds memory and process limits by watching the process tree where it has no control
#: groups (``MLJUDGE_ALLOW_NO_CGROUPS=1``); with them, it is the plain ``BwrapSandbox``.
BACKENDS: dict[str, type[Sandbox]] = {"docker": DockerSandbox, "bwrap": TreeWatchedBwrapSandbox,
                                      "process": ProcessSandbox, "bwrap-warm": WarmBwrapSandbox}

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
            if issubclass(backend, BwrapSandbox) and not (BwrapSandbox.cgroups_available() or limits_waived()):
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


def close_all() -> None:
    """Stop whatever any backend keeps alive in this process between submissions (warm pools)."""
    for backend in BACKENDS.values():
        backend.close_all()


__all__ = ["BACKENDS", "Sandbox", "SandboxError", "WorkerProcess", "WorkerSpec", "close_all", "get_sandbox"]
