"""The live check suite: collected once per process, yet every submission graded as in a new session."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.core.assignment import AssignmentSpec, load_assignment
from grader.core.grade import grade_one
from grader.core.suite import SUITES
from grader.core.values import Submission, Verdict
from grader.sandbox.base import Sandbox

CHECKS = '''
import pytest

CALLS = []


@pytest.fixture(scope="module")
def answer(submission):
    return submission.answer()


@pytest.fixture(scope="session")
def fitted(submission):
    return submission.answer() * 10


@pytest.mark.points(1)
def test_module_fixture(answer):
    assert answer == 42, f"answer() returned {answer}"


@pytest.mark.points(1)
def test_session_fixture(fitted):
    assert fitted == 420, f"fitted {fitted}"


@pytest.mark.points(1)
def test_direct(submission):
    assert submission.answer() == 42
'''


def _exercise(root: Path, checks: str = CHECKS, name: str = "scoped", call_time: float = 5) -> AssignmentSpec:
    (root / "checks" / "public").mkdir(parents=True)
    (root / "checks" / "public" / "test_public.py").write_text(textwrap.dedent(checks))
    (root / "assignment.toml").write_text(textwrap.dedent(f'''
        [assignment]
        title = "{name}"
        file = "solution.py"
        entry_points = ["answer"]
        points = 3
        [limits]
        wall_time = 20
        call_time = {call_time}
    '''))
    (root / "stub.py").write_text("def answer():\n    raise NotImplementedError\n")
    return load_assignment(root)


def _submission(folder: Path, value: str) -> Submission:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "solution.py"
    path.write_text(f"def answer():\n    return {value}\n")
    return Submission.from_path(path)


def test_fixtures_of_every_scope_are_made_afresh_for_each_submission(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    spec = _exercise(tmp_path / "ex")
    right, wrong = _submission(tmp_path / "right", "42"), _submission(tmp_path / "wrong", "41")
    scores = [grade_one(assignment=spec, submission=s, sandbox=process_sandbox, scope="public").score
              for s in (right, wrong, right, wrong)]
    assert scores == [3, 0, 3, 0]


def test_suite_is_collected_once_and_recollected_when_checks_change(tmp_path: Path, process_sandbox: Sandbox) -> None:
    spec = _exercise(tmp_path / "ex")
    right = _submission(tmp_path / "right", "42")
    grade_one(assignment=spec, submission=right, sandbox=process_sandbox)
    first = SUITES.get([spec.public_checks], spec.root)
    grade_one(assignment=spec, submission=right, sandbox=process_sandbox)
    assert SUITES.get([spec.public_checks], spec.root) is first
    (spec.public_checks / "test_public.py").write_text(
        CHECKS.replace("assert answer == 42", "assert answer == 43"))
    grade = grade_one(assignment=spec, submission=right, sandbox=process_sandbox)
    assert grade.score == 2 and SUITES.get([spec.public_checks], spec.root) is not first


def test_two_exercises_with_the_same_check_module_names_keep_their_own_checks(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    first = _exercise(tmp_path / "one")
    second = _exercise(tmp_path / "two", CHECKS.replace("== 42", "== 7").replace("== 420", "== 70"), "two")
    seven, answer = _submission(tmp_path / "seven", "7"), _submission(tmp_path / "answer", "42")
    for _ in range(2):
        assert grade_one(assignment=first, submission=answer, sandbox=process_sandbox).score == 3
        assert grade_one(assignment=second, submission=answer, sandbox=process_sandbox).score == 0
        assert grade_one(assignment=second, submission=seven, sandbox=process_sandbox).score == 3


def test_a_check_that_stops_the_session_is_a_judge_error_and_the_next_grade_is_sound(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    checks = CHECKS + textwrap.dedent('''
        @pytest.mark.points(0)
        def test_stop(submission):
            if submission.answer() == 0:
                pytest.exit("stop")
    ''')
    spec = _exercise(tmp_path / "ex", checks)
    stopper, right = _submission(tmp_path / "zero", "0"), _submission(tmp_path / "right", "42")
    stopped = grade_one(assignment=spec, submission=stopper, sandbox=process_sandbox)
    assert stopped.verdict is Verdict.JUDGE_ERROR and any("pytest.exit" in n for n in stopped.notes)
    again = grade_one(assignment=spec, submission=right, sandbox=process_sandbox)
    assert again.verdict is Verdict.PASSED and again.score == 3


def test_checks_that_cannot_be_collected_are_a_judge_error_every_time(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    spec = _exercise(tmp_path / "ex", CHECKS + "\nthis is not python\n")
    right = _submission(tmp_path / "right", "42")
    for _ in range(2):
        grade = grade_one(assignment=spec, submission=right, sandbox=process_sandbox)
        assert grade.verdict is Verdict.JUDGE_ERROR and any("cannot collect" in n for n in grade.notes)


def test_what_checks_print_does_not_reach_the_callers_stdout(
        tmp_path: Path, process_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _exercise(tmp_path / "ex", CHECKS.replace("def test_direct(submission):",
                                                     "def test_direct(submission):\n    print('noise')"))
    grade_one(assignment=spec, submission=_submission(tmp_path / "right", "42"), sandbox=process_sandbox)
    print("mine")
    assert capsys.readouterr().out == "mine\n"


LEAKY_DICT = '''
import pytest

STORE = {}


@pytest.mark.points(1)
def test_store(submission):
    STORE["answer"] = submission.answer()  # a broken submission raises before it stores anything
    assert STORE["answer"] == 42


@pytest.mark.points(1)
def test_reads_back(submission):
    assert STORE.get("answer") == 42


@pytest.mark.points(1)
def test_reads_back_again(submission):
    assert STORE.get("answer") == 42
'''

LEAKY_GLOBAL = (
    LEAKY_DICT.replace('STORE["answer"] = submission.answer()', "global LAST\n    LAST = submission.answer()")
    .replace('STORE["answer"] == 42', "LAST == 42")
    .replace('STORE.get("answer") == 42', "LAST == 42")
    .replace("STORE = {}", "LAST = None")
)


LEAKY_CONFTEST = (
    LEAKY_DICT.replace("STORE = {}", "")
    .replace("(submission):", "(submission, store):")
    .replace("STORE", "store")
)
CONFTEST_STORE = "import pytest\n\nSTORE = {}\n\n\n@pytest.fixture\ndef store():\n    return STORE\n"


@pytest.mark.parametrize("checks", [LEAKY_DICT, LEAKY_GLOBAL, LEAKY_CONFTEST], ids=["dict", "global", "conftest"])
def test_a_result_kept_in_a_check_modules_globals_never_reaches_the_next_submission(
        tmp_path: Path, process_sandbox: Sandbox, checks: str) -> None:
    spec = _exercise(tmp_path / "ex", checks)
    if checks is LEAKY_CONFTEST:
        (spec.public_checks / "conftest.py").write_text(CONFTEST_STORE)
    right, broken = _submission(tmp_path / "right", "42"), _submission(tmp_path / "broken", "int('x')")
    scores = [grade_one(assignment=spec, submission=s, sandbox=process_sandbox, scope="public").score
              for s in (right, broken, right, broken)]
    assert scores == [3, 0, 3, 0]


def test_trusted_values_cached_in_a_function_keep_the_suite(tmp_path: Path, process_sandbox: Sandbox) -> None:
    cached = "import functools\nimport pytest\n\n\n@functools.cache\ndef target():\n    return 42\n"
    checks = CHECKS.replace("import pytest", cached).replace("assert answer == 42", "assert answer == target()")
    spec = _exercise(tmp_path / "ex", checks)
    right = _submission(tmp_path / "right", "42")
    assert grade_one(assignment=spec, submission=right, sandbox=process_sandbox).score == 3
    first = SUITES.get([spec.public_checks], spec.root)
    assert grade_one(assignment=spec, submission=right, sandbox=process_sandbox).score == 3
    assert SUITES.get([spec.public_checks], spec.root) is first


TIMED = '''
import pytest


@pytest.mark.points(1)
@pytest.mark.timeout(6)
def test_given_more_time(submission):
    assert submission.answer() == 42


@pytest.mark.points(1)
def test_with_the_exercise_limit(submission):
    assert submission.answer() == 42


@pytest.mark.points(1)
@pytest.mark.timeout(0.5)
def test_given_less_time(submission):
    assert submission.answer() == 42
'''


def test_a_checks_timeout_marker_replaces_the_per_call_limit(tmp_path: Path, process_sandbox: Sandbox) -> None:
    spec = _exercise(tmp_path / "ex", TIMED, call_time=1)
    slow = _submission(tmp_path / "slow", "__import__('time').sleep(1.5) or 42")
    grade = grade_one(assignment=spec, submission=slow, sandbox=process_sandbox, scope="public")
    outcomes = {c.name.rsplit("::", 1)[-1]: (c.outcome.value, c.points_earned) for c in grade.checks}
    assert outcomes == {"test_given_more_time": ("passed", 1.0), "test_with_the_exercise_limit": ("failed", 0.0),
                        "test_given_less_time": ("failed", 0.0)}, grade.checks
    assert grade.verdict is Verdict.TIME_LIMIT


def test_a_malformed_timeout_marker_is_a_judge_error(tmp_path: Path, process_sandbox: Sandbox) -> None:
    spec = _exercise(tmp_path / "ex", TIMED.replace("timeout(6)", "timeout('soon')"), call_time=1)
    grade = grade_one(assignment=spec, submission=_submission(tmp_path / "s", "42"), sandbox=process_sandbox)
    assert grade.verdict is Verdict.JUDGE_ERROR and any("timeout(seconds)" in note for note in grade.notes)


def test_markers_of_other_tools_are_allowed_but_a_misspelt_judge_marker_is_a_judge_error(
        tmp_path: Path, process_sandbox: Sandbox) -> None:
    right = _submission(tmp_path / "right", "42")
    tagged = CHECKS.replace("def test_direct(", "@pytest.mark.slow\n@pytest.mark.flaky(reruns=2)\ndef test_direct(")
    assert grade_one(assignment=_exercise(tmp_path / "ok", tagged), submission=right,
                     sandbox=process_sandbox).score == 3
    typo = CHECKS.replace("def test_direct(", "@pytest.mark.visiblity('hidden')\ndef test_direct(")
    grade = grade_one(assignment=_exercise(tmp_path / "typo", typo, "typo"), submission=right, sandbox=process_sandbox)
    assert grade.verdict is Verdict.JUDGE_ERROR
    assert any("'visiblity'; did you mean 'visibility'" in note for note in grade.notes), grade.notes
