"""``judge verify``: prove an exercise sound before release — the reference scores full marks,
the stub scores zero without a judge error, every example lands in its expected range, the
reference gets the same score every time it is graded, and it finishes well within the time limit."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from grader.authoring.stubs import write_generated_stub
from grader.core.assignment import AssignmentSpec, ExampleSpec
from grader.core.grade import grade_one
from grader.core.preflight import missing_modules, missing_problem
from grader.core.suite import SUITES
from grader.core.values import CheckResult, Grade, Submission, Verdict
from grader.course.warmup import workers_for
from grader.sandbox.base import Sandbox

#: How often the reference is graded in all; every score must be the same.
REFERENCE_REPEATS = 5
#: The reference's slowest grading must stay within this share of the exercise's wall_time.
TIME_SHARE = 1.0 / 3.0
#: With parallel workers, how many gradings (the reference's first) run in verify's own process,
#: where the checks' collections are counted (a suite collected again for each one is slow).
IN_PROCESS_FIRST = 2
#: Scores closer than this are the same score (rounding in the grade).
SCORE_TOLERANCE = 1e-6


#: One submission `judge verify` grades, with what it must get: the shape of an exercise's example.
VerifyCase = ExampleSpec


@dataclass(frozen=True)
class VerifyOutcome:
    """What one case got, and whether that is what it must get."""

    case: VerifyCase
    grade: Grade
    ok: bool
    problem: str


@dataclass(frozen=True)
class StabilityCheck:
    """An exercise-wide property checked on the reference (same score every run, fast enough)."""

    name: str
    ok: bool
    detail: str
    problem: str = ""
    warning: str = ""  # sound, but worth fixing (shown, does not fail verify)


@dataclass(frozen=True)
class VerifyReport:
    """Everything `judge verify` found for one exercise."""

    exercise: str
    outcomes: tuple[VerifyOutcome, ...]
    checks: tuple[StabilityCheck, ...] = field(default_factory=tuple)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes) and all(c.ok for c in self.checks)

    @property
    def judge_error(self) -> bool:
        """Some grading failed on the judge's side (not the exercise's expectations)."""
        return any(o.grade.status != "ok" for o in self.outcomes)

    @property
    def failures(self) -> list[str]:
        out = [f"{o.case.name}: {o.problem}" for o in self.outcomes if not o.ok]
        return out + [f"{c.name}: {c.problem}" for c in self.checks if not c.ok]


def verify_cases(assignment: AssignmentSpec, generated_stub: Path | None = None) -> list[VerifyCase]:
    """The reference, the stub (stub.py, and the one generated from the reference's solution
    markers when there is one), then every example."""
    cases = [VerifyCase("reference", assignment.solution, assignment.points, assignment.points, Verdict.PASSED)]
    if assignment.stub.is_file() or generated_stub is None:
        cases.append(VerifyCase("stub", assignment.stub, 0.0, 0.0, None))
    if generated_stub is not None:
        cases.append(VerifyCase("stub (generated from the reference)", generated_stub, 0.0, 0.0, None))
    cases += [
        VerifyCase(f"examples/{e.name}", e.path, e.score_min, e.score_max, e.verdict) for e in assignment.examples
    ]
    return cases


def check_case(case: VerifyCase, grade: Grade) -> VerifyOutcome:
    """Compare a grade with what the case must get."""
    problems = []
    if grade.status != "ok":
        problems.append("judge error: " + (grade.notes[-1].splitlines()[0] if grade.notes else "unknown"))
    if not case.score_min - 1e-9 <= grade.score <= case.score_max + 1e-9:
        problems.append(f"score {grade.score:g} outside [{case.score_min:g}, {case.score_max:g}]")
    if case.verdict is not None and grade.verdict is not case.verdict:
        problems.append(f"verdict {grade.verdict.value}, expected {case.verdict.value}")
    return VerifyOutcome(case, grade, not problems, "; ".join(problems))


def check_repeatable(grades: list[Grade]) -> StabilityCheck:
    """The reference's grades must not differ: a threshold that flips between runs is a bug."""
    scores = [g.score for g in grades]
    detail = f"{len(scores)} runs: " + ", ".join(f"{s:g}" for s in scores)
    if not scores:
        return StabilityCheck("same score every run", False, detail, "the reference was not graded")
    if max(scores) - min(scores) > SCORE_TOLERANCE:
        flipped = sorted(
            {c.id for g in grades for c in g.checks}
            - {c.id for c in grades[0].checks if all(_same_check(c, g) for g in grades)}
        )
        return StabilityCheck("same score every run", False, detail,
                              "scores differ between runs (flaky: " + (", ".join(flipped) or "?") + ")")
    return StabilityCheck("same score every run", True, detail)


