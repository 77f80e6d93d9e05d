"""Integrity attacks on the recommender-svd exercise, graded with the real engine (process sandbox).

Each hostile submission in ``submissions/`` is graded with ``scope="all"``. For every attack:

* the judge does not fail: ``status == "ok"`` and the verdict is not ``judge_error``;
* every check has a result, and the score is at most the score the attack's *honest* answers earn
  (the bound below), so the attack gains nothing;
* the verdict is the expected one;
* no worker process is left behind, and a normal grade of the reference solution afterwards is
  still 10/10 (the grader is unharmed).

Most attacks are built on an honest-but-wrong base so that "gains nothing" is measurable:
``honest_zeros`` (zeros of the right shape, a constant 0 rating) earns exactly 2 (public shape and
finiteness checks); ``examples/wrong`` (R unchanged, the training mean) earns exactly 3 (all public
points); both are proved in ``test_honest_baselines``. Objects that are not plain data never count
as answers, so attacks whose every answer is such an object are bounded by 0.

| submission                    | attack                                                | bound | verdict            |
|-------------------------------|-------------------------------------------------------|-------|--------------------|
| eq_always_true                | (a) object whose ==, <, bool, len, float all lie      | 0     | failed             |
| sys_exit_import               | (b) sys.exit(0) at import                             | 0     | crashed            |
| os_exit_import                | (b) os._exit(0) at import (prints "all passed")       | 0     | crashed            |
| sys_exit_call                 | (b) sys.exit(0) inside every call                     | 0     | failed (raised)    |
| os_exit_call                  | (b) os._exit(0) inside every call                     | 0     | crashed            |
| raise_base_exceptions         | (b) KeyboardInterrupt, SystemExit(1), GeneratorExit   | 0     | failed (raised)    |
| base_exception_while_encoding | (b) list subclass raising KeyboardInterrupt on encode | 0     | failed             |
| stack_and_gc_snooping         | (c) sys._getframe, inspect.stack, gc for labels       | 3     | failed             |
| patch_pytest_and_numpy        | (d) patch _pytest reports/outcomes, np.allclose/norm  | 2     | failed             |
| conftest_and_plugins/solution | (e) conftest.py, evil.pth, pytest11 dist-info beside  | 2     | failed             |
| fake_results_output           | (f) fake results.json/"10/10" printed, fake files     | 2     | failed             |
| ndarray_subclass              | (g) ndarray subclass lying in __eq__/__array_ufunc__  | 2     | failed             |
| array_protocol_objects        | (g) __array__/__array_interface__ giving the answer   | 0     | failed             |
| object_dtype_arrays           | object, structured and datetime64 arrays              | 0     | failed             |
| deep_nested_list              | list nested 10,000 deep                               | 0     | failed             |
| huge_int                      | 10**100000 (int/str limit in force in the worker)     | 0     | failed             |
| huge_int_unlimited            | 10**100000 with the int/str limit lifted              | 0     | failed / p.v.      |
| garbage_channel               | raw garbage into the protocol fd (via /proc/self/fd)  | 2     | protocol_violation |
| forged_frames                 | well-formed forged replies in the channel (desync)    | 2     | failed / p.v.      |
| forged_replies                | Worker.send replaced: hostile trees (ref, O, deep…)   | 0     | protocol_violation |
| forged_zero_itemsize_array    | forged "<U0" / 0-element arrays with enormous shapes  | 0     | protocol_violation |
| close_all_fds                 | os.closerange(0, 1024) inside every call              | 0     | crashed            |
| module_getattr                | module __getattr__ returning callables for any name   | 0     | failed             |
| stall_channel_reader          | stop reading the channel, stay alive (tests below)    | 2     | time_limit         |
| seed_hook_exits               | fake torch whose manual_seed exits (worker's seeding) | 0     | crashed            |
| seed_hook_interrupts          | fake keras/tensorflow raising BaseExceptions on seed  | 2     | failed (raised)    |

A worker that stops reading its channel is out of time like one that stops answering: the
grade ends within the exercise's wall time (``test_stalled_channel_respects_the_wall_time``).
"""

from __future__ import annotations

import dataclasses
import glob
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from grader.core.assignment import AssignmentSpec, get_assignment
from grader.core.grade import grade_one
from grader.core.values import Grade, Submission, Verdict
from grader.sandbox import get_sandbox

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SUBMISSIONS = HERE / "submissions"
REFERENCE = REPO / "solutions" / "recommender-svd" / "solution.py"
FAKE_TMP_FILE = Path("/tmp/mljudge-attack-fake-results.json")
EVIL_ENV = ("MLJUDGE_ATTACK_CONFTEST_LOADED", "MLJUDGE_ATTACK_PLUGIN_LOADED", "MLJUDGE_ATTACK_PTH_LOADED")

