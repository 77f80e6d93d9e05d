"""Parallel batches over any executor: the recommender examples land where expected, and a grading
that never comes back is recorded as a judge error without stalling the batch."""

from __future__ import annotations

import concurrent.futures as cf
import time
from pathlib import Path

import pytest

import grader.course.batch as batch
from grader.core.assignment import AssignmentSpec, load_assignment
from grader.core.values import Grade, Submission, Verdict
from grader.course.batch import Task, grade_batch
from tests.batch.helpers import SANDBOX, SOURCES, make_class


def _tasks(folder: Path) -> list[Task]:
    tasks = []
    for i, path in enumerate(sorted(folder.glob("*/solution.py"))):
        sub = Submission.from_path(path, student=path.parent.name)
        tasks.append(Task(i, path.parent.name, path, sub.sha256))
    return tasks


@pytest.mark.slow
def test_parallel_batch_over_the_recommender_examples(tmp_path: Path, recommender: AssignmentSpec) -> None:
    expected = {e.name: (e.score_min, e.score_max, e.verdict) for e in recommender.examples}
    expected["reference"] = (recommender.points, recommender.points, Verdict.PASSED)
    expected["stub"] = (0.0, 0.0, None)
    folder = make_class(tmp_path / "subs", {name: name for name in SOURCES})
    seen: list[str] = []
    with batch.default_executor(2) as pool:
        started = time.monotonic()
        outcome = grade_batch(assignment=recommender, tasks=_tasks(folder), sandbox_name=SANDBOX, executor=pool,
                              workers=2, on_result=lambda task, grade: seen.append(task.student))
        elapsed = time.monotonic() - started
    assert not outcome.interrupted
    assert sorted(seen) == sorted(expected)
    grades = {task.student: grade for task, grade in outcome.graded}
    for name, (low, high, verdict) in expected.items():
        grade = grades[name]
        assert grade.status == "ok", (name, grade.notes)
        assert low - 1e-6 <= grade.score <= high + 1e-6, (name, grade.score)
        if verdict is not None:
            assert grade.verdict is verdict, (name, grade.verdict)
    # the infinite loop used its whole budget, yet the batch did not wait for it serially
    serial = sum(g.seconds for g in grades.values())
    assert elapsed < serial + 30


def _slow_or_fast(assignment_root: str, sandbox_name: str, path: str, sha256: str, student: str) -> Grade:
    if student == "hangs":
        time.sleep(6)
    elif student.startswith("slow"):
        time.sleep(1.6)
    spec = load_assignment(Path(assignment_root))
    return batch.judge_error(spec, Task(0, student, Path(path), sha256), "fake") if student == "never" else Grade(
        exercise=spec.id, submission_sha256=sha256, status="ok", verdict=Verdict.PASSED, score=spec.points,
        max_score=spec.points, checks=())


def test_a_hung_grading_becomes_a_judge_error_and_the_batch_goes_on(
    tmp_path: Path, exercise_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = exercise_copy / "assignment.toml"
    text = toml.read_text().replace("wall_time = 20", "wall_time = 1")
    toml.write_text(text.replace("[limits]", "[limits]\nstart_time = 1"))
    spec = load_assignment(exercise_copy)
    monkeypatch.setattr(batch, "grade_task", _slow_or_fast)
    tasks = [Task(i, name, tmp_path / f"{name}.py", f"{i:064d}") for i, name in enumerate(["a", "hangs", "b", "c"])]
    with cf.ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        outcome = grade_batch(assignment=spec, tasks=tasks, sandbox_name=SANDBOX, executor=pool, workers=2,
                              margin=0.5)
        elapsed = time.monotonic() - started
    grades = {task.student: grade for task, grade in outcome.graded}
    assert set(grades) == {"a", "hangs", "b", "c"}
    assert grades["hangs"].verdict is Verdict.JUDGE_ERROR and grades["hangs"].status == "error"
    assert "no result within" in grades["hangs"].notes[0]
    assert all(grades[s].verdict is Verdict.PASSED for s in "abc")
    assert elapsed < 5.5  # did not wait for the hung one


def test_a_task_waiting_behind_slow_ones_is_timed_from_when_it_starts(
    tmp_path: Path, exercise_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each worker has a second task waiting in the pool's queue; its clock starts when a worker
    takes it: "slow-2" (1.6 s) waits 1.6 s behind "slow-1", and its 3.2 s from hand-over exceed
    the 2.5 s budget, yet it is graded, not called hung."""
    toml = exercise_copy / "assignment.toml"
    text = toml.read_text().replace("wall_time = 20", "wall_time = 1")
    toml.write_text(text.replace("[limits]", "[limits]\nstart_time = 1"))
    spec = load_assignment(exercise_copy)
    monkeypatch.setattr(batch, "grade_task", _slow_or_fast)
    tasks = [Task(i, name, tmp_path / f"{name}.py", f"{i:064d}") for i, name in enumerate(["slow-1", "slow-2", "a"])]
    handed: list[float] = []
    with cf.ThreadPoolExecutor(1) as pool:
        original = pool.submit

        def counting_submit(*args: object, **kwargs: object) -> cf.Future[Grade]:
            handed.append(time.monotonic())
            return original(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(pool, "submit", counting_submit)
        started = time.monotonic()
        outcome = grade_batch(assignment=spec, tasks=tasks, sandbox_name=SANDBOX, executor=pool, workers=1,
                              margin=0.5)
        elapsed = time.monotonic() - started
    grades = {task.student: grade for task, grade in outcome.graded}
    assert all(grades[s].verdict is Verdict.PASSED for s in ("slow-1", "slow-2", "a")), grades
    assert [task.student for task, _ in outcome.graded] == ["slow-1", "slow-2", "a"]
    assert len(handed) == 3 and handed[1] - started < 1.0  # handed over while slow-1 ran
    assert elapsed < 4.5


def test_a_pool_started_ahead_grades_the_batch_and_is_shut_down(tmp_path: Path, recommender: AssignmentSpec) -> None:
    folder = make_class(tmp_path / "subs", {"reference": "reference", "wrong": "wrong"})
    pool = batch.start_pool(assignment=recommender, sandbox_name=SANDBOX, workers=2)
    outcome = grade_batch(assignment=recommender, tasks=_tasks(folder), sandbox_name=SANDBOX, pool=pool)
    grades = {task.student: grade for task, grade in outcome.graded}
    assert grades["reference"].score == recommender.points and grades["wrong"].verdict is Verdict.FAILED
    with pytest.raises(RuntimeError):  # the batch owned it
        pool.submit(batch._ready)


def _probe_state() -> bool | None:
    from grader.sandbox.bwrap import BwrapSandbox

    return BwrapSandbox._available  # what this process knows without probing


def test_the_pools_processes_take_the_parents_bubblewrap_probe() -> None:
    from grader.sandbox.bwrap import BwrapSandbox

    works = BwrapSandbox.available()
    with batch.default_executor(1) as pool:
        assert pool.submit(_probe_state).result() is (True if works else None)
