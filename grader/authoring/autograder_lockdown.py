"""Inside a Gradescope container, before any student code runs: what the student's uid may not read or
write, and the one trusted writer of ``results.json``.

Gradescope runs everything as root. The judge's folders (its installation, the exported exercise with
the hidden checks and the course secret, the submission folder, the metadata) become root-only; the
results folder becomes root's alone (0755), so nothing but the trusted process can create a file in
it, and ``results.json`` is written last, to a fresh file renamed over whatever was there.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = "results.json"


@dataclass(frozen=True)
class Lockdown:
    """What ``lock_down`` made root-only, and the results folder it made root's."""

    private: tuple[Path, ...]
    results_dir: Path


def _root_only(path: Path, mode: int) -> bool:
    """``path`` owned by root with ``mode``, without following a symbolic link; False if it is absent."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode):
        path.unlink()  # nothing of ours is a link: never chmod what one points to
        return False
    os.chown(path, 0, 0, follow_symlinks=False)
    os.chmod(path, mode)
    return True


def lock_down(*, private_dirs: Iterable[Path], private_files: Iterable[Path], results_dir: Path,
              open_dirs: Iterable[Path] = ()) -> Lockdown:
    """Make ``private_dirs`` 0700 and ``private_files`` 0600 (root's), ``open_dirs`` (e.g. /autograder)
    root's and not writable by others, and ``results_dir`` an empty-of-results root-only-writable folder."""
    done = [p for p in private_dirs if _root_only(p, 0o700)]
    done += [p for p in private_files if _root_only(p, 0o600)]
    for folder in open_dirs:
        _root_only(folder, 0o755)
    with contextlib.suppress(FileNotFoundError):
        info = os.lstat(results_dir)
        if not stat.S_ISDIR(info.st_mode):
            results_dir.unlink()
    results_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
    _root_only(results_dir, 0o755)
    with contextlib.suppress(FileNotFoundError):
        (results_dir / RESULTS).unlink()
    return Lockdown(tuple(done), results_dir)


def write_results_atomically(results: dict[str, Any], results_dir: Path) -> Path:
    """Write ``results`` as ``results_dir/results.json``: a new file of our own (never one that is there),
    synced, then renamed over the old name."""
    target = results_dir / RESULTS
    partial = results_dir / f".{RESULTS}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(results, indent=2) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(partial, target)
    return target
