"""The text that is compared: a ``.py`` file as it is, a notebook as the module its code cells make.

Notebooks go through the grader's own conversion (:func:`grader.core.notebook.convert`, in a
process with bounded memory and time: :func:`grader.core.notebook_process.convert_bounded` for one,
:mod:`grader.similarity.notebooks` for a class), minus the prelude the converter adds to every
notebook. Files are read with a cap and decoded leniently; Windows line ends become ``\\n``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from grader.core.notebook import PRELUDE, NotebookError, is_notebook
from grader.core.notebook_process import convert_bounded
from grader.similarity.notebooks import convert_many

#: A larger file is not homework; it is left out of the comparison with a note (parsing is not free).
MAX_SOURCE_BYTES = 256 * 1024
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


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _module_text(path: Path, converted: str) -> str:
    """A converted notebook's module without the converter's prelude, capped like a file."""
    text = converted.replace(_PRELUDE_TEXT, "", 1)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        raise SourceError(f"{path.name}: more than {MAX_SOURCE_BYTES // 1024} KiB of code, not compared")
    return _lines(text)


def source_text(path: Path) -> str:
    """The code of the submission at ``path`` as text; SourceError when it cannot be had."""
    path = Path(path)
    try:
        if is_notebook(path):
            return _module_text(path, convert_bounded(path).source)
        return _lines(_read_capped(path).decode("utf-8", errors="replace"))
    except NotebookError as exc:
        raise SourceError(f"{path.name}: {exc}") from None
    except OSError as exc:
        raise SourceError(f"{path.name}: cannot read it ({exc.strerror or exc})") from None


def source_texts(paths: Sequence[Path],
                 converted: Callable[[int], None] | None = None) -> dict[Path, str | SourceError]:
    """The code of each submission (or why it cannot be had); notebooks are converted in batches
    (:func:`grader.similarity.notebooks.convert_many`), ``converted(n)`` told as they are."""
    out: dict[Path, str | SourceError] = {}
    notebooks = [Path(p) for p in paths if is_notebook(Path(p))]
    for path, answer in convert_many(notebooks, converted).items():
        try:
            if isinstance(answer, NotebookError):
                raise SourceError(f"{path.name}: {answer}")
            out[path] = _module_text(path, answer)
        except SourceError as exc:
            out[path] = exc
    for path in paths:
        if not is_notebook(Path(path)):
            try:
                out[Path(path)] = source_text(Path(path))
            except SourceError as exc:
                out[Path(path)] = exc
    return out
