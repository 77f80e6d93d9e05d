"""`judge new`: the scaffold passes `judge verify` as it is, lists every key the judge knows (each
one valid when uncommented), and never overwrites an exercise."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from click.testing import CliRunner

from grader.cli import cli
from grader.core.assignment import LeaderboardSpec, load_assignment
from grader.core.values import Limits, Quota


def test_a_new_exercise_verifies_as_it_is_and_is_not_overwritten(tmp_path: Path) -> None:
    runner = CliRunner()
    made = runner.invoke(cli, ["new", "my-exercise", "--home", str(tmp_path)])
    assert made.exit_code == 0, made.output
    verified = runner.invoke(cli, ["verify", "my-exercise", "--home", str(tmp_path), "--sandbox", "process",
                                   "--course", str(tmp_path / "course")])
    assert verified.exit_code == 0, verified.output
    again = runner.invoke(cli, ["new", "my-exercise", "--home", str(tmp_path)])
    assert again.exit_code == 2 and "not overwriting" in again.output
    bad = runner.invoke(cli, ["new", "My Exercise", "--home", str(tmp_path)])
    assert bad.exit_code == 2 and "lower-case" in bad.output
    released = runner.invoke(cli, ["release", "my-exercise", "--home", str(tmp_path), "-o", str(tmp_path / "dist")])
    assert released.exit_code == 0, released.output
    assert not (tmp_path / "dist" / "my-exercise" / "checks" / "hidden").exists()


def test_every_commented_key_is_a_key_the_judge_accepts(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["new", "keys", "--home", str(tmp_path)], catch_exceptions=False)
    toml = tmp_path / "assignments" / "keys" / "assignment.toml"
    text = toml.read_text()
    listed = set(re.findall(r"^# (\w+) = ", text, re.MULTILINE))
    known = {f.name for f in (*fields(Limits), *fields(Quota), *fields(LeaderboardSpec))}
    assert known | {"due", "late_penalty_per_day", "preload", "seed"} == listed
    uncommented = []
    for line in text.splitlines():
        header = re.match(r"^# (\[\w+\])", line)
        setting = re.match(r"^# (\w+ = [^#…]+?)\s*(#.*)?$", line)
        if header:
            uncommented.append(header.group(1))
        elif setting and not setting.group(1).startswith("preload"):
            uncommented.append(setting.group(1))
        else:
            uncommented.append(line)
    fixed = "\n".join(uncommented).replace("wall_time = 20\ncall_time = 2\n", "")  # the defaults follow
    toml.write_text(fixed)
    spec = load_assignment(toml.parent)
    assert spec.limits == Limits() and spec.quota == Quota() and spec.leaderboard == LeaderboardSpec()
    assert spec.late_penalty_per_day == 0.1 and spec.due is not None


def test_verify_runs_grades_every_case_that_often_and_finds_a_flaky_example(tmp_path: Path) -> None:
    """``--runs N``: every case graded N times, each grade within its range; an example right on
    every third grading only (it keeps a count in a file) passes one run and fails three."""
    runner = CliRunner()
    assert runner.invoke(cli, ["new", "flaky", "--home", str(tmp_path)]).exit_code == 0
    example = tmp_path / "assignments" / "flaky" / "examples" / "sometimes-right"
    example.mkdir()
    counter = tmp_path / "gradings"
    (example / "solution.py").write_text(
        "import pathlib\n"
        f"_COUNT = pathlib.Path({str(counter)!r})\n"
        "_N = int(_COUNT.read_text()) + 1 if _COUNT.exists() else 1\n"
        "_COUNT.write_text(str(_N))\n"
        "def mean_squared_error(y_true, y_pred):\n"
        "    if _N % 3 != 1:\n"
        "        return -1.0\n"
        "    return sum((a - b) ** 2 for a, b in zip(y_true, y_pred)) / len(y_true)\n"
    )
    (example / "expected.toml").write_text('score = [3, 3]\nverdict = "passed"\n')
    common = ["--home", str(tmp_path), "--sandbox", "process", "--course", str(tmp_path / "course")]
    once = runner.invoke(cli, ["verify", "flaky", *common])
    assert once.exit_code == 0, once.output
    counter.unlink()
    thrice = runner.invoke(cli, ["verify", "flaky", "--runs", "3", "--workers", "1", *common])  # in order
    assert thrice.exit_code != 0, thrice.output
    said = " ".join(thrice.output.split())
    assert "sometimes-right #2: score 0 outside [3, 3]" in said and "sometimes-right #3: score 0" in said
    assert "sometimes-right #1:" not in said and "mean-absolute-error #" not in said.partition("verify summary")[2]
    assert counter.read_text() == "3"


def test_verify_with_two_workers_grades_the_same_cases_in_the_same_order(tmp_path: Path) -> None:
    """``--workers 2``: the gradings run side by side in a batch's pool; the report is the one
    grading them one by one gives (every case, in order, with its score)."""
    from grader.authoring.verify import verify_assignment
    from grader.core.assignment import get_assignment
    from grader.sandbox import get_sandbox

    assert CliRunner().invoke(cli, ["new", "pair", "--home", str(tmp_path)]).exit_code == 0
    assignment = get_assignment("pair", tmp_path)
    sandbox = get_sandbox("process")
    one = verify_assignment(assignment, sandbox, runs=2, workers=1)
    two = verify_assignment(assignment, sandbox, runs=2, workers=2)
    assert one.ok and two.ok, two.failures
    assert [(o.case.name, o.grade.score) for o in two.outcomes] == [(o.case.name, o.grade.score) for o in one.outcomes]
    assert len(two.outcomes) == 5 + 2 * 2  # the reference 5 times, the stub and the example twice
    assert {o.grade.sandbox for o in two.outcomes} == {"process"}
    kept = {c.name: c for c in two.checks}["checks collected once"]
    assert kept.ok and not kept.warning and kept.detail.endswith("for 2 gradings"), kept


def test_verify_with_two_workers_still_warns_of_checks_collected_for_every_submission(tmp_path: Path) -> None:
    """A check that keeps results in a module global makes its suite be collected again for every
    submission; verify's first gradings run in its own process, so the warning survives ``--workers``."""
    from grader.authoring.verify import verify_assignment
    from grader.core.assignment import get_assignment
    from grader.sandbox import get_sandbox

    assert CliRunner().invoke(cli, ["new", "greedy", "--home", str(tmp_path)]).exit_code == 0
    checks = tmp_path / "assignments" / "greedy" / "checks" / "public" / "test_public.py"
    text = checks.read_text().replace("    got = float(", "    got = SEEN.append(None) or float(")
    checks.write_text(text + "\n\nSEEN = []  # filled by a check: the suite cannot be kept\n")
    report = verify_assignment(get_assignment("greedy", tmp_path), get_sandbox("process"), runs=2, workers=2)
    assert report.ok, report.failures
    kept = {c.name: c for c in report.checks}["checks collected once"]
    assert kept.ok and "collected again for every submission" in kept.warning, kept
