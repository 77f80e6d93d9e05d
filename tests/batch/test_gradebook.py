"""The gradebook through `judge grade`: results survive kill -9, a rerun skips what is graded and
ends with exactly one result per submission, --regrade replaces, Ctrl-C stops cleanly, and a
gradebook from another judge version gets a clear message."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import cli
from tests.batch.helpers import JUDGE, SANDBOX, make_class, wait_for_busy_worker
from tests.conftest import REPO

KINDS = ["reference", "wrong", "zeros-for-missing", "global-mean-centred", "raises", "syntax-error", "stub"]


def _class(folder: Path, n: int) -> Path:
    return make_class(folder, {f"s{i:02d}": KINDS[i % len(KINDS)] for i in range(n)})


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a shell's background job starts with SIGINT ignored


def _judge(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([JUDGE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, cwd=REPO, preexec_fn=_default_sigint)


def _db_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    if not db.exists():
        return []
    with sqlite3.connect(db, timeout=30) as con:
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError:
            return []


def _grade_args(subs: Path, course: Path, *extra: str) -> list[str]:
    return ["grade", "recommender-svd", str(subs), "--course", str(course), "--home", str(REPO),
            "--sandbox", SANDBOX, "--workers", "2", *extra]


@pytest.mark.slow
def test_kill_9_mid_batch_then_rerun_gives_exactly_one_result_each(tmp_path: Path) -> None:
    n = 16
    subs = _class(tmp_path / "subs", n)
    course = tmp_path / "course"
    db = course / "gradebook.sqlite"
    proc = _judge(*_grade_args(subs, course))
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        done = _db_rows(db, "select count(*) from results")
        if done and 2 <= int(done[0][0]) < n:  # type: ignore[call-overload]
            break
        assert proc.poll() is None, "the batch finished before it could be killed"
        time.sleep(0.05)
    else:
        pytest.fail("no results appeared in the gradebook")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = int(_db_rows(db, "select count(*) from results")[0][0])  # type: ignore[call-overload]
    assert 1 <= before < n

    rerun = _judge(*_grade_args(subs, course))
    out, err = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, out + err
    assert "already graded (skipped)" in out
    per_sub = _db_rows(db, "select s.id, count(r.id) from submissions s left join results r on r.submission_id = s.id "
                           "group by s.id")
    assert len(per_sub) == n
    assert all(count == 1 for _, count in per_sub), per_sub

    again = _judge(*_grade_args(subs, course))
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, out + err
    assert f"│ already graded (skipped) │    {n} │" in out

    rows = _db_rows(db, "select submission_id, graded_at from results")
    stamps: dict[object, object] = {row[0]: row[1] for row in rows}
    regrade = _judge(*_grade_args(subs, course, "--regrade"))
    out, err = regrade.communicate(timeout=600)
    assert regrade.returncode == 0, out + err
    per_sub = _db_rows(db, "select submission_id, count(*), max(graded_at) from results group by submission_id")
    assert len(per_sub) == n and all(count == 1 for _, count, _ in per_sub)
    assert all(stamp != stamps[sub] for sub, _, stamp in per_sub)
    # files were kept in the course folder
    assert len(list((course / "files" / "recommender-svd").rglob("*.py"))) == n


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_keeps_finished_results(tmp_path: Path) -> None:
    subs = make_class(tmp_path / "subs", {"a-fast": "reference", "loop0": "infinite-loop", "loop1": "infinite-loop"})
    course = tmp_path / "course"
    proc = _judge(*_grade_args(subs, course, "--workers", "1"))
    db = course / "gradebook.sqlite"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _db_rows(db, "select count(*) from results") in ([], [(0,)]):
        time.sleep(0.1)
    wait_for_busy_worker(proc.pid)  # a loop submission is inside its infinite loop
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 130, out + err
    assert "interrupted" in err and "run the same command again" in err
    assert "Traceback" not in err
    assert _db_rows(db, "select count(*) from results") == [(1,)]  # the finished one is kept
    # nothing left running from this batch: no pool process, no sandboxed worker
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        leftovers = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
        leftovers += subprocess.run(["pgrep", "-f", str(subs)], capture_output=True, text=True).stdout.split()
        if not leftovers:
            break
        time.sleep(0.2)
    assert not leftovers
    rerun = _judge(*_grade_args(subs, course, "--workers", "2"))
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, out + err
    assert _db_rows(course / "gradebook.sqlite", "select count(*) from results") == [(3,)]


def test_gradebook_from_another_judge_version(tmp_path: Path) -> None:
    subs = make_class(tmp_path / "subs", {"alice": "syntax-error"})
    course = tmp_path / "course"
    runner = CliRunner()
    first = runner.invoke(cli, _grade_args(subs, course, "--workers", "1"))
    assert first.exit_code == 0, first.output
    with sqlite3.connect(course / "gradebook.sqlite") as con:
        con.execute("update meta set value = '0.0.1' where key = 'judge_version'")
    again = runner.invoke(cli, _grade_args(subs, course, "--workers", "1"))
    assert again.exit_code == 2
    assert "written by mljudge 0.0.1" in again.output and "--regrade" in again.output
    # exports still read it
    exported = runner.invoke(cli, ["export", "recommender-svd", "--format", "csv", "-o", str(tmp_path / "o.csv"),
                                   "--course", str(course), "--home", str(REPO)])
    assert exported.exit_code == 0, exported.output
    regraded = runner.invoke(cli, _grade_args(subs, course, "--workers", "1", "--regrade"))
    assert regraded.exit_code == 0, regraded.output
    with sqlite3.connect(course / "gradebook.sqlite") as con:
        con.execute("update alembic_version set version_num = '9999'")
    broken = runner.invoke(cli, _grade_args(subs, course, "--workers", "1"))
    assert broken.exit_code == 2 and "revision 9999" in broken.output and "newer judge" in broken.output


def test_bad_inputs_give_clear_messages_through_the_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, _grade_args(tmp_path / "empty", tmp_path / "course"))
    assert result.exit_code == 2 and "empty folder" in result.output
    result = runner.invoke(cli, ["grade", "recommender-svd", "--home", str(REPO)])
    assert result.exit_code == 2 and "--inbox" in result.output
    result = runner.invoke(cli, ["grade", "recommender-svd", "--inbox", "--course", str(tmp_path / "c"),
                                 "--home", str(REPO)])
    assert result.exit_code == 2 and "no submissions in the inbox" in result.output


def test_submit_then_grade_the_inbox(tmp_path: Path) -> None:
    runner = CliRunner()
    course = tmp_path / "course"
    first = tmp_path / "first.py"
    first.write_text((REPO / "assignments" / "recommender-svd" / "examples" / "syntax-error" / "solution.py")
                     .read_text())
    result = runner.invoke(cli, ["submit", "recommender-svd", str(first), "--student", "alice", "--course", str(course),
                                 "--home", str(REPO)])
    assert result.exit_code == 0, result.output
    assert "submitted" in result.output
    second = tmp_path / "second.py"
    second.write_text(first.read_text() + "\n# still broken\n")
    env = {"MLJUDGE_COURSE": str(course)}
    result = runner.invoke(cli, ["submit", "recommender-svd", str(second), "--student", "alice", "--home", str(REPO)],
                           env=env)
    assert result.exit_code == 0, result.output
    assert len(list((course / "inbox" / "recommender-svd" / "alice").iterdir())) == 2
    result = runner.invoke(cli, ["submit", "recommender-svd", str(second), "--student", "../x", "--home", str(REPO)],
                           env=env)
    assert result.exit_code == 2 and "invalid student id" in result.output
    graded = runner.invoke(cli, ["grade", "recommender-svd", "--inbox", "--sandbox", SANDBOX, "--workers", "1",
                                 "--home", str(REPO)], env=env)
    assert graded.exit_code == 0, graded.output
    rows = _db_rows(course / "gradebook.sqlite", "select count(*) from submissions")
    assert rows == [(1,)]  # only the latest attempt
