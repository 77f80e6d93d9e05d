"""Hostile submissions against every sandbox backend that claims to stop them (the sandbox issue).

Each submission in ``submissions/`` is graded (``scope="all"``) on the real ``recommender-svd``
exercise with shortened limits (``SHORT`` below) by every backend that *claims* to stop its attack:

* ``bwrap``, ``bwrap-warm`` and ``docker`` (isolating; docker only when the backend is registered and available)
  claim everything;
* ``process`` claims only time limits, the memory limit (its monitor), output caps, crash handling,
  the fd/CPU/file-size rlimits and killing its children — not the file system, the network or
  ``/proc``. Attacks on those are not run on it; neither are process bombs (no process limit),
  killing the parent (the grader itself) nor anything that reaches the network (it has one).

For every run: the judge does not fail (``status == "ok"``, never ``judge_error``), the verdict is
the expected one, the score is no more than the honest part (``bound``), whatever the attack read
is not in the grade, and afterwards the grader is up (the reference grades 10/10 on the same
backend, full limits) with no process, control group or container left behind.

Attacks that "read" something raise ``RuntimeError("ATTACK-RESULT <json>")`` from ``reconstruct``:
the first public check's message carries what they found, which the test parses (evidence that the
attack ran) and checks. ``honest_zeros`` (zeros, constant-0 predictor) earns exactly 2 points, so
attacks built on it are bounded by 2; attacks at import by 0.

| attack                | what it does                      | bound | process   | bwrap / docker |
|-----------------------|-----------------------------------|-------|-----------|----------------|
| fork_bomb             | every process forks for ever      | 2     | —         | TL             |
| thread_bomb           | threads until refused             | 2     | —         | F              |
| mp_pool_bomb          | Pool(2000), then Process()es      | 2     | —         | F              |
| numpy_memory_hog      | np.ones of 2 GiB                  | 2     | ML        | ML             |
| slow_memory_growth    | +8 MiB every 10 ms                | 2     | ML        | ML             |
| infinite_loop         | while True: pass in a call        | 2     | TL        | TL             |
| sleep_at_import       | time.sleep(3600) at import        | 0     | TL        | TL             |
| stdout_flood          | print for ever                    | 2     | OL        | OL             |
| stderr_flood          | stderr for ever                   | 2     | OL        | OL             |
| huge_file_write       | 200 MiB file in the cwd           | 2     | F         | F              |
| writes_outside_tmp    | create/append outside /tmp        | 2     | —         | F              |
| connect_localhost     | connect to the host's 127.0.0.1   | 2     | —         | F              |
| connect_outside       | connect to 192.0.2.1:9            | 2     | —         | F              |
| dns_lookup            | getaddrinfo example.com           | 2     | —         | F              |
| read_passwd_shadow    | read /etc/shadow, passwd          | 2     | —         | F              |
| read_hidden_checks    | read the hidden checks            | 2     | —         | F              |
| read_other_submission | read a file in tmp_path           | 2     | —         | F              |
| read_solutions        | read solutions/                   | 2     | —         | F              |
| proc_snoop            | /proc/*/cmdline, environ          | 2     | —         | F              |
| double_fork_setsid    | setsid grandchild sleep 4242      | 2     | F         | F              |
| kill_parent_sigkill   | SIGKILL getppid()                 | 2     | —         | F, C           |
| kill_parent_sigterm   | SIGTERM getppid()                 | 2     | —         | F, C           |
| sigstop_self          | SIGSTOP itself in a call          | 2     | TL        | TL             |
| symlink_passwd        | solution.py -> /etc/passwd        | 0     | SE        | SE             |
| symlink_hidden        | solution.py -> hidden checks      | 0     | SE        | SE             |
| deep_recursion        | recursionlimit 10**6, C recursion | 2     | C         | C              |
| segfault_ctypes       | ctypes.memset(8, 0, 16)           | 2     | C         | C              |
| nul_binary_output     | NUL and non-UTF-8 output          | 2     | F         | F              |
| non_utf8_source       | \\xff\\xfe bytes in a str literal | 0     | SE        | SE             |
| huge_source_comment   | 50 MB comment                     | 2     | F, TL, ML | F, TL, ML      |
| huge_source_string    | 50 MB string literal              | 2     | F, TL, ML | F, TL, ML      |

``symlink_*``: a staged submission folder whose ``solution.py`` is a symbolic link to a host file.
Chosen behaviour: a symlink is the student's file, not a pointer the trusted grader follows — the
target's content must never reach the sandbox nor the grade; the grade is ``ok``, verdict
syntax_error (the file handed in is not a Python file) and score 0, on every backend.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission, Verdict
from grader.sandbox import BACKENDS, get_sandbox
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.bwrap_command import PASSWD
from grader.sandbox.cgroups import BASE, CGROUP_ROOT
from grader.sandbox.warm import WarmBwrapSandbox
from tests.sandbox.helpers import parent_pid

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SUBMISSIONS = HERE / "submissions"
REFERENCE = REPO / "solutions" / "recommender-svd" / "solution.py"
HIDDEN = REPO / "assignments" / "recommender-svd" / "checks" / "hidden" / "test_hidden.py"

P, F, TL, ML, OL, C, SE = (Verdict.PASSED, Verdict.FAILED, Verdict.TIME_LIMIT, Verdict.MEMORY_LIMIT,
                           Verdict.OUTPUT_LIMIT, Verdict.CRASHED, Verdict.SYNTAX_ERROR)

#: Short limits so the module runs in well under 3 minutes on two busy cores.
SHORT = {"wall_time": 5.0, "call_time": 2.0, "memory_mb": 256, "processes": 32, "output_kb": 64,
         "file_size_mb": 16}
SECRET_TOKEN = f"mljudge-secret-{uuid.uuid4().hex}"
NONCE = str(uuid.uuid4().int)[:18]


# --------------------------------------------------------------------------- backends


def _docker_available() -> bool:
    return "docker" in BACKENDS and BACKENDS["docker"].available()


ISOLATING = ("bwrap", "bwrap-warm", "docker")
ALL = ("process", *ISOLATING)


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Attack:
    file: str
    what: str
    bound: float
    isolating: frozenset[Verdict]
    process: frozenset[Verdict] | None = None  # None: process does not claim to stop it
    needs_cgroups: bool = False  # bwrap holds it with control groups only
    xfail: str = ""


def _v(*verdicts: Verdict) -> frozenset[Verdict]:
    return frozenset(verdicts)


ATTACKS: dict[str, Attack] = {
    "fork_bomb": Attack("fork_bomb.py", "every process forks for ever", 2, _v(TL), needs_cgroups=True),
    "thread_bomb": Attack("thread_bomb.py", "threads until refused", 2, _v(F), needs_cgroups=True),
    "mp_pool_bomb": Attack("mp_pool_bomb.py", "Pool(2000), then Process()es", 2, _v(F), needs_cgroups=True),
    "numpy_memory_hog": Attack("numpy_memory_hog.py", "np.ones of 2 GiB", 2, _v(ML), _v(ML)),
    "slow_memory_growth": Attack("slow_memory_growth.py", "+8 MiB every 10 ms", 2, _v(ML), _v(ML)),
    "infinite_loop": Attack("infinite_loop.py", "while True: pass in a call", 2, _v(TL), _v(TL)),
    "sleep_at_import": Attack("sleep_at_import.py", "time.sleep(3600) at import", 0, _v(TL), _v(TL)),
    "stdout_flood": Attack("stdout_flood.py", "print for ever", 2, _v(OL), _v(OL)),
    "stderr_flood": Attack("stderr_flood.py", "stderr for ever", 2, _v(OL), _v(OL)),
    "huge_file_write": Attack("huge_file_write.py", "200 MiB file in the cwd", 2, _v(F), _v(F)),
    "writes_outside_tmp": Attack("writes_outside_tmp.py", "create/append outside /tmp", 2, _v(F)),
    "connect_localhost": Attack("connect_localhost.py", "connect to the host's 127.0.0.1", 2, _v(F)),
    "connect_outside": Attack("connect_outside.py", "connect to 192.0.2.1:9", 2, _v(F)),
    "dns_lookup": Attack("dns_lookup.py", "getaddrinfo example.com", 2, _v(F)),
    "read_passwd_shadow": Attack("read_passwd_shadow.py", "read /etc/shadow, passwd", 2, _v(F)),
    "read_hidden_checks": Attack("read_hidden_checks.py", "read the hidden checks", 2, _v(F)),
    "read_other_submission": Attack("read_other_submission.py", "read a file in tmp_path", 2, _v(F)),
    "read_solutions": Attack("read_solutions.py", "read solutions/", 2, _v(F)),
    "proc_snoop": Attack("proc_snoop.py", "/proc/*/cmdline, environ", 2, _v(F)),
    "double_fork_setsid": Attack("double_fork_setsid.py", "setsid grandchild sleep 4242", 2, _v(F), _v(F)),
    "kill_parent_sigkill": Attack("kill_parent_sigkill.py", "SIGKILL getppid()", 2, _v(F, C)),
    "kill_parent_sigterm": Attack("kill_parent_sigterm.py", "SIGTERM getppid()", 2, _v(F, C)),
    "sigstop_self": Attack("sigstop_self.py", "SIGSTOP itself in a call", 2, _v(TL), _v(TL)),
    "symlink_passwd": Attack("<symlink /etc/passwd>", "solution.py -> /etc/passwd", 0, _v(SE), _v(SE)),
    "symlink_hidden": Attack("<symlink hidden>", "solution.py -> hidden checks", 0, _v(SE), _v(SE)),
    "deep_recursion": Attack("deep_recursion.py", "recursionlimit 10**6, C recursion", 2, _v(C), _v(C)),
    "segfault_ctypes": Attack("segfault_ctypes.py", "ctypes.memset(8, 0, 16)", 2, _v(C), _v(C)),
    "nul_binary_output": Attack("nul_binary_output.py", "NUL and non-UTF-8 output", 2, _v(F), _v(F)),
    "non_utf8_source": Attack("<generated>", "\\xff\\xfe bytes in a str literal", 0, _v(SE), _v(SE)),
    "huge_source_comment": Attack("<generated>", "50 MB comment", 2, _v(F, TL, ML), _v(F, TL, ML)),
    "huge_source_string": Attack("<generated>", "50 MB string literal", 2, _v(F, TL, ML), _v(F, TL, ML)),
}


#: (attack, backend) -> engine bug; pinned (strict xfail, or not run when the bug is a hang).
KNOWN_BUGS: dict[tuple[str, str], tuple[str, bool]] = {}


def _cases() -> Iterator[object]:
    for name, attack in ATTACKS.items():
        for backend in ALL:
            if backend == "process" and attack.process is None:
                continue
            marks = []
            if backend == "bwrap-warm":
                marks.append(pytest.mark.skipif(not WarmBwrapSandbox.available(), reason="no bwrap with cgroups"))
            if backend == "bwrap":
                marks.append(pytest.mark.skipif(not BwrapSandbox.available(), reason="bubblewrap cannot run here"))
                if attack.needs_cgroups:
                    marks.append(pytest.mark.skipif(not BwrapSandbox.cgroups_available(), reason="no cgroups here"))
            if backend == "docker":
                marks.append(pytest.mark.skipif(not _docker_available(), reason="no available docker backend"))
            if attack.xfail and backend in ISOLATING:
                marks.append(pytest.mark.xfail(strict=True, reason=attack.xfail))
            if (name, backend) in KNOWN_BUGS:
                reason, run = KNOWN_BUGS[(name, backend)]
                marks.append(pytest.mark.xfail(strict=True, run=run, reason=reason))
            yield pytest.param(name, backend, marks=marks, id=f"{name}-{backend}")


# --------------------------------------------------------------------------- fixtures and helpers


@dataclass
class Context:
    """What the test prepared for one attack, and what must not show up in the grade."""

    tmp: Path
    replacements: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    after: list[Callable[[Grade], None]] = field(default_factory=list)


@pytest.fixture(scope="module")
def private_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The grader's temporary folders go here (so leaked workers are recognisable), and the grader
    carries a secret in its environment that must never reach a grade."""
    base = tmp_path_factory.mktemp("grader-tmp")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tempfile, "tempdir", str(base))
        mp.setenv("SECRET_TOKEN", SECRET_TOKEN)
        yield base