def _same_check(check: CheckResult, grade: Grade) -> bool:
    other = {c.id: c for c in grade.checks}.get(check.id)
    return other is not None and abs(other.points_earned - check.points_earned) <= SCORE_TOLERANCE


def check_fast_enough(grades: list[Grade], wall_time: float) -> StabilityCheck:
    """The reference's grading time must stay within a third of the exercise's wall_time.

    The median of the runs is compared: the first run also pays one-time imports on the trusted
    side, and a machine shared with other jobs adds noise to any single run.
    """
    budget = wall_time * TIME_SHARE
    name = "reference within a third of wall_time"
    if not grades:
        return StabilityCheck(name, False, "", "the reference was not graded")
    times = sorted(g.seconds for g in grades)
    median = statistics.median(times)
    detail = f"median {median:.2f} s, slowest {times[-1]:.2f} s, budget {budget:.2f} s (wall_time {wall_time:g} s / 3)"
    if median > budget:
        problem = f"the reference took {median:.2f} s (median), more than {budget:.2f} s"
        return StabilityCheck(name, False, detail, problem)
    return StabilityCheck(name, True, detail)


def check_suite_kept(collections: int, grades: int) -> StabilityCheck:
    """The checks were collected once, not again for every submission: checks that keep a
    submission's results in module globals make the suite be dropped after each one (sound, slow)."""
    name = "checks collected once"
    detail = f"collected {collections} time(s) for {grades} gradings"
    if grades >= 2 and collections >= grades:
        return StabilityCheck(name, True, detail, warning=(
            "the checks were collected again for every submission: they change their modules' globals "
            "(a dict or list filled by one check, a rebound name). Cache trusted values with functools.cache "
            "and keep results in fixtures; every batch pays a collection per submission until then"))
    return StabilityCheck(name, True, detail)


def check_cases_repeatable(outcomes: list[VerifyOutcome]) -> StabilityCheck:
    """Every case but the reference (``check_repeatable``) graded more than once (``--runs``) got one
    score. The worker seeds the global generators (``[assignment] seed``), so a spread means entropy
    the seed does not reach (``np.random.default_rng()`` with no seed, ``os.urandom``) or a limit
    reached in some runs only: a warning, since the case's range may hold every score."""
    name = "every case the same score every run"
    scores: dict[str, list[float]] = {}
    for outcome in outcomes:
        scores.setdefault(outcome.case.name.split(" #")[0], []).append(outcome.grade.score)
    repeated = {case: runs for case, runs in scores.items() if len(runs) > 1 and case != "reference"}
    if not repeated:
        return StabilityCheck(name, True, "each case graded once (--runs 2 or more to check)")
    spread = {case: runs for case, runs in repeated.items() if max(runs) - min(runs) > SCORE_TOLERANCE}
    detail = f"{len(repeated)} cases, {max(len(r) for r in repeated.values())} runs each"
    if spread:
        listed = "; ".join(f"{case}: {', '.join(f'{s:g}' for s in runs)}" for case, runs in sorted(spread.items()))
        return StabilityCheck(name, True, detail, warning=(
            f"scores differ between runs ({listed}): the same file resubmitted would get another score. "
            "Entropy the exercise's seed does not reach (np.random.default_rng() or a Generator with no "
            "seed, os.urandom), or a time or memory limit reached in some runs only"))
    return StabilityCheck(name, True, detail)


def check_preload(preload: tuple[str, ...]) -> StabilityCheck:
    """Every module of the exercise's ``preload`` can be imported by this Python (the one the
    sandboxes run): a misspelt name would make every warm grading of a batch a judge error."""
    name = "preload modules importable"
    missing = missing_modules(preload)
    if missing:
        return StabilityCheck(name, False, ", ".join(preload), missing_problem(missing))
    return StabilityCheck(name, True, ", ".join(preload) or "none")


