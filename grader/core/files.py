"""Reading files handed in by students without following what they point to."""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotARegularFile(Exception):
    """The path is a symbolic link, a folder, a device… — not a file the grader will read."""


def read_regular_file(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file; never follows a symbolic link."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if Path(path).is_symlink():
            raise NotARegularFile(f"{Path(path).name} is a symbolic link, not a file: hand in the file itself") from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(f"{Path(path).name} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def copy_regular_file(source: Path, target: Path) -> None:
    """Copy a regular file's bytes (never a link's target) to a new file."""
    target.write_bytes(read_regular_file(source))
