"""Find the submissions of a class: a folder of per-student folders or files, an LMS zip, or the inbox.

Nothing here runs or imports student code. Every problem (a file that is not Python, an unreadable
file, an unsafe zip entry, two submissions for one student) becomes a message in
``Discovery.problems`` and the rest goes on; only a source that cannot be read at all, an empty
one, or a zip bomb raises ``DiscoveryError``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.core.notebook import MAX_NOTEBOOK_BYTES, NOTEBOOK_SUFFIX
from grader.course.inbox import STUDENT_ID, attempts

#: Caps for LMS zips (overridable for tests).
MAX_ZIP_TOTAL_BYTES = 512 * 1024 * 1024
MAX_ZIP_RATIO = 200.0
MAX_ZIP_ENTRIES = 20_000
MAX_SUBMISSION_BYTES = 16 * 1024 * 1024
#: What counts as a submission: a Python file, or a Jupyter notebook (its code cells are the module).
SUBMISSION_SUFFIXES = (".py", NOTEBOOK_SUFFIX)

#: Canvas download names: ``name_[LATE_]userid_attemptid_filename.py``.
_CANVAS = re.compile(r"^(?P<student>[A-Za-z0-9.@+-]+?)_(?:LATE_)?\d+_\d+_.+$")


class DiscoveryError(Exception):
    """The source as a whole cannot be used (missing, empty, a zip bomb, not a zip)."""


@dataclass(frozen=True)
class Found:
    """One student's submission, ready to be graded."""

    student: str
    path: Path
    sha256: str
    submitted_at: dt.datetime


@dataclass
class Discovery:
    submissions: list[Found] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def _student_from_name(stem: str) -> str:
    match = _CANVAS.match(stem)
    return match.group("student") if match else stem


def _candidate(path: Path, student: str, when: dt.datetime | None, problems: list[str]) -> Found | None:
    if path.is_symlink():
        problems.append(f"{path}: a symbolic link, not followed")
        return None
    if path.suffix.lower() not in SUBMISSION_SUFFIXES:
        problems.append(f"{path}: not a Python file (.py) or notebook (.ipynb), skipped")
        return None
    if not STUDENT_ID.match(student):
        problems.append(f"{path}: {student!r} is not a valid student id, skipped")
        return None
    try:
        # a notebook over its cap is kept: grading it gives a clear verdict (clear the outputs)
        cap = 4 * MAX_NOTEBOOK_BYTES if path.suffix.lower() == NOTEBOOK_SUFFIX else MAX_SUBMISSION_BYTES
        if path.stat().st_size > cap:
            problems.append(f"{path}: larger than {cap // 2**20} MiB, skipped")
            return None
        content = _read(path)
        moment = when or _mtime(path)
    except OSError as exc:
        problems.append(f"{path}: cannot read it ({exc.strerror or exc}), skipped")
        return None
    return Found(student, path, hashlib.sha256(content).hexdigest(), moment)


def _from_student_folder(folder: Path, exercise_file: str, problems: list[str]) -> list[Found]:
    files = sorted(p for p in folder.rglob("*") if (p.is_file() or p.is_symlink())
                   and not {"__pycache__", ".ipynb_checkpoints"} & set(p.parts))
    python = [p for p in files if p.suffix.lower() in SUBMISSION_SUFFIXES and not p.is_symlink()]
    for p in files:
        if p not in python:
            _candidate(p, folder.name, None, problems)  # reports why it is skipped
    if not python:
        if not files:
            problems.append(f"{folder}: empty folder, no submission for {folder.name}")
        return []
    # solution.py first, else solution.ipynb, else the latest of the others
    notebook_name = Path(exercise_file).stem + NOTEBOOK_SUFFIX
    named = [p for p in python if p.name == exercise_file] or [p for p in python if p.name == notebook_name]
    chosen = named or python
    found = [f for p in chosen if (f := _candidate(p, folder.name, None, problems))]
    if len(chosen) > 1 and found:
        problems.append(
            f"{folder}: {len(chosen)} Python files or notebooks; grading the latest, {max(found, key=_order).path.name}"
        )
    return [max(found, key=_order)] if found else []


def _order(found: Found) -> tuple[dt.datetime, str]:
    return (found.submitted_at, str(found.path))


