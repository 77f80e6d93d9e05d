"""Leaderboards: the keyed split, scores equal to a trusted recomputation, a public-tuned submission
exposed by the private board, ties, unscored and judge-error submissions, picks, and no private
score anywhere before the reveal."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import cli
from grader.core.assignment import get_assignment
from grader.core.leaderboard import Leaderboard, public_rows
from grader.core.plugin import DataAccess
from grader.core.values import BoardScore, Grade, ResourceUsage, Verdict
from grader.course.batch import grade_task
from grader.course.gradebook import Gradebook, LatePolicy
from grader.course.leaderboard import PickError, board, picks_of, set_picks
from tests.conftest import REPO

HOME = Path(__file__).with_name("home")
DEMO = get_assignment("board-demo", HOME)
SECRET = b"a course secret for the leaderboard tests"
HONEST = "def predict(X):\n    return [int(x[0] > 0) for x in X]\n"


def _hidden_module():
    spec = importlib.util.spec_from_file_location("board_demo_hidden", DEMO.hidden_checks / "test_hidden.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tuned_source(secret: bytes = SECRET) -> str:
    """A submission that memorised the labels of the public rows (as if it had probed the public
    board) and guesses 0 on every other row."""
    x, y = _hidden_module().rows(DataAccess(DEMO.id, DEMO.data_dir, secret))
    public = public_rows(len(y), exercise=DEMO.id, secret=secret)
    memo = {round(float(x[i, 0]), 9): int(y[i]) for i in np.flatnonzero(public)}
    return (f"MEMO = {memo!r}\n\ndef predict(X):\n"
            "    return [MEMO.get(round(float(row[0]), 9), 0) for row in X]\n")


def _grade(tmp: Path, name: str, source: str) -> tuple[Path, Grade]:
    path = tmp / name / "solution.py"
    path.parent.mkdir(parents=True)
    path.write_text(source)
    from grader.core.values import Submission

    sub = Submission.from_path(path, student=name)
    return path, grade_task(str(DEMO.root), "process", str(path), sub.sha256, name, SECRET)


def test_the_split_is_stable_across_processes_changes_with_the_secret_and_ignores_the_row_count() -> None:
    here = public_rows(1000, exercise="ex", secret=b"k1")
    code = ("import sys; from grader.core.leaderboard import public_rows; "
            "print(''.join('1' if v else '0' for v in public_rows(1000, exercise='ex', secret=b'k1')))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert there.stdout.strip() == "".join("1" if v else "0" for v in here)
    assert 0.45 < here.mean() < 0.55
    other = public_rows(1000, exercise="ex", secret=b"k2")
    assert 0.4 < np.mean(here != other) < 0.6  # another secret: an unrelated split
    assert np.array_equal(public_rows(400, exercise="ex", secret=b"k1"), here[:400])  # a row keeps its side
    assert not np.array_equal(public_rows(1000, exercise="ex2", secret=b"k1"), here)


def test_public_and_private_scores_equal_a_trusted_recomputation(tmp_path: Path) -> None:
    _, grade = _grade(tmp_path, "honest", HONEST)
    assert grade.status == "ok" and grade.score == DEMO.points
    [entry] = grade.leaderboard
    x, y = _hidden_module().rows(DataAccess(DEMO.id, DEMO.data_dir, SECRET))
    predicted = (x[:, 0] > 0).astype(int)
    public = public_rows(len(y), exercise=DEMO.id, secret=SECRET)
    assert entry.name == "accuracy" and entry.order == "desc"
    assert entry.public == pytest.approx(np.mean(predicted[public] == y[public]), abs=1e-12)
    assert entry.private == pytest.approx(np.mean(predicted[~public] == y[~public]), abs=1e-12)
    # results.json carries the public score only
    from grader.outputs.gradescope import gradescope_results

    assert gradescope_results(grade)["leaderboard"] == [{"name": "accuracy", "value": entry.public}]


def _book(tmp: Path) -> Gradebook:
    return Gradebook(f"sqlite:///{tmp / 'gradebook.sqlite'}", tmp / "files")


def _record(book: Gradebook, student: str, path: Path, grade: Grade, at: dt.datetime) -> int:
    sub_id = book.add_submission(exercise=DEMO.id, student=student, sha256=grade.submission_sha256, submitted_at=at,
                                 source=path)
    book.record(sub_id, "h", grade, LatePolicy())
    return sub_id


T0 = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)


def test_a_submission_tuned_to_the_public_split_is_first_publicly_and_lower_privately(tmp_path: Path) -> None:
    book = _book(tmp_path)
    for i, (student, source) in enumerate([("tuned", tuned_source()), ("honest", HONEST)]):
        path, grade = _grade(tmp_path, student, source)
        assert grade.status == "ok", grade.notes
        _record(book, student, path, grade, T0 + dt.timedelta(minutes=i))
    public = board(book.engine, DEMO.id, private=False, picks=2)
    private = board(book.engine, DEMO.id, private=True, picks=2)
    assert [r.student for r in public.rows] == ["tuned", "honest"] and public.rows[0].score == 1.0
    assert [r.student for r in private.rows] == ["honest", "tuned"]
    assert private.rows[1].score is not None and private.rows[1].score < 0.7


def _fake(tmp: Path, name: str, public: float | None, private: float | None, *, status: str = "ok",
          order: str = "desc") -> tuple[Path, Grade]:
    tag = hashlib.sha256(f"{name} {public} {private} {status}".encode()).hexdigest()
    path = tmp / "fake" / f"{tag}.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {tag}\n")
    grade = Grade(exercise=DEMO.id, submission_sha256=tag,
                  status=status, verdict=Verdict.PASSED if status == "ok" else Verdict.JUDGE_ERROR, score=1.0,
                  max_score=2.0, checks=(), resources=ResourceUsage(),
                  leaderboard=(BoardScore("accuracy", public, private, order),) if status == "ok" else ())
    return path, grade


def test_ties_unscored_and_judge_errors(tmp_path: Path) -> None:
    book = _book(tmp_path)
    for i, (student, public, private, status) in enumerate([
        ("ann", 0.9, 0.8, "ok"), ("bob", 0.9, 0.7, "ok"), ("cat", 0.7, 0.9, "ok"),
        ("dan", None, None, "ok"),  # a NaN metric: on the board, not ranked
        ("eve", 0.99, 0.99, "error"),  # a judge error is never ranked
    ]):
        _record(book, student, *_fake(tmp_path, student, public, private, status=status), T0 + dt.timedelta(minutes=i))
    rows = board(book.engine, DEMO.id, private=False, picks=2).rows
    assert [(r.rank, r.student, r.score) for r in rows] == [
        (1, "ann", 0.9), (1, "bob", 0.9), (3, "cat", 0.7), (None, "dan", None)]
    rows = board(book.engine, DEMO.id, private=True, picks=2).rows
    assert [(r.rank, r.student) for r in rows] == [(1, "cat"), (2, "ann"), (3, "bob"), (None, "dan")]


def test_default_and_explicit_picks(tmp_path: Path) -> None:
    book = _book(tmp_path)
    ids = [_record(book, "ann", *_fake(tmp_path, "ann", pub, priv), T0 + dt.timedelta(minutes=i))
           for i, (pub, priv) in enumerate([(0.95, 0.60), (0.80, 0.90), (0.70, 0.75)])]
    # no picks: the best public (0.95 → 0.60 private) and the latest (0.70 → 0.75): 0.75 counts
    assert picks_of(book.engine, DEMO.id, "ann") == []
    assert board(book.engine, DEMO.id, private=True, picks=2).rows[0].score == 0.75
    set_picks(book.engine, DEMO.id, "ann", [ids[1]], limit=2)
    assert board(book.engine, DEMO.id, private=True, picks=2).rows[0].score == 0.90
    with pytest.raises(PickError, match="at most 2"):
        set_picks(book.engine, DEMO.id, "ann", ids, limit=2)
    other = _record(book, "bob", *_fake(tmp_path, "bob", 0.5, 0.5), T0)
    with pytest.raises(PickError, match="your own"):
        set_picks(book.engine, DEMO.id, "ann", [other], limit=2)
    assert picks_of(book.engine, DEMO.id, "ann") == [ids[1]]  # a refused pick changes nothing


def test_nan_and_infinite_metrics_are_not_scores() -> None:
    board_ = Leaderboard("ex", b"k")
    board_.report("m", public=float("nan"), private=float("inf"))
    assert board_.results() == (BoardScore("m", None, None, "desc"),)
    with pytest.raises(ValueError, match="twice"):
        board_.report("m", public=1, private=1)
    with pytest.raises(ValueError, match="order"):
        board_.report("n", public=1, private=1, order="up")


def test_before_the_reveal_no_export_or_feedback_file_holds_a_private_score(tmp_path: Path) -> None:
    book = _book(tmp_path)
    private = 0.123456789
    _record(book, "ann", *_fake(tmp_path, "ann", 0.5, private), T0)
    book.close()
    course, runner = tmp_path, CliRunner()
    base = ["--course", str(course), "--home", str(HOME)]
    for fmt, out in (("jsonl", "g.jsonl"), ("csv", "g.csv"), ("canvas", "c.csv"), ("gradescope", "gs")):
        result = runner.invoke(cli, ["export", DEMO.id, "--format", fmt, "-o", str(tmp_path / out), *base])
        assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["report", DEMO.id, "-o", str(tmp_path / "report"), *base])
    assert result.exit_code == 0, result.output
    kinds = {".jsonl", ".csv", ".json", ".html", ".md"}
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in kinds]
    assert len(written) >= 6
    for path in written:
        assert "0.1234" not in path.read_text(errors="replace"), path
    refused = runner.invoke(cli, ["leaderboard", DEMO.id, "--private", *base])
    assert refused.exit_code == 2 and "not revealed yet" in refused.output
    shown = runner.invoke(cli, ["leaderboard", DEMO.id, *base])
    assert shown.exit_code == 0 and "ann" in shown.output and "0.5" in shown.output and "0.1234" not in shown.output
    peek = runner.invoke(cli, ["leaderboard", DEMO.id, "--private", "--before-reveal", *base])
    assert peek.exit_code == 0 and "0.1235" in peek.output
    assert json.loads((tmp_path / "g.jsonl").read_text().splitlines()[0])["grade"]["leaderboard"][0]["private"] is None


def test_the_class_report_shows_the_private_board_once_revealed(tmp_path: Path) -> None:
    import shutil

    home = tmp_path / "home"
    shutil.copytree(HOME / "assignments" / DEMO.id, home / "assignments" / DEMO.id)
    toml = home / "assignments" / DEMO.id / "assignment.toml"
    toml.write_text(toml.read_text().replace("[leaderboard]\n", "[leaderboard]\nreveal = 2000-01-01T00:00:00Z\n"))
    book = _book(tmp_path)
    _record(book, "ann", *_fake(tmp_path, "ann", 0.5, 0.123456789), T0)
    book.close()
    result = CliRunner().invoke(cli, ["report", DEMO.id, "-o", str(tmp_path / "report"), "--course", str(tmp_path),
                                      "--home", str(home)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Leaderboard: accuracy" in page and "private (revealed)" in page and "0.1235" in page


def test_the_boards_are_the_same_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """The ranking key is read with a JSON path in SQL: PostgreSQL and SQLite must agree."""
    sys.path.insert(0, str(REPO))
    from bench.leaderboard import EXERCISE, populate

    shown = []
    for url in (pg_url, f"sqlite:///{tmp_path / 'g.sqlite'}"):
        book = Gradebook(url, tmp_path / "files")
        populate(book, 30, 3)
        set_picks(book.engine, EXERCISE, "st00002", [7], limit=2)
        shown.append((board(book.engine, EXERCISE, private=False, picks=2),
                      board(book.engine, EXERCISE, private=True, picks=2)))
        book.close()
    assert shown[0] == shown[1] and len(shown[0][0].rows) == 30
