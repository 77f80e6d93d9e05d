"""``judge similarity EX``: the similarity check over the gradebook's latest submissions (and past terms)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from grader.cli import options
from grader.cli.app import cli
from grader.cli.common import JudgeUsageError, make_console, open_gradebook
from grader.core.assignment import AssignmentError, get_assignment
from grader.core.text import printable
from grader.course.inbox import course_root
from grader.similarity.detect import Settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from grader.similarity.compare import PairResult
    from grader.similarity.document import Submission

#: Pairs printed in the terminal (the report has them all).
SHOWN = 20


class _Bar:
    """The check's progress as a rich bar on stderr: one task per stage."""

    def __init__(self) -> None:
        self.progress = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                                 TimeRemainingColumn(), console=make_console(stderr=True), transient=True)
        self.task: TaskID | None = None

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.progress.stop()

    def stage(self, name: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, visible=False)
        self.task = self.progress.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, steps)


def past_submissions(folders: tuple[Path, ...], exercise_file: str) -> tuple[list[Submission], list[str]]:
    """Past terms' files: each folder holds per-student folders or files (as ``judge grade`` reads them);
    the term is the folder's name."""
    from grader.course.discover import DiscoveryError, from_folder, latest_per_student
    from grader.similarity.document import Submission

    found: list[Submission] = []
    problems: list[str] = []
    terms: set[str] = set()
    for folder in folders:
        term = folder.resolve().name or "past"
        while term in terms:
            term += "'"
        terms.add(term)
        try:
            discovery = latest_per_student(from_folder(folder, exercise_file))
        except DiscoveryError as exc:
            raise JudgeUsageError(f"--past {folder}: {exc}") from exc
        found += [Submission(item.student, item.path, term=term) for item in discovery.submissions]
        problems += [f"{term}: {problem}" for problem in discovery.problems]
    return found, problems


@cli.command("similarity")
@click.argument("exercise")
@click.option("--past", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A past term's submissions (per-student folders or files); repeat for several terms.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of the HTML report (default: COURSE/similarity/EXERCISE).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=Settings.threshold, show_default=True,
              help="Flag a pair when this share of one side's own code (not starter code) is found in the other.")
@options.course
@options.db
@options.home
def similarity_command(exercise: str, past: tuple[Path, ...], output: Path | None, threshold: float,
                       course: Path | None, db: str | None, home: Path | None) -> None:
    """Find submissions of EXERCISE that look copied (from each other or from --past terms); write the
    ranked pairs to the gradebook and an HTML report with each pair side by side."""
    from grader.similarity.boilerplate import of_assignment
    from grader.similarity.detect import find_similar
    from grader.similarity.report import write_report
    from grader.similarity.store import latest_submissions, save_pairs

    try:
        assignment = get_assignment(exercise, home)
    except AssignmentError as exc:
        raise JudgeUsageError(str(exc)) from exc
    root = course_root(course)
    settings = Settings(threshold=threshold)
    with open_gradebook(root, db) as gradebook:
        current = latest_submissions(gradebook, assignment.id)
        if not current:
            raise JudgeUsageError(f"no results for {exercise!r} in the gradebook: grade the class first")
        earlier, problems = past_submissions(past, assignment.file)
        boilerplate = of_assignment(assignment, settings.k)
        with _Bar() as bar:
            outcome = find_similar([*current, *earlier], boilerplate, settings, bar)
        save_pairs(gradebook, assignment.id, outcome.pairs, dt.datetime.now(dt.UTC))
    folder = output or root / "similarity" / assignment.id
    index = write_report(outcome, folder, title=f"Similarity: {assignment.title}", boilerplate=boilerplate.sources)
    _print(outcome.pairs, [*problems, *outcome.problems], len(outcome.documents), outcome.candidates, index)


def _print(pairs: Sequence[PairResult], problems: list[str], documents: int, candidates: int, index: Path) -> None:
    console = make_console()
    for problem in problems:
        make_console(stderr=True).print(Text(printable(problem), style="yellow"))
    if pairs:
        table = Table("#", "A", "B", "score", "tokens")
        for rank, pair in enumerate(pairs[:SHOWN], start=1):
            table.add_row(str(rank), Text(printable(pair.a.label)), Text(printable(pair.b.label)),
                          f"{100 * pair.score:.0f}%", str(pair.matched_tokens))
        console.print(table)
    more = f" (the first {SHOWN} shown)" if len(pairs) > SHOWN else ""
    flagged = f"{len(pairs)} pair{'' if len(pairs) == 1 else 's'} flagged"
    console.print(Text(f"{flagged}{more} among {documents} files ({candidates} candidate pairs compared); "
                       f"report {index}"))
