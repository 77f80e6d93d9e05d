"""Hostile submissions against the sandbox's privilege (the hardening issue), on every isolating
backend, with the grader as it runs (root in CI): kernel settings, control groups, keyrings,
system calls, the identity outside, the network namespace, children that leave the session.

Each submission in ``privilege/`` reports what it managed (``ATTACK-RESULT <json>``, as in
``test_sandbox_attacks``); it is honest zeros otherwise, so it scores at most 2 points and the grade
must be ``ok``. Afterwards nothing is left behind and the grader still grades the reference 10/10.
"""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentSpec
from grader.core.values import Grade
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import WarmBwrapSandbox
from tests.attacks.sandbox.test_sandbox_attacks import (  # noqa: F401 - fixtures
    ISOLATING,
    NONCE,
    _docker_available,
    assert_grader_up,
    assert_nothing_left,
    assignment,
    attack_result,
    describe,
    grade,
    grade_text,
    private_tmp,
    short,
)

PRIVILEGE = Path(__file__).resolve().parent / "privilege"
ROOT = os.geteuid() == 0
BWRAP_BACKENDS = ("bwrap", "bwrap-warm")


def _skip_unavailable(backend: str) -> None:
    if backend == "bwrap" and not BwrapSandbox.available():
        pytest.skip("bubblewrap cannot run here")
    if backend == "bwrap-warm" and not WarmBwrapSandbox.available():
        pytest.skip("no bwrap with cgroups")
    if backend == "docker" and not _docker_available():
        pytest.skip("no available docker backend")


def run_attack(name: str, backend: str, spec: AssignmentSpec, tmp: Path) -> tuple[Grade, dict]:
    _skip_unavailable(backend)
    source = (PRIVILEGE / f"{name}.py").read_text().replace("@@NONCE@@", NONCE)
    stage = tmp / "submission"
    stage.mkdir(exist_ok=True)
    path = stage / "solution.py"
    path.write_text(source)
    result = grade(spec, path, backend)
    assert result.status == "ok", describe(result)
    assert result.score <= 2.0, describe(result)
    return result, attack_result(result)


class Attacks:
    """Grades this test's submissions; ``finish`` (at the end of the test's body: the checks run
    pytest in-process, which must not happen in a teardown) asserts that nothing is left behind and
    that each backend used still grades the reference 10/10."""

    def __init__(self, private: Path, reference: AssignmentSpec, limited: AssignmentSpec, tmp: Path) -> None:
        self.private, self.assignment, self.short, self.tmp = private, reference, limited, tmp
        self.used: set[str] = set()

    def __call__(self, name: str, backend: str, folder: str = "") -> tuple[Grade, dict]:
        self.used.add(backend)
        stage = self.tmp / folder if folder else self.tmp
        stage.mkdir(exist_ok=True)
        return run_attack(name, backend, self.short, stage)

    def finish(self) -> None:
        for backend in sorted(self.used):
            assert_nothing_left(self.private)
            assert_grader_up(self.assignment, backend)


@pytest.fixture
def attack(private_tmp: Path, assignment: AssignmentSpec, short: AssignmentSpec, tmp_path: Path) -> Attacks:  # noqa: F811
    return Attacks(private_tmp, assignment, short, tmp_path)


@pytest.mark.parametrize("backend", ISOLATING)
def test_kernel_settings_are_read_only(backend: str, attack: Attacks) -> None:
    _, found = attack("sysctl_write", backend)
    assert found["writable"] == [], found
    assert found["classic"] and all(r not in ("written", "opened") for r in found["classic"].values()), found
    assert found["fresh_proc"].startswith(("unshare", "mount")), found  # no way to a procfs of its own
    attack.finish()


@pytest.mark.parametrize("backend", ISOLATING)
def test_control_groups_cannot_be_reached_or_raised(backend: str, attack: Attacks) -> None:
    _, found = attack("cgroup_escape", backend)
    assert found.get("sys_fs_cgroup_writable", []) == [], found
    for how in ("direct", "nested"):
        text = json.dumps(found[how])
        assert "raised" not in text and "child group made" not in text and "mounted" not in text, found


def _add_grader_key(secret: str) -> int | None:
    """Put ``secret`` in this (grader) process's session keyring, as a real host's login may have."""
    libc = ctypes.CDLL(None, use_errno=True)
    data = secret.encode()
    key = libc.syscall(248, b"user", b"mljudge-grader-secret", data, len(data), ctypes.c_long(-3))
    return key if key > 0 else None
    attack.finish()


@pytest.mark.parametrize("backend", ISOLATING)
def test_keyrings_are_out_of_reach(backend: str, attack: Attacks) -> None:
    secret = f"keyring-secret-{NONCE}"
    if _add_grader_key(secret) is None:
        pytest.skip("keyrings cannot be used here")
    first, found = attack("keyring_snoop", backend, "first")
    assert secret not in grade_text(first) and secret.encode().hex() not in json.dumps(found), found
    for what in ("add_key", "request_key"):
        assert str(found[what]).startswith("error"), found
    assert all(str(found[ring]["read"]).startswith("error") for ring in ("session", "user")), found
    _, again = attack("keyring_snoop", backend, "second")
    assert "mljudge-leftover" not in again["proc_keys"], again  # the first left nothing for the next
    attack.finish()


@pytest.mark.parametrize("backend", ISOLATING)
def test_denied_system_calls_fail_with_eperm(backend: str, attack: Attacks) -> None:
    _, found = attack("syscalls_denied", backend)
    allowed = {"socket_unix", "socket_inet", "socket_inet6", "socket_netlink_route"}
    for name, result in found.items():
        if name in allowed:
            assert result == "ok", (name, found)
        elif name == "clone3":
            assert result == "ENOSYS", found  # the C library falls back to clone, whose flags are checked
        else:
            assert result == "EPERM", (name, found)
    attack.finish()


@pytest.mark.parametrize("backend", ISOLATING)
def test_runs_as_an_unprivileged_uid_outside(backend: str, attack: Attacks) -> None:
    _, found = attack("identity", backend)
    for key, own in (("uid_map", found["uid"]), ("gid_map", found["gid"])):
        lines = [[int(v) for v in line] for line in found[key]]
        outside = [out + own - inside for inside, out, count in lines if inside <= own < inside + count]
        assert outside and outside[0] != 0, found  # our own id is not root's outside
        if backend in BWRAP_BACKENDS:
            assert lines == [[own, outside[0], 1]], found  # and nothing else is mapped at all
    assert all(int(value, 16) == 0 for value in found["caps"].values()), found
    assert found["no_new_privs"] == "1" and found["seccomp"] == "2", found
    attack.finish()


@pytest.mark.parametrize("backend", ISOLATING)
def test_network_namespace_is_fresh_for_each_worker(backend: str, attack: Attacks) -> None:
    _, first = attack("network_state", backend, "first")
    _, second = attack("network_state", backend, "second")
    assert first["ttl_write"] != "written" and first["sockets"] == "made", first
    assert second["before"] == {"ttl": "64", "tcp": []}, second
    attack.finish()


@pytest.mark.parametrize("backend", ("process", *ISOLATING))
def test_a_child_that_leaves_the_session_with_an_empty_environment_is_killed(
        backend: str, attack: Attacks) -> None:
    _, found = attack("setsid_empty_env", backend)
    assert found == {"forked": True}  # afterwards: no "sleep 4242" is left
    attack.finish()
