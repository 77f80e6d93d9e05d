"""Results written in groups: what arrives together is one write (one transaction in the gradebook),
nothing waits longer than the linger, nothing is lost at the end, and a failed write reaches the caller."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import event

from grader.core.values import Grade, Verdict
from grader.course import class_intake
from grader.course.discover import Found
from grader.course.gradebook import Gradebook, GradebookError, LatePolicy, NewResult
from grader.course.group_commit import GroupCommit

MOMENT = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


class Recorder:
    def __init__(self, fail_on: int | None = None) -> None:
        self.groups: list[tuple[float, list[int]]] = []
        self.fail_on = fail_on

    def __call__(self, items: Sequence[int]) -> None:
        if self.fail_on is not None and self.fail_on in items:
            raise GradebookError(f"cannot write {self.fail_on}")
        self.groups.append((time.monotonic(), list(items)))


def test_what_arrives_together_is_one_write_in_order() -> None:
    write = Recorder()
    with GroupCommit[int](write, linger=0.5, most=10) as commit:
        for i in range(25):
            commit.put(i)
    assert [items for _, items in write.groups] == [list(range(0, 10)), list(range(10, 20)), list(range(20, 25))]


def test_a_lone_result_is_written_within_the_linger_while_the_batch_goes_on() -> None:
    write = Recorder()
    commit = GroupCommit[int](write, linger=0.1)
    try:
        put_at = time.monotonic()
        commit.put(1)
        time.sleep(0.6)  # nothing else arrives: the writer must not wait for more, or for close()
        assert [items for _, items in write.groups] == [[1]]
        assert write.groups[0][0] - put_at < 0.5
    finally:
        commit.close()


def test_close_writes_what_is_queued_and_a_second_close_is_harmless() -> None:
    write = Recorder()
    commit = GroupCommit[int](write, linger=30.0)  # a linger that close() must cut short
    commit.put(7)
    started = time.monotonic()
    commit.close()
    commit.close()
    assert [items for _, items in write.groups] == [[7]] and time.monotonic() - started < 5
    with pytest.raises(RuntimeError, match="closed"):
        commit.put(8)


def test_a_failed_write_is_raised_in_the_callers_thread() -> None:
    write = Recorder(fail_on=3)
    commit = GroupCommit[int](write, linger=0.0, most=1)
    for i in range(3):
        commit.put(i)
    commit.put(3)
    deadline = time.monotonic() + 5
    with pytest.raises(GradebookError, match="cannot write 3"):  # on a later put ...
        while time.monotonic() < deadline:
            commit.put(4)
            time.sleep(0.01)
    with pytest.raises(GradebookError, match="cannot write 3"):  # ... and on close
        commit.close()
    assert [items for _, items in write.groups] == [[0], [1], [2]]


def test_the_callers_own_exception_wins_over_closing() -> None:
    write = Recorder(fail_on=1)
    with pytest.raises(KeyError), GroupCommit[int](write, linger=0.0) as commit:
        commit.put(1)
        time.sleep(0.2)
        raise KeyError("the caller's")


# -- the gradebook's side ---------------------------------------------------------------------

@pytest.fixture
def gradebook(tmp_path: Path) -> Iterator[Gradebook]:
    book = Gradebook(f"sqlite:///{tmp_path / 'gradebook.sqlite'}", files_dir=tmp_path / "files")
    yield book
    book.close()


def _admitted(tmp_path: Path, gradebook: Gradebook, n: int) -> list[tuple[Found, int]]:
    found = []
    for i in range(n):
        path = tmp_path / "subs" / f"s{i:03d}" / "solution.py"
        path.parent.mkdir(parents=True)
        path.write_text(f"x = {i}\n")
        found.append(Found(f"s{i:03d}", path, hashlib.sha256(path.read_bytes()).hexdigest(), MOMENT))
    return class_intake.admit(gradebook, "ex", found).rows


def _grade(found: Found, score: float) -> Grade:
    return Grade(exercise="ex", submission_sha256=found.sha256, status="ok", verdict=Verdict.FAILED,
                 score=score, max_score=10.0, checks=())


def test_record_many_is_one_transaction_and_replaces_earlier_results(tmp_path: Path, gradebook: Gradebook) -> None:
    rows = _admitted(tmp_path, gradebook, 12)
    gradebook.record(rows[0][1], "h", _grade(rows[0][0], 1.0), LatePolicy())
    commits: list[int] = []
    event.listen(gradebook.engine, "commit", lambda _conn: commits.append(1))
    gradebook.record_many([NewResult(sub_id, "h", _grade(found, 5.0), LatePolicy()) for found, sub_id in rows])
    assert len(commits) == 1
    records = gradebook.records("ex", checks_hash="h")
    assert [(r.student, r.score) for r in records] == [(f"s{i:03d}", 5.0) for i in range(12)]
    assert len(gradebook.records("ex")) == 12  # the first result was replaced, not doubled


def test_record_many_with_an_unknown_submission_writes_none_of_the_group(tmp_path: Path, gradebook: Gradebook) -> None:
    rows = _admitted(tmp_path, gradebook, 2)
    group = [NewResult(sub_id, "h", _grade(found, 5.0), LatePolicy()) for found, sub_id in rows]
    with pytest.raises(GradebookError, match="no submission 999"):
        gradebook.record_many([*group, NewResult(999, "h", _grade(rows[0][0], 1.0), LatePolicy())])
    assert gradebook.records("ex") == []
