"""The system-call filter of every isolating sandbox, written once and compiled with libseccomp.

One policy (``DENIED``, ``SOCKET_FAMILIES``, ``CLONE_NAMESPACE_FLAGS``) becomes:

* a BPF program (``bpf_program``), compiled by libseccomp through its Python bindings (pyseccomp),
  staged for the sandbox (``write_program``) and loaded by every bwrap worker itself, cold or warm,
  once its namespaces are built (``harness.confine``);
* a Docker seccomp profile (``docker_profile``), the same rules in Docker's JSON form.

Everything not denied is allowed: the filter takes away what a worker never needs (mounts, new
namespaces, keyrings, tracing, BPF, perf, io_uring, kernel modules, clocks, reboot…) and socket
families beyond local ones (AF_UNIX, AF_INET/AF_INET6 inside a network namespace that has only
``lo``, and NETLINK_ROUTE, read-only without capabilities). A denied call fails with EPERM, so the
student sees ``PermissionError``, never a silent kill. ``clone3`` fails with ENOSYS (its flags sit in
memory a filter cannot read): the C library then falls back to ``clone``, whose flags are checked.
"""

from __future__ import annotations

import errno
import functools
import json
import tempfile
from pathlib import Path

#: Calls no worker needs, grouped by what they would give a submission.
DENIED: dict[str, tuple[str, ...]] = {
    "mounts": ("mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen",
               "fsconfig", "fsmount", "fspick", "mount_setattr"),
    "namespaces": ("unshare", "setns"),
    "keyrings": ("keyctl", "add_key", "request_key"),
    "tracing": ("ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise"),
    "kernel": ("bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
               "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "create_module",
               "reboot", "swapon", "swapoff", "acct", "syslog", "lookup_dcookie", "quotactl", "quotactl_fd",
               "nfsservctl", "uselib", "vhangup", "iopl", "ioperm", "get_kernel_syms", "query_module",
               "_sysctl", "sysfs", "ustat", "fanotify_init", "open_by_handle_at", "name_to_handle_at"),
    "clocks and names": ("settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname",
                         "setdomainname"),
}
#: Socket families a network-less Python needs: local sockets (multiprocessing), loopback IP, and
#: netlink's routing protocol alone (the C library lists interfaces and addresses with it).
SOCKET_FAMILIES = frozenset({1, 2, 10, 16})  # AF_UNIX, AF_INET, AF_INET6, AF_NETLINK (NETLINK_ROUTE only)
AF_NETLINK = 16
AF_MAX = 46
CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000, "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000, "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
TIOCSTI = 0x5412  # push characters into a terminal's input
DENY_ERRNO = errno.EPERM


class SeccompError(Exception):
    """The filter cannot be built here (libseccomp or its bindings missing)."""


def denied_calls() -> tuple[str, ...]:
    return tuple(name for group in DENIED.values() for name in group)


#: For a worker that shares the host's network (no network namespace of its own): local sockets only.
LOCAL_SOCKETS_ONLY = frozenset({1})  # AF_UNIX


def _refused_families(allowed: frozenset[int] = SOCKET_FAMILIES) -> list[int]:
    return [family for family in range(AF_MAX) if family not in allowed]


@functools.cache
def bpf_program(socket_families: frozenset[int] = SOCKET_FAMILIES) -> bytes:
    """The filter as a BPF program for this machine's architecture (cached); sockets of other families
    than ``socket_families`` are refused."""
    try:
        import pyseccomp as seccomp
    except (ImportError, OSError, RuntimeError) as exc:
        raise SeccompError(f"libseccomp's Python bindings cannot be loaded: {exc}") from exc
    deny = seccomp.ERRNO(DENY_ERRNO)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    arch = seccomp.system_arch()

    def add(action: int, name: str, *args: object) -> None:
        if seccomp.resolve_syscall(arch, name) < 0:
            return  # not a call of this architecture
        try:
            rules.add_rule(action, name, *args)
        except OSError as exc:
            if exc.errno not in (errno.EDOM, errno.EFAULT):  # a pseudo-call libseccomp cannot filter here
                raise

    for name in denied_calls():
        add(deny, name)
    add(seccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in CLONE_NAMESPACE_FLAGS.values():
        add(deny, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
    for call in ("socket", "socketpair"):
        for family in _refused_families(socket_families):
            add(deny, call, seccomp.Arg(0, seccomp.EQ, family))
        add(deny, call, seccomp.Arg(0, seccomp.GE, AF_MAX))
        if AF_NETLINK in socket_families:
            add(deny, call, seccomp.Arg(0, seccomp.EQ, AF_NETLINK), seccomp.Arg(2, seccomp.NE, 0))
    add(deny, "ioctl", seccomp.Arg(1, seccomp.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
    with tempfile.TemporaryFile() as fh:
        rules.export_bpf(fh)
        fh.seek(0)
        program = fh.read()
    if not program or len(program) % 8:
        raise SeccompError("libseccomp produced no filter")
    return program


def write_program(path: Path, socket_families: frozenset[int] = SOCKET_FAMILIES) -> None:
    """The program as a read-only file ``path`` (staged for a sandbox's worker to load)."""
    path.write_bytes(bpf_program(socket_families))
    path.chmod(0o444)


def docker_profile() -> str:
    """The same policy as a Docker seccomp profile (JSON), for ``security_opt=["seccomp=…"]``."""
    deny = {"action": "SCMP_ACT_ERRNO", "errnoRet": DENY_ERRNO}
    syscalls: list[dict[str, object]] = [{"names": list(denied_calls()), **deny}]
    syscalls.append({"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS})
    for flag in CLONE_NAMESPACE_FLAGS.values():
        syscalls.append({"names": ["clone"], **deny,
                         "args": [{"index": 0, "value": flag, "valueTwo": flag, "op": "SCMP_CMP_MASKED_EQ"}]})
    for family in _refused_families():
        syscalls.append({"names": ["socket", "socketpair"], **deny,
                         "args": [{"index": 0, "value": family, "op": "SCMP_CMP_EQ"}]})
    syscalls.append({"names": ["socket", "socketpair"], **deny,
                     "args": [{"index": 0, "value": AF_MAX, "op": "SCMP_CMP_GE"}]})
    syscalls.append({"names": ["socket", "socketpair"], **deny,
                     "args": [{"index": 0, "value": AF_NETLINK, "op": "SCMP_CMP_EQ"},
                              {"index": 2, "value": 0, "op": "SCMP_CMP_NE"}]})
    syscalls.append({"names": ["ioctl"], **deny,
                     "args": [{"index": 1, "value": 0xFFFFFFFF, "valueTwo": TIOCSTI, "op": "SCMP_CMP_MASKED_EQ"}]})
    return json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
                       "syscalls": syscalls})
