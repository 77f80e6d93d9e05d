"""``judge release``: the student's bundle of an exercise — and nothing the grader keeps to itself.

``DIR/<id>/`` holds the statement (README.md), the stub (also copied as the file the student
submits, e.g. ``solution.py``), ``assignment.toml`` and the public checks with whatever they need
(``conftest.py`` files, helper modules, ``data/public/``), so that ``judge check DIR/<id>
DIR/<id>/solution.py`` runs with mljudge installed. Never released: ``checks/hidden/``, ``data/``
other than ``data/public/``, ``examples/``, ``solutions/``, caches. Before anything is written,
every released file is compared line by line with the secret files (see :func:`leaks`).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.stubs import StubError, load_module, notebook_sources, stub_text, student_notebook
from grader.core.assignment import AssignmentSpec

#: Shorter (stripped) lines are too generic to leak anything ("pass", "return self", "else:").
MIN_SECRET_LINE = 12
_SKIP_NAMES = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".ipynb_checkpoints", ".DS_Store"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


class ReleaseError(Exception):
    """The bundle cannot be written (target exists and is not a previous release, or it would leak)."""


@dataclass(frozen=True)
class Release:
    """What `release_assignment` wrote."""

    folder: Path
    files: tuple[Path, ...]  # relative to ``folder``
    zip_path: Path | None


def _tree(folder: Path) -> list[Path]:
    """Files below ``folder``, skipping caches and compiled files."""
    if not folder.is_dir():
        return []
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part in _SKIP_NAMES for part in rel.parts) or path.suffix in _SKIP_SUFFIXES:
            continue
        if path.is_file() and not path.is_symlink():
            out.append(path)
    return out


def released_sources(assignment: AssignmentSpec) -> dict[str, Path]:
    """Released name (relative, posix) -> source file in the exercise."""
    root = assignment.root
    files: dict[str, Path] = {
        "README.md": assignment.statement,
        "assignment.toml": root / "assignment.toml",
    }
    if assignment.stub.is_file():  # else the stub is generated from the reference (see stub_text)
        files["stub.py"] = assignment.stub
        files[assignment.file] = assignment.stub
    for optional in ("conftest.py", "checks/conftest.py"):
        if (root / optional).is_file():
            files[optional] = root / optional
    for folder in (assignment.public_checks, assignment.data_dir / "public"):
        for path in _tree(folder):
            files[path.relative_to(root).as_posix()] = path
    for name, path in files.items():
        if not path.is_file():
            raise ReleaseError(f"{path}: missing (needed for {name} in the release)")
    return files


def secret_files(assignment: AssignmentSpec) -> list[Path]:
    """Everything the grader keeps: hidden checks, data other than data/public, examples, solutions."""
    root = assignment.root
    out = _tree(assignment.hidden_checks) + _tree(root / "examples") + _tree(assignment.solution.parent)
    out += [p for p in _tree(assignment.data_dir) if not p.is_relative_to(assignment.data_dir / "public")]
    return out


def _lines(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return set()
    return _text_lines(text)


def _text_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_SECRET_LINE}


def secret_lines(assignment: AssignmentSpec) -> dict[str, Path]:
    """Substantive lines of the secret files -> a file holding it.

    Lines the exercise publishes on purpose — those of the stub and of the public checks as the
    instructor wrote them — are not secrets (a hidden check may repeat a public call, and the stub's
    signatures are in the solution).
    """
    try:
        public: set[str] = _text_lines(stub_text(assignment))
    except (OSError, StubError):
        public = set()
    for path in _tree(assignment.public_checks):
        public |= _lines(path)
    out: dict[str, Path] = {}
    for path in secret_files(assignment):
        for line in _lines(path) - public:
            out.setdefault(line, path)
    return out


def leaks(assignment: AssignmentSpec, folder: Path) -> list[str]:
    """Every (released file, secret line, its source) where a released file holds a secret line."""
    secrets = secret_lines(assignment)
    found = []
    for path in _tree(folder):
        lines = _lines(path)
        if path.suffix == ".ipynb":  # a notebook's cells are JSON strings: compare their text
            try:
                lines |= _text_lines(notebook_sources(load_module("nbformat").read(path, as_version=4)))
            except Exception:
                found.append(f"{path.relative_to(folder)}: not a readable notebook")
        for line in lines:
            if line in secrets:
                found.append(f"{path.relative_to(folder)}: {line!r} (from {secrets[line]})")
    return found


def release_assignment(assignment: AssignmentSpec, output: Path, *, make_zip: bool = False,
                       notebook: bool = False) -> Release:
    """Write ``output/<id>/`` (replacing a previous release there) and, with ``make_zip``,
    ``output/<id>.zip`` holding the same files under ``<id>/``. With ``notebook``, the bundle also
    holds the student notebook ``<stem>.ipynb`` (statement, stub cells with nbgrader metadata, and a
    cell that runs the public checks). Without ``stub.py``, the stub is generated from the
    reference's ``### BEGIN SOLUTION`` markers with nbgrader's ClearSolutions."""
    output = Path(output)
    target = output / assignment.id
    sources = released_sources(assignment)
    try:
        stub = stub_text(assignment)
    except (OSError, StubError) as exc:
        raise ReleaseError(str(exc)) from exc
    texts: dict[str, str] = {}
    if not assignment.stub.is_file():
        texts["stub.py"] = texts[assignment.file] = stub
    if notebook:
        nb = student_notebook(assignment, stub, assignment.statement.read_text(encoding="utf-8"))
        texts[Path(assignment.file).stem + ".ipynb"] = load_module("nbformat").writes(nb) + "\n"
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{assignment.id}-", dir=output) as tmp:
        staging = Path(tmp) / assignment.id
        for name, source in sources.items():
            dest = staging / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        for name, text in texts.items():
            (staging / name).write_text(text, encoding="utf-8")
        found = leaks(assignment, staging)
        if found:
            raise ReleaseError("the release would leak secret lines:\n" + "\n".join(found[:20]))
        if target.exists():
            if not (target / "assignment.toml").is_file():
                raise ReleaseError(f"{target} exists and is not a previous release; not overwriting it")
            shutil.rmtree(target)
        staging.rename(target)
    files = tuple(sorted(p.relative_to(target) for p in _tree(target)))
    zip_path = None
    if make_zip:
        zip_path = output / f"{assignment.id}.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as bundle:
            for rel in files:
                bundle.write(target / rel, f"{assignment.id}/{rel.as_posix()}")
    return Release(target, files, zip_path)