@pytest.fixture(scope="module")
def assignment() -> AssignmentSpec:
    return get_assignment("recommender-svd", REPO)


@pytest.fixture(scope="module")
def short(assignment: AssignmentSpec) -> AssignmentSpec:
    return dataclasses.replace(assignment, limits=dataclasses.replace(assignment.limits, **SHORT))


def grade(assignment: AssignmentSpec, path: Path, backend: str) -> Grade:
    return grade_one(
        assignment=assignment, submission=Submission.from_path(path), sandbox=get_sandbox(backend), scope="all"
    )


def describe(g: Grade) -> str:
    lines = [f"{g.sandbox}: {g.status} {g.verdict.value} {g.score}/{g.max_score} in {g.seconds:.1f} s"]
    lines += [f"  {c.name}: {c.points_earned}/{c.points_possible} {c.outcome.value} {c.message[:300]!r}"
              for c in g.checks]
    lines += [f"  note: {n[:300]}" for n in g.notes]
    lines.append(f"  output: {g.output[:300]!r}")
    return "\n".join(lines)


def grade_text(g: Grade) -> str:
    """Everything a grade carries, as one string (messages for student and instructor, output, notes)."""
    return json.dumps(g.to_dict(), default=str, ensure_ascii=False)


def attack_result(g: Grade) -> dict:
    """What the attack reported (``ATTACK-RESULT <json>`` in a check message)."""
    for check in g.checks:
        match = re.search(r"ATTACK-RESULT (\{.*?\})(?:\n|$)", check.message)
        if match:
            return json.loads(match.group(1))
    raise AssertionError("the attack did not report a result:\n" + describe(g))