def verify_assignment(
    assignment: AssignmentSpec,
    sandbox: Sandbox,
    on_result: Callable[[VerifyOutcome], None] | None = None,
    *,
    repeats: int = REFERENCE_REPEATS,
    runs: int = 1,
    secret: bytes | None = None,
    workers: int | None = 1,
) -> VerifyReport:
    """Grade every case ``runs`` times (each grade must land in the case's range), and the
    reference ``max(repeats, runs)`` times in all (every score the same); with ``workers`` > 1 the
    gradings run side by side in a batch's process pool over the backend called ``sandbox.name``
    (as a class batch grades them); None: as many as a batch of that many gradings gets.

    A missing reference or stub file raises FileNotFoundError (a broken exercise).
    """
    with tempfile.TemporaryDirectory(prefix="mljudge-verify-") as tmp:
        cases = verify_cases(assignment, write_generated_stub(assignment, Path(tmp)))
        for case in cases:
            if not case.path.is_file():
                raise FileNotFoundError(f"{case.path}: missing ({case.name})")
        gradings = _gradings(cases, repeats, runs)
        started = time.perf_counter()
        collected_before = SUITES.collections
        count = workers_for(len(gradings), workers)

        def here(case: VerifyCase) -> Grade:
            return grade_one(assignment=assignment, submission=Submission.from_path(case.path), sandbox=sandbox,
                             secret=secret)

        grades: Iterable[Grade]
        counted = len(gradings)  # gradings in this process, whose check collections are counted
        if count > 1:
            grades, counted = _grade_side_by_side(assignment, sandbox, gradings, secret, count, here)
        else:
            grades = (here(case) for case in gradings)
        outcomes: list[VerifyOutcome] = []
        for case, grade in zip(gradings, grades, strict=True):
            outcomes.append(check_case(case, grade))
            if on_result is not None:
                on_result(outcomes[-1])
        reference_grades = [o.grade for o in outcomes if o.case.name.startswith("reference")]
        checks = (
            check_repeatable(reference_grades),
            check_cases_repeatable(outcomes),
            check_fast_enough(reference_grades, assignment.limits.wall_time),
            check_preload(assignment.preload),
            check_suite_kept(SUITES.collections - collected_before, counted),
        )
        return VerifyReport(assignment.id, tuple(outcomes), checks, time.perf_counter() - started)


def _gradings(cases: list[VerifyCase], repeats: int, runs: int) -> list[VerifyCase]:
    """Every grading, in order: each case ``runs`` times (the reference ``max(repeats, runs)``),
    named "case #i" when a case is graded more than once."""
    out = []
    for case in cases:
        count = max(1, repeats, runs) if case.name == "reference" else max(1, runs)
        out += [case] if count == 1 else [VerifyCase(f"{case.name} #{i + 1}", case.path, case.score_min,
                                                     case.score_max, case.verdict) for i in range(count)]
    return out


def _grade_side_by_side(assignment: AssignmentSpec, sandbox: Sandbox, gradings: list[VerifyCase],
                        secret: bytes | None, workers: int, here: Callable[[VerifyCase], Grade]
                        ) -> tuple[list[Grade], int]:
    """The gradings' grades in their order, and how many were graded in this process: the first
    ``IN_PROCESS_FIRST`` (the reference) here, where the checks' collections are counted, while a
    batch's pool of ``workers`` processes starts; then the rest on that pool."""
    from grader.course.batch import Task, grade_batch, start_pool

    head, rest = gradings[:IN_PROCESS_FIRST], gradings[IN_PROCESS_FIRST:]
    if not rest:
        return [here(case) for case in head], len(head)
    pool = start_pool(assignment=assignment, sandbox_name=sandbox.name, workers=min(workers, len(rest)))
    try:
        first = [here(case) for case in head]
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    tasks = [Task(i, case.name, case.path, Submission.from_path(case.path).sha256) for i, case in enumerate(rest)]
    outcome = grade_batch(assignment=assignment, tasks=tasks, sandbox_name=sandbox.name, workers=workers,
                          secret=secret, pool=pool)
    if outcome.interrupted:
        raise KeyboardInterrupt
    by_key = {task.key: grade for task, grade in outcome.graded}
    return first + [by_key[task.key] for task in tasks], len(head)
