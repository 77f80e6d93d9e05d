"""Copying what a worker needs into a folder of its own: the harness and the submission."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from grader.core.files import NotARegularFile, copy_regular_file, read_regular_file
from grader.sandbox.base import SandboxError, WorkerSpec
from grader.sandbox.worker_env import HARNESS_ROOT


def stage_harness(lib: Path) -> Path:
    """Copy the ``harness`` package into ``lib`` (made here), with its bytecode for this interpreter
    where it has been compiled (``make`` does): workers run with ``-B`` and would otherwise compile
    every harness module at each start. The copies keep their times, so a stale file is recompiled
    by the interpreter, never used. Returns ``lib``."""
    shutil.copytree(HARNESS_ROOT / "harness", lib / "harness", ignore=_other_than_this_bytecode)
    return lib


def _other_than_this_bytecode(folder: str, names: list[str]) -> list[str]:
    """What :func:`stage_harness` leaves out: in a ``__pycache__``, all but this interpreter's files."""
    if Path(folder).name != "__pycache__":
        return []
    suffix = f".{sys.implementation.cache_tag}.pyc"
    return [name for name in names if not name.endswith(suffix)]


def stage_submission(spec: WorkerSpec, target: Path) -> Path:
    """Copy the submission to ``target`` without following links; ``SandboxError`` if it cannot be read."""
    try:
        copy_regular_file(spec.submission, target)
    except (OSError, NotARegularFile) as exc:
        raise SandboxError(f"cannot read the submission {spec.submission}: {exc}") from exc
    return target


def stage_files(spec: WorkerSpec, root: Path) -> tuple[Path, Path]:
    """Copy the harness and the submission into ``root``; return (lib dir, work dir)."""
    lib = stage_harness(root / "lib")
    work = root / "work"
    work.mkdir()
    stage_submission(spec, work / f"{spec.module_name}.py")
    return lib, work


def read_submission(spec: WorkerSpec) -> bytes:
    """The submission's bytes, read without following links; ``SandboxError`` if it cannot be read."""
    try:
        return read_regular_file(spec.submission)
    except (OSError, NotARegularFile) as exc:
        raise SandboxError(f"cannot read the submission {spec.submission}: {exc}") from exc