def _ours(pid: int, private: Path) -> bool:
    """A live process started by this test process, or one carrying our private temp path."""
    try:
        if str(private) in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return parent_pid(pid) is not None
    except OSError:
        return False
    me, current = os.getpid(), pid
    for _ in range(64):
        parent = parent_pid(current)
        if parent is None or parent <= 1:
            return False
        if parent == me:
            return True
        current = parent
    return False


def pgrep(pattern: str) -> list[int]:
    done = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return [int(p) for p in done.stdout.split() if int(p) != os.getpid()]


def leftovers(private: Path) -> list[str]:
    found = [f"process {p}" for pattern in ("/opt/mljudge", "mljudge-") for p in pgrep(pattern) if _ours(p, private)]
    found += [f"process {p} (sleep 4242)" for p in pgrep(f"sleep 4242 0.{NONCE}") if parent_pid(p) is not None]
    prefix = f"w-{os.getpid()}-"
    for base in CGROUP_ROOT.glob(f"**/{BASE}"):
        if base.is_dir():
            found += [f"cgroup {p}" for p in base.iterdir() if p.is_dir() and p.name.startswith(prefix)]
    if _docker_available():
        done = subprocess.run(["docker", "ps", "-aq", "--filter", "name=mljudge-",
                               "--filter", f"label=org.mljudge.sandbox.pid={os.getpid()}"],
                              capture_output=True, text=True, check=False)
        found += [f"container {c}" for c in done.stdout.split()]
    return found


