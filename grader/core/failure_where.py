"""Where a check failed, as pytest's short traceback style shows it, for the check's own frames.

pytest's formatter parses the whole check file again for every frame of every failure (to find
the statement around the line): in a batch where a third of the submissions fail five checks each,
that was about half of the trusted side's time. The short style shows one line per frame, so this
reads that line alone, with the standard library's column positions for the ``^^^`` markers.
"""

from __future__ import annotations

import linecache
import os
import traceback
from pathlib import Path
from types import TracebackType

import pytest

#: How pytest marks the lines of the exception in a traceback entry.
FAIL_PREFIX = "E   "


def own_frames(tb: TracebackType | None, root: Path) -> list[TracebackType]:
    """The traceback's entries whose code lives under ``root`` (the exercise's checks and helpers)."""
    prefix = str(root.resolve()) + os.sep
    own: list[TracebackType] = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if os.path.abspath(filename).startswith(prefix):
            own.append(tb)
        tb = tb.tb_next
    return own


def where_text(excinfo: pytest.ExceptionInfo[BaseException], frames: list[TracebackType]) -> str:
    """``frames`` (from :func:`own_frames`) in pytest's short style, then the exception's lines:

    ``path:line: in function``, the line's source, markers under the failing expression, ``E   …``.
    """
    cwd = os.getcwd()
    lines: list[str] = []
    for tb in frames:
        code = tb.tb_frame.f_code
        lines.append(f"{_shown_path(code.co_filename, cwd)}:{tb.tb_lineno}: in {code.co_name}")
        raw = linecache.getline(code.co_filename, tb.tb_lineno, tb.tb_frame.f_globals).rstrip("\r\n")
        stripped = raw.strip()
        lines.append("    " + (stripped or "???"))
        if stripped:
            lines.extend(_markers(tb, raw, stripped))
    lines.extend(FAIL_PREFIX + line for line in excinfo.exconly(tryshort=True).split("\n"))
    return "\n".join(lines)


def _shown_path(filename: str, cwd: str) -> str:
    """Relative to the working directory when that is shorter, as pytest shows paths."""
    try:
        relative = os.path.relpath(filename, cwd)
    except ValueError:
        return filename
    return relative if len(relative) < len(filename) else filename


def _markers(tb: TracebackType, raw: str, stripped: str) -> list[str]:
    """``^^^`` under the expression that failed, when it lies on this one line and is not all of it."""
    summary = traceback.extract_tb(tb, limit=1)[0]
    if summary.end_lineno != summary.lineno or summary.colno is None or summary.end_colno is None:
        return []
    start = _characters(raw, summary.colno)
    width = _characters(raw, summary.end_colno) - start
    if width >= len(stripped):
        return []
    indent = len(raw) - len(raw.lstrip())
    return ["    " + " " * (start - indent) + "^" * width]


def _characters(line: str, byte_offset: int) -> int:
    """A column in bytes (as code positions count) as a column in characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="replace"))
