"""The course inbox that ``judge submit`` fills: ``<course>/inbox/<exercise>/<student>/<timestamp>/<file>``.

Every attempt is kept; nothing is ever overwritten. The course root is ``--course``, else
``$MLJUDGE_COURSE``, else ``./course``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%S.%fZ"


class InboxError(Exception):
    """A submission the inbox refuses (bad student id, unreadable file, unknown layout)."""


@dataclass(frozen=True)
class Attempt:
    """One stored attempt."""

    exercise: str
    student: str
    submitted_at: dt.datetime
    path: Path


def course_root(course: Path | None = None) -> Path:
    """The course directory: the argument, else $MLJUDGE_COURSE, else ./course."""
    if course is not None:
        return Path(course)
    env = os.environ.get("MLJUDGE_COURSE")
    return Path(env) if env else Path.cwd() / "course"


def inbox_dir(course: Path, exercise: str) -> Path:
    return Path(course) / "inbox" / exercise


def check_student_id(student: str) -> str:
    if not STUDENT_ID.match(student) or student in {".", ".."}:
        raise InboxError(
            f"invalid student id {student!r}: use letters, digits and . _ @ + - (at most 128 characters, "
            "starting with a letter or digit)"
        )
    return student


def format_timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


def parse_timestamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def submit(*, course: Path, exercise: str, student: str, file: Path, stored_name: str,
           now: dt.datetime | None = None) -> Attempt:
    """Copy ``file`` into the inbox as a new attempt; return where it went."""
    check_student_id(student)
    source = Path(file)
    if not source.is_file():
        raise InboxError(f"{source}: not a file")
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    folder = inbox_dir(course, exercise) / student
    folder.mkdir(parents=True, exist_ok=True)
    while True:  # two submissions in the same microsecond: never overwrite, take the next one
        target = folder / format_timestamp(moment)
        try:
            target.mkdir()
            break
        except FileExistsError:
            moment += dt.timedelta(microseconds=1)
    destination = target / stored_name
    try:
        shutil.copyfile(source, destination)
    except OSError as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise InboxError(f"cannot read {source}: {exc.strerror or exc}") from exc
    return Attempt(exercise, student, moment, destination)


def attempts(course: Path, exercise: str) -> list[Attempt]:
    """Every attempt in the inbox for ``exercise``, oldest first per student."""
    base = inbox_dir(course, exercise)
    found: list[Attempt] = []
    if not base.is_dir():
        return found
    for student_dir in sorted(base.iterdir()):
        if not student_dir.is_dir() or not STUDENT_ID.match(student_dir.name):
            continue
        for attempt_dir in sorted(student_dir.iterdir()):
            moment = parse_timestamp(attempt_dir.name)
            if moment is None or not attempt_dir.is_dir():
                continue
            for file in sorted(attempt_dir.iterdir()):
                if file.is_file() and not file.is_symlink():
                    found.append(Attempt(exercise, student_dir.name, moment, file))
                    break
    return found