def assert_nothing_left(private: Path) -> None:
    WarmBwrapSandbox.close_all()  # a warm pool lives on by design: what matters is that closing it leaves nothing
    deadline = time.monotonic() + 10  # killed processes outside our tree are reaped by init
    while (left := leftovers(private)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == [], f"left behind: {left}"


def assert_grader_up(assignment: AssignmentSpec, backend: str) -> None:
    ref = grade(assignment, REFERENCE, backend)
    assert (ref.status, ref.verdict, ref.score, ref.max_score) == ("ok", P, 10.0, 10.0), describe(ref)


# --------------------------------------------------------------------------- per-attack preparation and evidence


def prepare(name: str, backend: str, ctx: Context) -> Path:
    """Stage the submission for ``name`` under ``ctx.tmp``; set up listeners, secrets and checks."""
    stage = ctx.tmp / "submission"
    stage.mkdir()
    target = stage / "solution.py"
    ctx.replacements.update({"@@REPO@@": str(REPO), "@@NONCE@@": NONCE})
    ctx.secrets.append(SECRET_TOKEN)
    honest = (SUBMISSIONS / "honest_zeros.py").read_bytes()

    if name == "symlink_passwd":
        target.symlink_to("/etc/passwd")
        ctx.secrets += _host_passwd_lines()
        return target
    if name == "symlink_hidden":
        target.symlink_to(HIDDEN)
        ctx.secrets += _distinctive_lines(HIDDEN)
        return target
    if name == "non_utf8_source":
        target.write_bytes(honest + b'\nBAD = "\xff\xfe\xfd not UTF-8 \x80"\n')  # CPython 3.11 accepts it in a comment
        return target
    if name == "huge_source_comment":
        target.write_bytes(honest + b"\n# " + b"x" * (50 * 1024 * 1024) + b"\n")
        return target
    if name == "huge_source_string":
        target.write_bytes(honest + b'\nPADDING = "' + b"x" * (50 * 1024 * 1024) + b'"\n')
        return target

    if name == "connect_localhost":
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        ctx.replacements["@@PORT@@"] = str(listener.getsockname()[1])

        def nobody_connected(g: Grade) -> None:
            try:
                with pytest.raises(BlockingIOError):
                    listener.accept()[0].close()
            finally:
                listener.close()
            assert attack_result(g)["connect"] != "connected"

        ctx.after.append(nobody_connected)
    if name in ("read_other_submission", "writes_outside_tmp"):
        other = ctx.tmp / "other-student"
        other.mkdir()
        secret = other / "solution.py"
        token = f"OTHER-SUBMISSION-{uuid.uuid4().hex}"
        secret.write_text(f"# {token}\n")
        ctx.replacements.update({"@@SECRET_PATH@@": str(secret), "@@OTHER_DIR@@": str(other)})
        ctx.secrets.append(token)
    if name == "read_passwd_shadow":
        # docker's /etc/passwd is its image's (a Debian base: the same system accounts as the host);
        # there the host's own accounts (uid >= 100 but nobody) and shadow must not show
        ctx.secrets += _host_passwd_lines() if backend != "docker" else _host_own_accounts()
        ctx.secrets += [line for line in _read_lines(Path("/etc/shadow")) if len(line) > 8]
    if name == "read_hidden_checks":
        ctx.secrets += _distinctive_lines(HIDDEN)
        ctx.secrets += ["wall_time = 20"]  # assignment.toml
    if name == "read_solutions":
        ctx.secrets += _distinctive_lines(REFERENCE)

    source = (SUBMISSIONS / ATTACKS[name].file).read_text()
    for key, value in ctx.replacements.items():
        source = source.replace(key, value)
    target.write_text(source)
    return target


def _read_lines(path: Path) -> list[str]:
    try:
        return [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return []


def _host_passwd_lines() -> list[str]:
    sandbox = {line.strip() for line in PASSWD.splitlines()}
    return [line for line in _read_lines(Path("/etc/passwd")) if line not in sandbox]


def _host_own_accounts() -> list[str]:
    own = []
    for line in _read_lines(Path("/etc/passwd")):
        parts = line.split(":")
        if len(parts) > 3 and parts[2].isdigit() and 100 <= int(parts[2]) < 65534:
            own.append(line)
    return own


def _distinctive_lines(path: Path) -> list[str]:
    """Long lines of a file that only it contains (not imports, not one-word lines)."""
    lines = [line for line in _read_lines(path) if len(line) >= 30 and not line.startswith(("import ", "from "))]
    return sorted(lines, key=len, reverse=True)[:8]


def evidence(name: str, backend: str, g: Grade, short: AssignmentSpec) -> None:
    """What each attack must have found (nothing) or done (nothing harmful)."""
    limits = short.limits
    if name == "thread_bomb":
        found = attack_result(g)
        assert found["threads"] < limits.processes and found["error"], found
    elif name == "mp_pool_bomb":
        found = attack_result(g)
        assert not str(found["pool"]).startswith("ran"), found
        assert found["processes"] < limits.processes and found["process_error"], found
    elif name == "huge_file_write":
        found = attack_result(g)
        cap = max(limits.file_size_mb, 16) * 1024 * 1024
        assert found["error"] in ("EFBIG", "ENOSPC"), found
        assert found["written"] <= cap and (found["size"] or 0) <= cap, found
    elif name == "writes_outside_tmp":
        found = attack_result(g)
        # /dev/shm is the sandbox's own tmpfs (bwrap --dev, docker's shm): private scratch, like /tmp;
        # so is any path under /tmp inside the sandbox (a checkout under /tmp shows there as empty
        # folders of the sandbox's private /tmp). What matters is that nothing reached the host.
        private = ("/dev/shm/", "/tmp/")
        assert all(p.startswith(private) for p, v in found.items() if v == "writable"), found
        assert not Path("/dev/shm/mljudge-attack-pwned").exists()
        assert not (REPO / "mljudge-attack-pwned.txt").exists()
        for path in ("/etc/mljudge-attack-pwned", "/mljudge-attack-pwned", "/root/mljudge-attack-pwned"):
            assert not Path(path).exists(), path
    elif name == "connect_outside":
        found = attack_result(g)
        assert found["connect"] != "connected" and "timeout" not in found["connect"].lower(), found
        assert found["seconds"] < 0.9, f"not refused at once (no network), it timed out: {found}"
    elif name == "dns_lookup":
        found = attack_result(g)
        for host in ("example.com", "pypi.org"):
            assert isinstance(found[host], str) and "error" in found[host].lower(), found
        assert found["seconds"] < 5, found
    elif name == "read_passwd_shadow":
        found = attack_result(g)
        assert found["/etc/shadow"] in ("FileNotFoundError", "PermissionError"), found
        assert found["/etc/gshadow"] in ("FileNotFoundError", "PermissionError"), found
        if backend == "bwrap":  # its own one-line passwd; docker shows its image's
            assert "root:" not in found["/etc/passwd"], found
    elif name == "read_hidden_checks":
        found = attack_result(g)
        assert found["hidden"] in ("FileNotFoundError", "PermissionError"), found
        assert found["toml"] in ("FileNotFoundError", "PermissionError"), found
        # the read-only virtual environment lives under the repository: only .venv may show
        assert found["repo"] in ("FileNotFoundError", "PermissionError") or set(found["repo"]) <= {".venv"}, found
    elif name == "read_other_submission":
        found = attack_result(g)
        assert found["content"] in ("FileNotFoundError", "PermissionError"), found
        assert found["listing"] in ("FileNotFoundError", "PermissionError"), found
    elif name == "read_solutions":
        found = attack_result(g)
        assert set(found.values()) <= {"FileNotFoundError", "PermissionError"}, found
    elif name == "proc_snoop":
        found = attack_result(g)
        assert found["hits"] == [], found
    elif name in ("kill_parent_sigkill", "kill_parent_sigterm"):
        pass  # the verdict and "grader up / nothing left" are the evidence
    elif name == "double_fork_setsid":
        assert g.score == 2.0, describe(g)  # reconstruct returned: the grandchild was started
    elif name in ("symlink_passwd", "symlink_hidden"):
        assert g.score == 0.0, describe(g)
    elif name == "nul_binary_output":
        assert "NUL-OUT<" in g.output and "text-nul<" in g.output, describe(g)
        assert "\x00" not in g.output, "raw NUL bytes in the captured output"
        json.dumps(g.to_dict(), default=str)  # serialisable as it is
        assert g.score == 2.0, describe(g)
    elif name in ("stdout_flood", "stderr_flood"):
        assert len(g.output.encode()) <= 2 * limits.output_kb * 1024 * (1 + g.resources.workers_started)
    elif name in ("huge_source_comment", "huge_source_string"):
        assert g.seconds < limits.wall_time + 60, describe(g)


# --------------------------------------------------------------------------- the corpus


@pytest.mark.parametrize(("name", "backend"), list(_cases()))
def test_attack_is_stopped(
    name: str, backend: str, assignment: AssignmentSpec, short: AssignmentSpec, private_tmp: Path, tmp_path: Path
) -> None:
    attack = ATTACKS[name]
    ctx = Context(tmp_path)
    path = prepare(name, backend, ctx)
    started = time.monotonic()
    try:
        g = grade(short, path, backend)
        elapsed = time.monotonic() - started
        print(f"OBSERVED {name} {backend} {g.verdict.value} {g.score} {elapsed:.1f}s")
        expected = attack.process if backend == "process" else attack.isolating
        assert expected is not None
        assert g.status == "ok", describe(g)
        assert g.verdict is not Verdict.JUDGE_ERROR, describe(g)
        assert g.max_score == 10.0 and len(g.checks) == 6, describe(g)
        assert g.score <= attack.bound, describe(g)
        assert g.verdict in expected, describe(g)
        text = grade_text(g)
        for secret in ctx.secrets:
            assert secret not in text, f"{secret[:80]!r} reached the grade:\n{describe(g)}"
        evidence(name, backend, g, short)
        for check in ctx.after:
            check(g)
        # a generous bound: the grade ends within its wall-time budget plus start/stop overheads
        assert elapsed < short.limits.wall_time * (1 + short.limits.max_restarts) + 60, describe(g)
    finally:
        assert_nothing_left(private_tmp)
    assert_grader_up(assignment, backend)
    assert_nothing_left(private_tmp)


def test_honest_base_earns_two(short: AssignmentSpec, private_tmp: Path) -> None:
    """The bound of 2 in the table is what the honest part really earns (on the shortened limits)."""
    backend = "bwrap" if BwrapSandbox.available() else "process"
    g = grade(short, SUBMISSIONS / "honest_zeros.py", backend)
    assert (g.status, g.verdict, g.score) == ("ok", F, 2.0), describe(g)


def test_corpus_is_complete() -> None:
    """Every file in submissions/ is graded by this module."""
    on_disk = {p.name for p in SUBMISSIONS.glob("*.py")}
    assert on_disk == {a.file for a in ATTACKS.values() if a.file.endswith(".py")} | {"honest_zeros.py"}


def test_table_matches_the_attacks() -> None:
    rows = [line for line in (__doc__ or "").splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split("|")[1].strip() for row in rows] == list(ATTACKS)
