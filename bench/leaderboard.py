"""The time from a graded submission to its place on the public board.

Boards are computed from the gradebook when asked, so a result is on the board as soon as it is
committed: the delay is one board computation (plus the page's rendering). This measures it for
classes of 200 and 2,000 students with 5 graded submissions each (SQLite), by recording one more
result and timing until `board()` ranks it, and the full page through the app.

Run: `.venv/bin/python bench/leaderboard.py`
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from grader.core.values import BoardScore, Grade, ResourceUsage, Verdict  # noqa: E402
from grader.course.gradebook import Gradebook, LatePolicy  # noqa: E402
from grader.course.leaderboard import board  # noqa: E402
from grader.course.schema import Exercise, ResultRow, Student, SubmissionRow  # noqa: E402

EXERCISE = "board-demo"


def _grade(i: int, score: float) -> dict[str, object]:
    grade = Grade(exercise=EXERCISE, submission_sha256=f"{i:064x}", status="ok", verdict=Verdict.PASSED, score=1.0,
                  max_score=2.0, checks=(), resources=ResourceUsage(),
                  leaderboard=(BoardScore("accuracy", score, score * 0.97, "desc"),))
    return grade.to_dict()


def populate(book: Gradebook, students: int, per_student: int) -> None:
    now = dt.datetime.now(dt.UTC)
    with book.engine.begin() as conn:
        conn.execute(insert(Exercise).values(name=EXERCISE, title="demo", checks_hash="h", points=2.0))
        conn.execute(insert(Student), [{"name": f"st{i:05d}"} for i in range(students)])
        subs, results = [], []
        for s in range(students):
            for k in range(per_student):
                sid = s * per_student + k + 1
                subs.append({"id": sid, "exercise_id": 1, "student_id": s + 1, "sha256": f"{sid:064x}",
                             "submitted_at": now, "path": "x.py", "original_name": "x.py", "channel": "web"})
                score = 0.5 + 0.4 * ((sid * 7919) % 1000) / 1000
                results.append({"submission_id": sid, "checks_hash": "h", "score": 1.0, "raw_score": 1.0,
                                "max_score": 2.0, "late_days": 0, "penalty": 0.0, "verdict": "passed",
                                "status": "ok", "checks": [], "resources": {}, "grade": _grade(sid, score),
                                "judge_version": "bench", "graded_at": now})
        conn.execute(insert(SubmissionRow), subs)
        conn.execute(insert(ResultRow), results)


def measure(students: int, per_student: int = 5, rounds: int = 5) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        book = Gradebook(f"sqlite:///{Path(tmp) / 'g.sqlite'}", Path(tmp) / "files")
        populate(book, students, per_student)
        source = Path(tmp) / "new.py"
        delays = []
        for r in range(rounds):
            source.write_text(f"# new {r}\n")
            sha = hashlib.sha256(source.read_bytes()).hexdigest()
            sub = book.add_submission(exercise=EXERCISE, student="st00000", sha256=sha,
                                      submitted_at=dt.datetime.now(dt.UTC), source=source)
            grade = Grade.from_dict({**_grade(10**9 + r, 0.999 + r * 1e-6), "submission_sha256": sha})
            book.record(sub, "h", grade, LatePolicy())  # committed: from here the clock runs
            started = time.perf_counter()
            top = board(book.engine, EXERCISE, private=False, picks=2).rows[0]
            delays.append(time.perf_counter() - started)
            assert top.student == "st00000" and top.submission_id == sub
        book.close()
    return delays


def main() -> None:
    print("time from a committed result to its place on the public board (one board computation):")
    for students in (200, 2000):
        delays = measure(students)
        print(f"  {students:5d} students x 5 graded submissions: median {statistics.median(delays) * 1000:.0f} ms, "
              f"max {max(delays) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
