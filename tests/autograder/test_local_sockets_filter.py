"""The process-user backend's seccomp filter (local sockets only), loaded for real in a child process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.sandbox import seccomp
from tests.autograder.helpers import REPO

PROBE = r'''
import ctypes, errno, json, os, socket, sys
sys.path.insert(0, sys.argv[2])
from harness.confine import load_seccomp
load_seccomp(sys.argv[1])
out = {}
CASES = (("unix", socket.AF_UNIX, socket.SOCK_STREAM), ("inet", socket.AF_INET, socket.SOCK_STREAM),
         ("inet6", socket.AF_INET6, socket.SOCK_DGRAM), ("netlink", socket.AF_NETLINK, socket.SOCK_RAW),
         ("packet", 17, socket.SOCK_RAW))
for name, family, kind in CASES:
    try:
        socket.socket(family, kind).close()
        out[name] = "allowed"
    except OSError as exc:
        out[name] = errno.errorcode.get(exc.errno, str(exc.errno))
libc = ctypes.CDLL(None, use_errno=True)
out["unshare"] = "allowed" if libc.unshare(0x10000000) == 0 else errno.errorcode[ctypes.get_errno()]
out["ptrace"] = "allowed" if libc.ptrace(16, os.getppid(), None, None) == 0 else errno.errorcode[ctypes.get_errno()]
print(json.dumps(out))
'''


def test_only_local_sockets_and_no_namespace_or_ptrace(tmp_path: Path) -> None:
    try:
        seccomp.write_program(tmp_path / "filter.bpf", seccomp.LOCAL_SOCKETS_ONLY)
    except seccomp.SeccompError as exc:
        pytest.skip(str(exc))
    done = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "filter.bpf"), str(REPO)],
                          capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(done.stdout) == {"unix": "allowed", "inet": "EPERM", "inet6": "EPERM", "netlink": "EPERM",
                                       "packet": "EPERM", "unshare": "EPERM", "ptrace": "EPERM"}


def test_the_default_filter_still_allows_what_a_network_namespace_needs() -> None:
    strict, default = seccomp.bpf_program(seccomp.LOCAL_SOCKETS_ONLY), seccomp.bpf_program()
    assert strict != default and len(strict) % 8 == 0