F, C, PV, TL = Verdict.FAILED, Verdict.CRASHED, Verdict.PROTOCOL_VIOLATION, Verdict.TIME_LIMIT


@dataclass(frozen=True)
class Attack:
    file: str
    bound: float
    verdicts: frozenset[Verdict]


def _attack(file: str, bound: float, *verdicts: Verdict) -> Attack:
    return Attack(file, bound, frozenset(verdicts))


ATTACKS: dict[str, Attack] = {
    "eq_always_true": _attack("eq_always_true.py", 0, F),
    "sys_exit_import": _attack("sys_exit_import.py", 0, C),
    "os_exit_import": _attack("os_exit_import.py", 0, C),
    "sys_exit_call": _attack("sys_exit_call.py", 0, F),
    "os_exit_call": _attack("os_exit_call.py", 0, C),
    "raise_base_exceptions": _attack("raise_base_exceptions.py", 0, F),
    "base_exception_while_encoding": _attack("base_exception_while_encoding.py", 0, F),
    "stack_and_gc_snooping": _attack("stack_and_gc_snooping.py", 3, F),
    "patch_pytest_and_numpy": _attack("patch_pytest_and_numpy.py", 2, F),
    "conftest_and_plugins": _attack("conftest_and_plugins/solution.py", 2, F),
    "fake_results_output": _attack("fake_results_output.py", 2, F),
    "ndarray_subclass": _attack("ndarray_subclass.py", 2, F),
    "array_protocol_objects": _attack("array_protocol_objects.py", 0, F),
    "object_dtype_arrays": _attack("object_dtype_arrays.py", 0, F),
    "deep_nested_list": _attack("deep_nested_list.py", 0, F),
    "huge_int": _attack("huge_int.py", 0, F),
    "huge_int_unlimited": _attack("huge_int_unlimited.py", 0, F, PV),  # PV if the digits reach the grader
    "garbage_channel": _attack("garbage_channel.py", 2, PV),
    # forged but well-formed replies are indistinguishable from answers; they only shift them
    "forged_frames": _attack("forged_frames.py", 2, F, PV),
    "forged_replies": _attack("forged_replies.py", 0, PV),
    "forged_zero_itemsize_array": _attack("forged_zero_itemsize_array.py", 0, PV),
    "close_all_fds": _attack("close_all_fds.py", 0, C),
    "module_getattr": _attack("module_getattr.py", 0, F),
    # the worker seeds the random libraries it finds loaded (harness.seeding): fakes that fight it
    "seed_hook_exits": _attack("seed_hook_exits.py", 0, C),
    "seed_hook_interrupts": _attack("seed_hook_interrupts.py", 2, F),
}

_GRADES: dict[tuple[str, tuple[str, ...] | None], Grade] = {}


# --------------------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def assignment() -> AssignmentSpec:
    return get_assignment("recommender-svd", REPO)


def grade(assignment: AssignmentSpec, path: Path) -> Grade:
    return grade_one(
        assignment=assignment, submission=Submission.from_path(path), sandbox=get_sandbox("process"), scope="all"
    )


def graded(assignment: AssignmentSpec, name: str) -> Grade:
    """Grade each attack once per test session; the specific tests below reuse the grade."""
    key = (name, assignment.allowed)
    if key not in _GRADES:
        _cleanup_tmp()
        _GRADES[key] = grade(assignment, SUBMISSIONS / ATTACKS[name].file)
    return _GRADES[key]


def _cleanup_tmp() -> None:
    FAKE_TMP_FILE.unlink(missing_ok=True)
    for path in glob.glob("/tmp/mljudge-attack-forged-*"):
        Path(path).unlink(missing_ok=True)


