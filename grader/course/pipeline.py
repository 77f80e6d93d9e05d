"""Class-scale grading, end to end: discovered submissions -> gradebook -> parallel batch -> results.

Results are committed as they arrive, in small groups (:mod:`grader.course.group_commit`: within
about a quarter of a second); submissions whose (content hash, checks hash) already has a result
are skipped unless ``regrade``.
"""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable
from dataclasses import dataclass, field

from grader.core.assignment import AssignmentSpec, checks_hash
from grader.core.values import Grade
from grader.course import class_intake
from grader.course.batch import BatchOutcome, Task, grade_batch
from grader.course.discover import Found
from grader.course.gradebook import Gradebook, LatePolicy, NewResult
from grader.course.group_commit import GroupCommit


@dataclass
class ClassOutcome:
    batch: BatchOutcome = field(default_factory=BatchOutcome)
    skipped: list[Found] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def grade_class(
    *,
    assignment: AssignmentSpec,
    found: list[Found],
    gradebook: Gradebook,
    sandbox_name: str,
    regrade: bool = False,
    executor: cf.Executor | None = None,
    workers: int | None = None,
    progress: bool = False,
    on_result: Callable[[Task, Grade], None] | None = None,
    secret: bytes | None = None,
    pool: cf.ProcessPoolExecutor | None = None,
) -> ClassOutcome:
    """``pool``: one from :func:`grader.course.batch.start_pool` (started while the gradebook was
    opened), which the batch owns; it is shut down here too when nothing is left to grade."""
    gradebook.check_judge_version(regrade=regrade)
    digest = checks_hash(assignment)
    gradebook.ensure_exercise(assignment.id, title=assignment.title, checks_hash=digest, points=assignment.points)
    policy = LatePolicy(assignment.due, assignment.late_penalty_per_day)
    outcome = ClassOutcome()
    admitted = class_intake.admit(gradebook, assignment.id, found)  # one transaction for the class
    outcome.problems.extend(admitted.problems)
    done = set() if regrade else class_intake.graded(gradebook, [sub_id for _, sub_id in admitted.rows], digest)
    tasks: list[Task] = []
    for item, sub_id in admitted.rows:
        if sub_id in done:
            outcome.skipped.append(item)
            continue
        tasks.append(Task(sub_id, item.student, item.path, item.sha256))

    if not tasks and pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
        return outcome
    with GroupCommit[NewResult](gradebook.record_many) as writer:

        def record(task: Task, grade: Grade) -> None:
            writer.put(NewResult(task.key, digest, grade, policy))
            if on_result is not None:
                on_result(task, grade)

        outcome.batch = grade_batch(assignment=assignment, tasks=tasks, sandbox_name=sandbox_name, on_result=record,
                                    executor=executor, workers=workers, progress=progress, secret=secret, pool=pool)
    return outcome
