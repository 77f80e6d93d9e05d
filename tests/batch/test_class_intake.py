"""A class's submissions enter the gradebook in one transaction: the same ids as one by one,
idempotent, a new attempt added beside the old, a file that cannot be copied reported and skipped,
and a conflict with a concurrent writer recorded one by one."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from grader.core.values import Grade, Verdict
from grader.course import class_intake
from grader.course.discover import Found
from grader.course.gradebook import Gradebook, LatePolicy

MOMENT = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _found(tmp_path: Path, student: str, text: str) -> Found:
    path = tmp_path / "subs" / student / "solution.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return Found(student, path, hashlib.sha256(text.encode()).hexdigest(), MOMENT)


@pytest.fixture
def gradebook(tmp_path: Path) -> Gradebook:
    book = Gradebook(f"sqlite:///{tmp_path / 'gradebook.sqlite'}", files_dir=tmp_path / "files")
    yield book
    book.close()


def test_a_class_is_admitted_once_with_the_ids_one_by_one_would_give(tmp_path: Path, gradebook: Gradebook) -> None:
    found = [_found(tmp_path, f"s{i:03d}", f"x = {i}\n") for i in range(30)]
    first = class_intake.admit(gradebook, "ex", found)
    assert not first.problems and [f for f, _ in first.rows] == found
    assert class_intake.admit(gradebook, "ex", found).rows == first.rows  # idempotent
    for item, sub_id in first.rows[:3]:
        assert gradebook.add_submission(exercise="ex", student=item.student, sha256=item.sha256,
                                        submitted_at=item.submitted_at, source=item.path) == sub_id
    again = _found(tmp_path, "s000", "x = 'second attempt'\n")
    later = class_intake.admit(gradebook, "ex", [again, found[1]])
    assert later.rows[1] == first.rows[1] and later.rows[0][1] not in {i for _, i in first.rows}
    assert (tmp_path / "files" / "ex" / "s000" / f"{again.sha256}.py").read_text() == "x = 'second attempt'\n"


def test_a_file_that_cannot_be_copied_is_reported_and_the_rest_admitted(tmp_path: Path, gradebook: Gradebook) -> None:
    good = _found(tmp_path, "good", "x = 1\n")
    gone = Found("gone", tmp_path / "nowhere.py", "0" * 64, MOMENT)
    admitted = class_intake.admit(gradebook, "ex", [gone, good])
    assert [f.student for f, _ in admitted.rows] == ["good"]
    assert len(admitted.problems) == 1 and "nowhere.py: cannot keep a copy" in admitted.problems[0]


def test_which_already_have_a_result(tmp_path: Path, gradebook: Gradebook) -> None:
    rows = class_intake.admit(gradebook, "ex", [_found(tmp_path, s, f"{s} = 1\n") for s in "abc"]).rows
    grade = Grade(exercise="ex", submission_sha256=rows[1][0].sha256, status="ok", verdict=Verdict.PASSED,
                  score=1.0, max_score=1.0, checks=())
    gradebook.record(rows[1][1], "checks-1", grade, LatePolicy(None, 0.0))
    ids = [sub_id for _, sub_id in rows]
    assert class_intake.graded(gradebook, ids, "checks-1") == {rows[1][1]}
    assert class_intake.graded(gradebook, ids, "checks-2") == set()


def test_a_conflict_with_another_writer_is_recorded_one_by_one(
        tmp_path: Path, gradebook: Gradebook, monkeypatch: pytest.MonkeyPatch) -> None:
    found = [_found(tmp_path, s, f"{s} = 2\n") for s in "xyz"]
    expected = class_intake.admit(gradebook, "ex", found).rows

    def conflict(*_args: object) -> list[int]:  # a row inserted by another writer between read and write
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(class_intake, "_record_all", conflict)
    assert class_intake.admit(gradebook, "ex", found).rows == expected