def live_children() -> list[str]:
    """Processes (not zombies) whose parent is this process: leaked workers."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if int(fields[1]) == me and fields[0] != b"Z":
            found.append(entry)
    return found


def assert_grader_unharmed(assignment: AssignmentSpec) -> None:
    assert live_children() == [], "a worker outlived its grade"
    for key in EVIL_ENV:
        assert key not in os.environ, f"hostile code ran in the grader's process ({key})"
    ref = grade(assignment, REFERENCE)
    assert (ref.status, ref.verdict, ref.score, ref.max_score) == ("ok", Verdict.PASSED, 10.0, 10.0), ref.notes


def describe(g: Grade) -> str:
    lines = [f"{g.status} {g.verdict.value} {g.score}/{g.max_score}"]
    lines += [f"  {c.name}: {c.points_earned}/{c.points_possible} {c.outcome.value} {c.message[:200]!r}"
              for c in g.checks]
    lines += [f"  note: {n[:300]}" for n in g.notes]
    return "\n".join(lines)


# --------------------------------------------------------------------------- the corpus


def test_honest_baselines(assignment: AssignmentSpec) -> None:
    """The bounds in the table are what the honest answers really earn."""
    zeros = grade(assignment, SUBMISSIONS / "honest_zeros.py")
    assert (zeros.status, zeros.verdict, zeros.score) == ("ok", F, 2.0), describe(zeros)
    wrong = grade(assignment, assignment.root / "examples" / "wrong" / "solution.py")
    assert (wrong.status, wrong.verdict, wrong.score) == ("ok", F, 3.0), describe(wrong)
    stub = grade(assignment, assignment.stub)
    assert (stub.status, stub.score) == ("ok", 0.0), describe(stub)


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_gains_nothing(assignment: AssignmentSpec, name: str) -> None:
    attack = ATTACKS[name]
    g = graded(assignment, name)
    try:
        assert g.status == "ok", describe(g)
        assert g.verdict is not Verdict.JUDGE_ERROR, describe(g)
        assert g.max_score == 10.0, describe(g)
        assert len(g.checks) == 6 and all(c.points_earned <= c.points_possible for c in g.checks), describe(g)
        assert g.score <= attack.bound, describe(g)
        assert g.verdict in attack.verdicts, describe(g)
        assert_grader_unharmed(assignment)
    finally:
        _cleanup_tmp()


def test_corpus_is_complete() -> None:
    """Every file in submissions/ is graded by this module (or is the honest baseline)."""
    on_disk = {str(p.relative_to(SUBMISSIONS)) for p in SUBMISSIONS.rglob("*.py")
               if "__pycache__" not in p.parts and p.parent.name != "decode"}  # test_decode_attacks.py
    used = {a.file for a in ATTACKS.values()} | {"honest_zeros.py", "stall_channel_reader.py"}
    used |= {"conftest_and_plugins/conftest.py", "conftest_and_plugins/evil_plugin.py"}
    assert on_disk == used


# --------------------------------------------------------------------------- specific evidence


def test_fake_results_stay_in_the_output(assignment: AssignmentSpec) -> None:
    """(f) The fake report only shows up as the student's captured output."""
    g = graded(assignment, "fake_results_output")
    marker = "FAKE-RESULTS-7f3a"
    assert marker in g.output and "10/10" in g.output
    assert g.score == 2.0
    for c in g.checks:
        assert marker not in c.message and marker not in c.instructor_message
    assert not any(marker in note for note in g.notes)
    for path in (Path.cwd() / "results.json", Path.cwd() / "grade.json", REPO / "results.json"):
        assert not path.exists() or marker not in path.read_text(errors="replace")


def test_snooping_finds_only_the_worker(assignment: AssignmentSpec) -> None:
    """(c) The caller's frames are the harness worker's; no trusted module or object is in reach."""
    g = graded(assignment, "stack_and_gc_snooping")
    frames = [line for line in g.output.splitlines() if line.startswith("SNOOP frames:")]
    assert frames, g.output[:2000]
    for line in frames:
        for entry in line.split("[", 1)[1].strip("]").split(", "):
            path = entry.strip("'").rsplit(":", 1)[0]
            assert path.endswith(("/work/solution.py", "/harness/worker.py")) or path == "<string>", line
    assert "SNOOP trusted-modules: []" in g.output
    assert "SNOOP trusted-object" not in g.output
    found = [line for line in g.output.splitlines() if line.startswith("SNOOP found:")]
    assert found and all(line == "SNOOP found: None" for line in found), found


def test_patching_pytest_and_numpy_stays_in_the_worker(assignment: AssignmentSpec) -> None:
    """(d) The patches happened (in the worker) and changed nothing on the trusted side. (With every
    package importable: the exercise's ``allowed`` would keep pytest out of the worker altogether.)"""
    g = graded(dataclasses.replace(assignment, allowed=None), "patch_pytest_and_numpy")
    assert "patched: ['pytest', 'numpy', 'builtins']" in g.output
    import _pytest.reports
    import _pytest.runner

    assert _pytest.runner.TestReport is _pytest.reports.TestReport
    assert not np.allclose([0.0], [1.0])
    assert np.linalg.norm([3.0, 4.0]) == 5.0
    assert AssertionError.__module__ == "builtins"


