"""Copying what a worker needs into a folder of its own: the harness and the submission."""

from __future__ import annotations

import shutil
from pathlib import Path

from grader.core.files import NotARegularFile, copy_regular_file, read_regular_file
from grader.sandbox.base import SandboxError, WorkerSpec
from grader.sandbox.worker_env import HARNESS_ROOT


def stage_harness(lib: Path) -> Path:
    """Copy the ``harness`` package into ``lib`` (made here); return ``lib``."""
    shutil.copytree(HARNESS_ROOT / "harness", lib / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    return lib


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
