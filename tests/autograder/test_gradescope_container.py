"""Exported autograders in a container laid out like Gradescope's, with and without user namespaces:
right scores, notebooks, a missing file, and hostile submissions that gain nothing."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from collections.abc import Callable
from typing import Any

import nbformat
import pytest

from grader.core.assignment import get_assignment
from tests.autograder.helpers import ISOLATION, MODES, REPO

MODE_NAMES = list(MODES)
HIDDEN_MARKER = "differs from the definition on a hidden case"  # text only in metrics' hidden checks

pytestmark = pytest.mark.usefixtures("docker_ready")


def _reference(exercise: str) -> bytes:
    return (REPO / "solutions" / exercise / "solution.py").read_bytes()


def _stub(exercise: str) -> bytes:
    return (REPO / "assignments" / exercise / "stub.py").read_bytes()


def _full(results: dict[str, Any]) -> bool:
    return results["max_score"] > 0 and results["score"] == pytest.approx(results["max_score"])


# -- the user namespaces of each mode are what we think they are ------------------------------------------

@pytest.mark.parametrize("mode", MODE_NAMES)
def test_user_namespaces_work_only_in_the_userns_mode(mode: str, autograder_image: Callable[[str], str]) -> None:
    probe = subprocess.run(["docker", "run", "--rm", "--network", "none", *MODES[mode], autograder_image("metrics"),
                            "bwrap", "--unshare-user", "--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc",
                            "true"], capture_output=True, text=True, timeout=120, check=False)
    if mode == "userns":
        assert probe.returncode == 0, probe.stderr
    else:
        assert probe.returncode != 0, "bubblewrap made a user namespace where they should be disabled"


# -- grading ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODE_NAMES)
@pytest.mark.parametrize("exercise", ["metrics", "preprocessing", "recommender-svd"])
def test_reference_full_marks_and_stub_zero(exercise: str, mode: str, autograder_image: Callable[[str], str],
                                            run_autograder: Callable[..., Any]) -> None:
    image = autograder_image(exercise)
    good = run_autograder(image, mode, {"solution.py": _reference(exercise)})
    assert _full(good.results), good.output
    assert good.isolation == ISOLATION[mode]
    assert good.output.startswith(f"Isolation: {ISOLATION[mode]}")
    assert good.results["stdout_visibility"] == "hidden"
    visibilities = {t["visibility"] for t in good.results["tests"]}
    assert visibilities <= {"visible", "hidden", "after_due_date", "after_published"} and visibilities
    assert any("hidden-check" in t["tags"] for t in good.results["tests"])
    stub = run_autograder(image, mode, {"solution.py": _stub(exercise)})
    assert stub.results["score"] == 0, stub.output
    assert stub.results["extra_data"]["status"] == "ok"


def test_real_data_is_fetched_at_set_up_and_leaderboard_entries_are_written(
        autograder_image: Callable[[str], str], run_autograder: Callable[..., Any]) -> None:
    """text-classification reads the SMS Spam Collection: fetched by setup.sh, graded with --network none."""
    run = run_autograder(autograder_image("text-classification"), "no-userns",
                         {"solution.py": _reference("text-classification")})
    assert _full(run.results), run.output
    assert run.results.get("leaderboard"), run.results.keys()


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_a_notebook_submission_is_graded(mode: str, autograder_image: Callable[[str], str],
                                         run_autograder: Callable[..., Any]) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# my metrics"),
                      nbformat.v4.new_code_cell(_reference("metrics").decode()),
                      nbformat.v4.new_code_cell("%matplotlib inline\nprint(accuracy([1, 0], [1, 1]))")]
    run = run_autograder(autograder_image("metrics"), mode, {"solution.ipynb": nbformat.writes(notebook).encode()})
    assert _full(run.results), run.output
    assert run.isolation == ISOLATION[mode]


def test_a_missing_file_gets_a_clear_zero(autograder_image: Callable[[str], str],
                                          run_autograder: Callable[..., Any]) -> None:
    run = run_autograder(autograder_image("metrics"), "no-userns", {"my_metrics.py": _reference("metrics")})
    assert run.results["score"] == 0
    assert "No solution.py (or solution.ipynb)" in run.output and "my_metrics.py" in run.output


# -- hostile submissions --------------------------------------------------------------------------------------

READ_SECRETS = r'''
import os
SECRETS = ["/autograder/source/exercise/metrics/checks/hidden/test_hidden.py", "/autograder/source/secret.key",
           "/autograder/source/autograder.json", "/opt/mljudge/judge/grader/core/grade.py",
           "/autograder/submission/solution.py", "/autograder/submission_metadata.json", "/autograder/run_autograder"]
for path in SECRETS:
    try:
        with open(path, "rb") as fh:
            print("LEAKED", path, fh.read(40))
    except OSError as exc:
        print("DENIED", path, type(exc).__name__)
for folder in ("/autograder/source", "/opt/mljudge/judge"):
    try:
        print("LEAKED listing", folder, os.listdir(folder)[:3])
    except OSError as exc:
        print("DENIED", folder, type(exc).__name__)
for top, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(top, d) not in ("/proc", "/sys", "/dev")]
    for name in files:
        if name in ("test_hidden.py", "secret.key", "solution.py", "autograder.json") or name.startswith("mljudge"):
            path = os.path.join(top, name)
            try:
                with open(path, "rb") as fh:
                    if path != __file__:
                        print("LEAKED", path, fh.read(40))
            except OSError:
                pass
print("SEARCH DONE")
'''


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_the_hidden_checks_and_the_judge_cannot_be_read(mode: str, autograder_image: Callable[[str], str],
                                                       run_autograder: Callable[..., Any]) -> None:
    source = _reference("metrics") + READ_SECRETS.encode()
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": source})
    assert "SEARCH DONE" in run.output, run.output
    assert "LEAKED" not in run.output, run.output
    assert run.output.count("DENIED") >= 7 if mode == "no-userns" else "DENIED" in run.output
    assert HIDDEN_MARKER not in run.output
    assert _full(run.results), run.output  # and grading went on as if nothing happened
    assert run.isolation == ISOLATION[mode]


FORGE_RESULTS = r'''
import json, os, time
FORGED = json.dumps({"score": 1000, "output": "FORGED"})
def attempt(what, action):
    try:
        action()
        print("DONE", what)
    except OSError as exc:
        print("REFUSED", what, type(exc).__name__)
def write(path):
    with open(path, "w") as fh:
        fh.write(FORGED)
attempt("overwrite", lambda: write("/autograder/results/results.json"))
attempt("create", lambda: write("/autograder/results/other.json"))
attempt("rename dir", lambda: os.rename("/autograder/results", "/autograder/old"))
attempt("symlink", lambda: os.symlink("/tmp/mine.json", "/autograder/results/results.json"))
attempt("chmod", lambda: os.chmod("/autograder/results", 0o777))
if os.fork() == 0:  # a child that outlives the worker and tries again once the grading is over
    os.setsid()
    if os.fork() == 0:
        for _ in range(40):
            time.sleep(0.1)
            for target in ("/autograder/results/results.json", "/autograder/results/late.json"):
                try:
                    write(target)
                except OSError:
                    pass
    os._exit(0)
'''


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_results_json_cannot_be_forged(mode: str, autograder_image: Callable[[str], str],
                                       run_autograder: Callable[..., Any]) -> None:
    planted = ("mkdir -p /autograder/results; echo '{\"score\": 999, \"output\": \"PLANTED\"}' > /tmp/planted; "
               "ln -sf /tmp/planted /autograder/results/results.json")
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": _stub("metrics") + FORGE_RESULTS.encode()},
                         before=planted,
                         after="sleep 5; ls -la /autograder/results; echo planted: $(cat /tmp/planted)")
    text = json.dumps(run.results)
    assert run.results["score"] == 0 and "FORGED" not in text and "PLANTED" not in text, text
    assert not re.search(r"\bDONE (overwrite|create|rename dir|symlink|chmod)", run.output), run.output
    assert run.output.count("REFUSED") == 5, run.output
    assert "late.json" not in run.after and "other.json" not in run.after and "results.json ->" not in run.after
    assert 'planted: {"score": 999, "output": "PLANTED"}' in run.after  # never written through the link
    assert run.isolation == ISOLATION[mode]


KILL_GRADER = r'''
import os, signal
killed, refused = [], []
for entry in os.listdir("/proc"):
    if entry.isdigit() and int(entry) != os.getpid():
        try:
            os.kill(int(entry), signal.SIGKILL)
            killed.append(entry)
        except OSError:
            refused.append(entry)
try:
    os.kill(-1, signal.SIGKILL)
except OSError:
    pass
print("KILLED", len(killed), "REFUSED", len(refused))
'''


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_killing_every_process_in_sight_does_not_stop_the_grader(mode: str, autograder_image: Callable[[str], str],
                                                                 run_autograder: Callable[..., Any]) -> None:
    source = _reference("metrics") + KILL_GRADER.encode()
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": source})
    assert _full(run.results), run.output
    assert "KILLED" in run.output
    assert run.isolation == ISOLATION[mode]


OPEN_SOCKETS = r'''
import socket
def attempt(what, family, kind, action):
    try:
        with socket.socket(family, kind) as s:
            action(s)
        print("OPENED", what)
    except OSError as exc:
        print("BLOCKED", what, type(exc).__name__)
attempt("tcp to the container's listener", socket.AF_INET, socket.SOCK_STREAM,
        lambda s: (s.settimeout(2), s.connect(("127.0.0.1", 8765)), s.sendall(b"hello")))
attempt("tcp6", socket.AF_INET6, socket.SOCK_STREAM, lambda s: (s.settimeout(2), s.connect(("::1", 8765))))
attempt("udp out", socket.AF_INET, socket.SOCK_DGRAM, lambda s: s.sendto(b"x", ("10.0.0.1", 53)))
attempt("netlink", socket.AF_NETLINK, socket.SOCK_RAW, lambda s: None)
attempt("packet", getattr(socket, "AF_PACKET", 17), socket.SOCK_RAW, lambda s: None)
'''
LISTENER = r'''
import socket
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 8765))
server.listen(5)
while True:
    server.accept()
    open("/tmp/connected", "w").write("yes")
'''


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_sockets_reach_nothing(mode: str, autograder_image: Callable[[str], str],
                               run_autograder: Callable[..., Any]) -> None:
    source = _reference("metrics") + OPEN_SOCKETS.encode()
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": source},
                         before=f"python3 -c {shlex.quote(LISTENER)} & sleep 0.5",
                         after="echo connected: $(cat /tmp/connected 2>/dev/null || echo no)")
    assert "connected: no" in run.after, run.after
    assert "OPENED tcp" not in run.output and "OPENED udp" not in run.output, run.output
    assert "OPENED packet" not in run.output
    if mode == "no-userns":  # the seccomp filter: local sockets only
        assert run.output.count("BLOCKED") == 5 and "PermissionError" in run.output, run.output
    assert _full(run.results), run.output


ESCAPE = r'''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def attempt(what, call):
    result = call()
    print("ESCAPED" if result == 0 else "STOPPED", what, os.strerror(ctypes.get_errno()) if result else "")
attempt("unshare(CLONE_NEWUSER)", lambda: libc.unshare(0x10000000))
attempt("unshare(CLONE_NEWNS)", lambda: libc.unshare(0x00020000))
attempt("ptrace(PTRACE_ATTACH, parent)", lambda: libc.ptrace(16, os.getppid(), None, None))
attempt("setuid(0)", lambda: libc.setuid(0))
attempt("mount tmpfs", lambda: libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))
print("UID", os.getuid(), os.geteuid(), "GROUPS", os.getgroups())
'''


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_no_privilege_to_regain(mode: str, autograder_image: Callable[[str], str],
                                run_autograder: Callable[..., Any]) -> None:
    source = _reference("metrics") + ESCAPE.encode()
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": source})
    assert run.output.count("STOPPED") == 5 and "ESCAPED" not in run.output, run.output
    uid = int(re.search(r"UID (\d+) (\d+)", run.output).group(1))  # type: ignore[union-attr]
    assert uid != 0 and "GROUPS []" in run.output
    assert _full(run.results), run.output


MEMORY_HOG = r'''
import numpy as np
_hog = np.ones(1400 * 1024 * 1024 // 8)  # metrics allows 1024 MiB
print("ALLOCATED", _hog.nbytes >> 20)
'''
FORK_BOMB = r'''
import os, time
made = failed = 0
for _ in range(400):
    try:
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        made += 1
    except OSError:
        failed += 1
print("FORKED", made, "REFUSED", failed)
'''
LEFTOVERS = r'''python3 -c '
import os, time
for _ in range(100):  # a killed pid namespace of hundreds of processes takes a moment to be reaped
    n = sum(1 for p in os.listdir("/proc") if p.isdigit() and os.stat("/proc/" + p).st_uid != 0)
    if n == 0:
        break
    time.sleep(0.1)
print("leftover:", n)'
'''


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_the_memory_limit_holds(mode: str, autograder_image: Callable[[str], str],
                                run_autograder: Callable[..., Any]) -> None:
    source = _reference("metrics") + MEMORY_HOG.encode()
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": source}, after=LEFTOVERS)
    assert run.results["extra_data"]["verdict"] == "memory_limit", run.output
    assert run.results["score"] == 0 and "ALLOCATED" not in run.output
    assert run.results["extra_data"]["resources"]["peak_memory_mb"] > 900
    assert "leftover: 0" in run.after


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_a_fork_bomb_is_held_and_cleaned_up(mode: str, autograder_image: Callable[[str], str],
                                            run_autograder: Callable[..., Any]) -> None:
    source = _reference("metrics") + FORK_BOMB.encode()
    run = run_autograder(autograder_image("metrics"), mode, {"solution.py": source}, after=LEFTOVERS)
    assert "leftover: 0" in run.after, run.after
    if mode == "no-userns":  # RLIMIT_NPROC of the student's uid: forks fail, grading goes on (63 copies of numpy
        # may add up to the memory limit: resident sets are summed, shared pages once per process)
        made = int(re.search(r"FORKED (\d+)", run.output).group(1))  # type: ignore[union-attr]
        assert made < 64, run.output
        assert _full(run.results) or run.results["extra_data"]["verdict"] == "memory_limit", run.output
    else:  # the watched tree: the worker is stopped (forked copies of numpy add up to the memory limit too;
        # on a loaded machine the restarted workers may run out of the grading's wall time first)
        assert run.results["extra_data"]["verdict"] in ("crashed", "memory_limit", "time_limit"), run.output
        assert "more than 64 processes" in run.output or "more than 1024 MiB" in run.output, run.output
        assert run.results["score"] == 0


@pytest.mark.parametrize("mode", MODE_NAMES)
def test_the_examples_land_in_their_ranges(mode: str, autograder_image: Callable[[str], str],
                                           run_autograder: Callable[..., Any]) -> None:
    """As ``judge verify`` checks them: wrong, raising and looping submissions get their expected scores."""
    image = autograder_image("metrics")
    for example in get_assignment("metrics", REPO).examples:
        run = run_autograder(image, mode, {"solution.py": example.path.read_bytes()})
        assert example.score_min <= run.results["score"] <= example.score_max, (example.name, run.output)
        if example.verdict is not None:
            assert run.results["extra_data"]["verdict"] == example.verdict.value, (example.name, run.output)