def test_conftest_and_plugins_beside_the_submission_are_ignored(assignment: AssignmentSpec) -> None:
    """(e) Only solution.py reaches the worker; the folder's conftest/plugin never load anywhere."""
    g = graded(assignment, "conftest_and_plugins")
    seen = [line for line in g.output.splitlines() if line.startswith("ATTACK-E neighbours:")]
    assert seen and all(line.endswith("['solution.py']") or "'__pycache__', 'solution.py']" in line for line in seen)
    assert "could not import conftest" in g.output and "could not import evil_plugin" in g.output
    assert not any(key in os.environ for key in EVIL_ENV)


def test_conftest_and_plugins_ignored_even_from_their_own_folder(
    assignment: AssignmentSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(e) Grading from inside the hostile folder, with it on sys.path (as when ``judge`` is run
    there): pytest must not pick up its conftest.py nor the pytest11 entry point."""
    folder = SUBMISSIONS / "conftest_and_plugins"
    monkeypatch.chdir(folder)
    monkeypatch.syspath_prepend(str(folder))
    for key in EVIL_ENV:
        monkeypatch.delenv(key, raising=False)
    try:
        g = grade(assignment, Path("solution.py"))
        assert (g.status, g.verdict, g.score) == ("ok", F, 2.0), describe(g)
        assert not any(key in os.environ for key in EVIL_ENV)
        assert "conftest" not in sys.modules or "conftest_and_plugins" not in str(
            getattr(sys.modules["conftest"], "__file__", "")
        )
        assert "evil_plugin" not in sys.modules
    finally:
        sys.modules.pop("evil_plugin", None)
    monkeypatch.undo()
    assert_grader_unharmed(assignment)


def test_garbage_is_reported_as_a_protocol_violation(assignment: AssignmentSpec) -> None:
    g = graded(assignment, "garbage_channel")
    assert "ATTACK channel fds: [4]" in g.output  # it really found the channel
    assert any(note.startswith("protocol violation") for note in g.notes)


def test_exits_are_reported_as_crashes(assignment: AssignmentSpec) -> None:
    for name in ("os_exit_import", "os_exit_call"):
        g = graded(assignment, name)
        assert any("exited (status 0)" in c.message for c in g.checks), describe(g)
    g = graded(assignment, "sys_exit_import")
    assert all("SystemExit" in c.message for c in g.checks), describe(g)


def test_zero_itemsize_array_is_a_protocol_violation(assignment: AssignmentSpec) -> None:
    """Regression: at 04b2a6a ``Decoder._array`` accepted ``<U0``/``|S0`` with any shape (a ~100 byte
    frame became a 14.4 GB array on the trusted side) and let numpy's ValueError/MemoryError escape
    as a plain check failure ("MemoryError: Unable to allocate 26.8 GiB ..." shown to the student)."""
    g = graded(assignment, "forged_zero_itemsize_array")
    assert g.score == 0.0 and g.status == "ok"
    assert g.verdict is PV, describe(g)
    for c in g.checks:
        assert "MemoryError" not in c.message and "ValueError" not in c.message, describe(g)


# --------------------------------------------------------------------------- stalling the channel


@pytest.fixture(scope="module")
def stalled(assignment: AssignmentSpec) -> tuple[Grade, AssignmentSpec]:
    """The stall attack on the exercise with short limits (wall 2 s, call 1 s)."""
    short = dataclasses.replace(
        assignment, limits=dataclasses.replace(assignment.limits, wall_time=2.0, call_time=1.0)
    )
    g = grade(short, SUBMISSIONS / "stall_channel_reader.py")
    return g, short


def test_stalled_channel_gains_nothing(assignment: AssignmentSpec, stalled: tuple[Grade, AssignmentSpec]) -> None:
    g, _ = stalled
    assert g.status == "ok", describe(g)
    assert g.score <= 2.0, describe(g)
    assert g.verdict is TL, describe(g)
    assert_grader_unharmed(assignment)


def test_stalled_channel_respects_the_wall_time(stalled: tuple[Grade, AssignmentSpec]) -> None:
    g, short = stalled
    wall = short.limits.wall_time
    assert g.seconds <= wall + 1.5, f"grading took {g.seconds:.1f} s; wall time {wall} s"