def from_folder(folder: Path, exercise_file: str) -> Discovery:
    """Each subfolder is a student (named after it); each loose ``.py`` file is a student (its stem,
    or the student part of a Canvas download name)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DiscoveryError(f"{folder}: not a folder")
    result = Discovery()
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise DiscoveryError(f"{folder}: cannot list it ({exc.strerror or exc})") from exc
    entries = [e for e in entries if not e.name.startswith(".") and e.name != "__MACOSX"]
    for entry in entries:
        if entry.is_symlink():
            result.problems.append(f"{entry}: a symbolic link, not followed")
        elif entry.is_dir():
            result.submissions += _from_student_folder(entry, exercise_file, result.problems)
        elif found := _candidate(entry, _student_from_name(entry.stem), None, result.problems):
            result.submissions.append(found)
    if not entries:
        raise DiscoveryError(f"{folder}: empty folder, no submissions to grade")
    return result


def _unsafe_name(name: str) -> str | None:
    if "\\" in name or "\0" in name:
        return "a name with a backslash or NUL"
    path = PurePosixPath(name)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", name):
        return "an absolute path"
    if ".." in path.parts:
        return "a path that climbs out of the archive (..)"
    return None


def extract_zip(archive: Path, destination: Path, *, max_total: int | None = None, max_ratio: float | None = None,
                max_entries: int | None = None) -> list[str]:
    """Extract ``archive`` into ``destination`` safely; return the problems with skipped entries.

    Unsafe entries (absolute, ``..``, symlinks, devices) are skipped with a message. A zip bomb (too
    many entries, too much in total, or a compression ratio above the cap) is refused as a whole,
    counting the bytes actually written, not the sizes the archive claims."""
    max_total = MAX_ZIP_TOTAL_BYTES if max_total is None else max_total
    max_ratio = MAX_ZIP_RATIO if max_ratio is None else max_ratio
    max_entries = MAX_ZIP_ENTRIES if max_entries is None else max_entries
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise DiscoveryError(f"{archive}: not a readable zip archive ({exc})") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > max_entries:
            raise DiscoveryError(f"{archive}: {len(infos)} entries, more than the cap of {max_entries}; refused")
        claimed = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if claimed > max_total:
            raise DiscoveryError(
                f"{archive}: would expand to {claimed} bytes, more than the cap of {max_total}: a zip bomb? refused"
            )
        if claimed / packed > max_ratio:
            raise DiscoveryError(
                f"{archive}: compression ratio {claimed / packed:.0f}:1 is above the cap of {max_ratio:.0f}:1:"
                " a zip bomb? refused"
            )
        written = 0
        destination.mkdir(parents=True, exist_ok=True)
        for info in infos:
            why = _unsafe_name(info.filename)
            mode = info.external_attr >> 16
            if why is None and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                why = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            if why:
                problems.append(f"{archive}: entry {info.filename!r} is {why}; skipped")
                continue
            target = destination.joinpath(*PurePosixPath(info.filename).parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, target.open("wb") as dst:
                while chunk := src.read(1 << 16):
                    written += len(chunk)
                    if written > max_total or written / packed > max_ratio:
                        shutil.rmtree(destination, ignore_errors=True)
                        raise DiscoveryError(
                            f"{archive}: expands beyond its caps ({max_total} bytes, ratio {max_ratio:.0f}:1): "
                            "a zip bomb? refused"
                        )
                    dst.write(chunk)
            with contextlib.suppress(OSError, ValueError, OverflowError):
                moment = dt.datetime(*info.date_time, tzinfo=dt.UTC).timestamp()
                os.utime(target, (moment, moment))
    return problems


def from_zip(archive: Path, exercise_file: str, workdir: Path) -> Discovery:
    """An LMS download: extracted safely under ``workdir``, then read as a folder. A single
    top-level folder that holds folders, or no file named ``exercise_file``, is looked through."""
    digest = hashlib.sha256(Path(archive).read_bytes()).hexdigest()[:16]
    destination = Path(workdir) / digest
    if destination.exists():
        shutil.rmtree(destination)
    problems = extract_zip(Path(archive), destination)
    root = destination
    entries = [e for e in root.iterdir() if e.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        inner = list(entries[0].iterdir())
        names = {exercise_file, Path(exercise_file).stem + NOTEBOOK_SUFFIX}
        if any(p.is_dir() for p in inner) or not any(p.name in names for p in inner):
            root = entries[0]  # a wrapper folder around the class, not one student's folder
    if not entries:
        raise DiscoveryError(f"{archive}: the archive holds no usable files")
    result = from_folder(root, exercise_file)
    result.problems[:0] = problems
    return result


def from_inbox(course: Path, exercise: str) -> Discovery:
    found = attempts(course, exercise)
    if not found:
        raise DiscoveryError(f"{course / 'inbox' / exercise}: no submissions in the inbox")
    result = Discovery()
    for attempt in found:
        if item := _candidate(attempt.path, attempt.student, attempt.submitted_at, result.problems):
            result.submissions.append(item)
    return result


def latest_per_student(discovery: Discovery, *, attempts_expected: bool = False) -> Discovery:
    """Keep one submission per student: the latest (then the last by path). Unless several attempts
    are expected (the inbox), say which were dropped."""
    by_student: dict[str, list[Found]] = {}
    for found in discovery.submissions:
        by_student.setdefault(found.student, []).append(found)
    result = Discovery(problems=list(discovery.problems))
    for student, items in sorted(by_student.items()):
        items.sort(key=_order)
        chosen = items[-1]
        result.submissions.append(chosen)
        others = [str(i.path) for i in items[:-1]]
        if others and not attempts_expected:
            result.problems.append(
                f"student {student!r} appears more than once ({', '.join(others)} and {chosen.path}); "
                f"grading the latest, {chosen.path}"
            )
    return result


def discover(source: Path | None, *, exercise: str, exercise_file: str, course: Path, inbox: bool = False,
             all_attempts: bool = False) -> Discovery:
    """Submissions for ``exercise`` from ``source`` (folder or zip) or the course inbox."""
    if inbox:
        found = from_inbox(course, exercise)
    else:
        if source is None:
            raise DiscoveryError("give a folder, a zip, or --inbox")
        source = Path(source)
        if source.is_dir():
            found = from_folder(source, exercise_file)
        elif source.is_file() and zipfile.is_zipfile(source):
            found = from_zip(source, exercise_file, course / "extracted" / exercise)
        elif not source.exists():
            raise DiscoveryError(f"{source}: no such file or folder")
        else:
            raise DiscoveryError(f"{source}: neither a folder, a zip archive, a Python file nor a notebook")
    if not found.submissions:
        raise DiscoveryError(
            "no submissions to grade" + ("".join(f"\n  {p}" for p in found.problems) if found.problems else "")
        )
    return found if all_attempts else latest_per_student(found, attempts_expected=inbox)
