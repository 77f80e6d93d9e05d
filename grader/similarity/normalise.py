"""The text that is compared: a ``.py`` file as it is, a notebook as the module its code cells make.

Notebooks go through the grader's own conversion (:func:`grader.core.notebook_process.convert_bounded`,
in a process of its own with bounded memory and time), minus the prelude the converter adds to every
notebook. Files are read with a cap and decoded leniently; Windows line ends become ``\\n``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from grader.core.notebook import PRELUDE, NotebookError, is_notebook
from grader.core.notebook_process import convert_bounded

#: A larger file is not homework; it is left out of the comparison with a note (parsing is not free).
MAX_SOURCE_BYTES = 512 * 1024
_PRELUDE_TEXT = "\n".join(PRELUDE) + "\n"


class SourceError(Exception):
    """The file cannot be compared (unreadable, too large, a broken notebook); the message says why."""


def _read_capped(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceError(f"{path.name}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(MAX_SOURCE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_BYTES:
        raise SourceError(f"{path.name}: larger than {MAX_SOURCE_BYTES // 1024} KiB of code, not compared")
    return data


def source_text(path: Path) -> str:
    """The code of the submission at ``path`` as text; SourceError when it cannot be had."""
    path = Path(path)
    try:
        if is_notebook(path):
            text = convert_bounded(path).source.replace(_PRELUDE_TEXT, "", 1)
            if len(text.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
                raise SourceError(f"{path.name}: more than {MAX_SOURCE_BYTES // 1024} KiB of code, not compared")
        else:
            text = _read_capped(path).decode("utf-8", errors="replace")
    except NotebookError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise SourceError(f"{path.name}: cannot read it ({exc.strerror or exc})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
