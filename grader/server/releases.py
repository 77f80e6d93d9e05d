"""The release bundle students download: built once per exercise (and again whenever a released file
changes) into ``<course>/releases/``, by the same code as ``judge release``."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
from pathlib import Path

from grader.authoring.release import release_assignment, released_sources
from grader.core.assignment import AssignmentSpec

_building = threading.Lock()


def _key(assignment: AssignmentSpec) -> str:
    digest = hashlib.sha256()
    sources = released_sources(assignment)
    if not assignment.stub.is_file():  # the stub is made from the reference
        sources = {**sources, "\0reference": assignment.solution}
    for name, path in sorted(sources.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def release_zip(course: Path, assignment: AssignmentSpec) -> Path:
    """The zip of ``assignment``'s release (made now if this version of it has none yet)."""
    base = Path(course) / "releases"
    folder = base / f"{assignment.id}-{_key(assignment)}"
    bundle = folder / f"{assignment.id}.zip"
    if bundle.is_file():
        return bundle
    with _building:
        if bundle.is_file():
            return bundle
        base.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{assignment.id}-", dir=base))
        try:
            release_assignment(assignment, staging, make_zip=True)
            try:
                staging.rename(folder)
            except OSError:  # another server made it meanwhile
                if not bundle.is_file():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return bundle
