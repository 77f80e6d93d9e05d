"""Jupyter notebooks as submissions: a notebook's code cells become the module the harness imports.

Pure text processing on the trusted side: the notebook is read (size-capped, UTF-8, nbformat 4,
validated by ``nbformat``), never executed, and IPython is never imported. Outputs are ignored.
What the module cannot hold is dropped with a note for the student: IPython magics (``%line``,
``%%cell``), shell escapes (``!cmd``, ``x = !cmd``) and help queries (``obj?``). ``display(...)``
works (a no-op is defined at the top of the module). Every line of the module maps back to
``(cell number, line in cell)``, so that a traceback from the sandbox can be rewritten to point at
the cell (:func:`rewrite_locations`).
"""

from __future__ import annotations

import ast
import bisect
import importlib
import json
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Notebooks larger than this are refused unread (outputs can hold images, even 100 MB blobs).
MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
#: A notebook whose code is longer than this is not homework; it is refused with a message.
MAX_CODE_CELLS = 5000
MAX_MODULE_LINES = 200_000
#: Notes about dropped lines kept for the student (the rest are counted).
MAX_NOTES = 100
NOTEBOOK_SUFFIX = ".ipynb"

#: Lines added before the first cell; they map to no cell.
PRELUDE = (
    "# converted from a Jupyter notebook by mljudge: the code cells, in order",
    "def display(*objects, **options):  # IPython's display(): shows nothing here",
    "    return None",
    "",
)

_MAGIC_LINE = re.compile(r"^\s*(%|!)")
_ASSIGNED_ESCAPE = re.compile(r"^\s*[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(%|!)")
_FUTURE = re.compile(r"^from\s+__future__\s+import\s+[\w\s,()]+$")
_PYTHON_CELL_MAGICS = {"time", "capture", "prun"}
_HELP_QUERY = re.compile(r"^\s*\??[A-Za-z_][\w.]*\?\??\s*$")


class NotebookError(Exception):
    """The file is not a notebook that can be graded; the message is for the student."""


def is_notebook(path: Path) -> bool:
    return Path(path).suffix.lower() == NOTEBOOK_SUFFIX


@dataclass(frozen=True)
class LineRun:
    """``count`` module lines from ``first_line`` on came from cell ``cell``, lines ``cell_line`` on."""

    first_line: int
    cell: int
    cell_line: int
    count: int


@dataclass(frozen=True)
class ConvertedNotebook:
    """The module made from a notebook, where each of its lines came from, and what was dropped."""

    source: str
    line_runs: tuple[LineRun, ...]  # in module order; lines in no run came from no cell
    notes: tuple[str, ...]
    code_cells: int

    def location(self, line: int) -> tuple[int, int] | None:
        """(cell number, line in cell) of module line ``line`` (1-based), if it came from a cell."""
        index = bisect.bisect_right([run.first_line for run in self.line_runs], line) - 1
        if index < 0:
            return None
        run = self.line_runs[index]
        offset = line - run.first_line
        return (run.cell, run.cell_line + offset) if offset < run.count else None


def read_notebook_bytes(path: Path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a regular file, refusing (unread) anything larger than ``limit``."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotebookError(f"{Path(path).name} is not a regular file")
        if info.st_size > limit:
            raise NotebookError(
                f"the notebook is {info.st_size / 2**20:.0f} MiB, more than the {limit / 2**20:.0f} MiB this judge "
                "reads: clear its outputs (Kernel > Restart & Clear Output) and hand it in again"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
        if len(data) > limit:
            raise NotebookError(f"the notebook is larger than {limit / 2**20:.0f} MiB: clear its outputs")
        return data
    finally:
        os.close(fd)


def _parse(data: bytes) -> Any:
    """Decode, parse and validate with nbformat; every failure is a NotebookError."""
    nbformat: Any = importlib.import_module("nbformat")  # pure parsing and JSON-schema validation

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"the notebook is not UTF-8 text (byte {exc.start}): save it again from Jupyter") from None
    try:
        raw = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise NotebookError(f"the notebook is not valid JSON{where}: is it an .ipynb file saved by Jupyter?") from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise NotebookError("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    major = raw.get("nbformat")
    if major != 4:
        raise NotebookError(
            f"the notebook has format version {major!r}; this judge reads version 4 notebooks "
            "(open it in a current Jupyter and save it again)"
        )
    try:
        nb = nbformat.reads(text, as_version=4)  # validates against the nbformat 4 schema
    except Exception as exc:  # nbformat raises ValidationError, NBFormatError, KeyError…
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NotebookError(f"the notebook does not follow the nbformat 4 schema: {first[:300]}") from None
    return nb


def _strip_cell(lines: list[str], cell_no: int, notes: list[str], first_line: int = 1) -> list[str]:
    """Replace the lines Python cannot run (magics, shell escapes, help queries) by ``pass``,
    keeping one module line per cell line and the indentation."""
    first = next((line for line in lines if line.strip()), "")
    if first.lstrip().startswith("%%"):
        magic = first.strip().split()[0]
        at = lines.index(first)
        if magic[2:] in _PYTHON_CELL_MAGICS:  # the body is Python that IPython runs as it is
            notes.append(f"cell {cell_no}: cell magic {magic} dropped, the cell's code kept")
            body = _strip_cell(lines[at + 1:], cell_no, notes, first_line=at + 2)
            return [*lines[:at], "pass  # dropped: cell magic", *body]
        notes.append(f"cell {cell_no}: cell magic {magic} — the whole cell was dropped (not Python)")
        return ["pass  # dropped: cell magic" if i == 0 else "" for i in range(len(lines))]
    out: list[str] = []
    continued = False
    for i, line in enumerate(lines, start=first_line):
        drop = continued or _MAGIC_LINE.match(line) or _ASSIGNED_ESCAPE.match(line) or _HELP_QUERY.match(line)
        if drop:
            indent = line[: len(line) - len(line.lstrip())]
            if not continued:
                kind = "shell command" if line.lstrip().startswith("!") or re.search(r"=\s*!", line) else (
                    "help query" if _HELP_QUERY.match(line) else "IPython magic")
                notes.append(f"cell {cell_no}, line {i}: {kind} {line.strip()[:80]!r} dropped (not run by the judge)")
                out.append(indent + "pass  # dropped")
            else:
                out.append("")
            continued = line.rstrip().endswith("\\")
        else:
            out.append(line)
    return out


def _code_cells(nb: Any) -> list[tuple[int, str]]:
    """(cell number, source) of every code cell; too many cells or lines is a NotebookError."""
    cells: list[tuple[int, str]] = []
    lines = 0
    for cell_no, cell in enumerate(nb.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):  # nbformat.reads joins these, but be strict anyway
            source = "".join(source)
        cells.append((cell_no, source))
        lines += source.count("\n") + 1
        if len(cells) > MAX_CODE_CELLS or lines > MAX_MODULE_LINES:
            raise NotebookError(f"the notebook has more than {MAX_CODE_CELLS} code cells or {MAX_MODULE_LINES} lines "
                                "of code: this judge grades homework-sized notebooks")
    if not cells:
        raise NotebookError("the notebook has no code cells: nothing to grade")
    return cells


def convert(data: bytes) -> ConvertedNotebook:
    """The module made from a notebook's bytes; NotebookError (for the student) if it is not one.

    This parses the cells' code (``ast.parse``), whose memory a hostile cell can blow up: the grader
    calls it through :func:`grader.core.notebook_process.convert_bounded`, in a limited process."""
    body: list[str] = []
    runs: list[tuple[int, int, int, int]] = []  # (first body line, cell, first cell line, count)
    future: list[tuple[str, int, int]] = []  # `from __future__ import …` must open the module: moved there
    notes: list[str] = []
    cells = _code_cells(_parse(data))
    for cell_no, source in cells:
        cell_lines = source.splitlines() or [""]
        try:
            ast.parse(source)  # parsing only; valid Python is kept exactly as written
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            cell_lines = _strip_cell(cell_lines, cell_no, notes)
        body.append(f"# ---- cell {cell_no} ----")
        runs.append((len(body) + 1, cell_no, 1, len(cell_lines)))
        for number, text in enumerate(cell_lines, start=1):
            if _FUTURE.match(text):
                future.append((text, cell_no, number))
                text = "pass  # from __future__ import: moved to the top of the module"
            body.append(text)
        body.append("")
    head = [text for text, _, _ in future]
    shift = len(head) + len(PRELUDE)
    line_runs = [LineRun(i + 1, cell, line, 1) for i, (_, cell, line) in enumerate(future)]
    line_runs += [LineRun(first + shift, cell, line, count) for first, cell, line, count in runs]
    if len(notes) > MAX_NOTES:
        notes = [*notes[:MAX_NOTES], f"… and {len(notes) - MAX_NOTES} more lines dropped"]
    source = "\n".join([*head, *PRELUDE, *body]) + "\n"
    return ConvertedNotebook(source, tuple(line_runs), tuple(notes), len(cells))


def converted_to_dict(converted: ConvertedNotebook) -> dict[str, Any]:
    """Plain data (JSON) of a converted notebook; :func:`converted_from_dict` reads it back."""
    return {"source": converted.source, "notes": list(converted.notes), "code_cells": converted.code_cells,
            "line_runs": [[r.first_line, r.cell, r.cell_line, r.count] for r in converted.line_runs]}


def converted_from_dict(data: dict[str, Any]) -> ConvertedNotebook:
    """The ConvertedNotebook that :func:`converted_to_dict` gave ``data``."""
    runs = tuple(LineRun(*(int(v) for v in run)) for run in data["line_runs"])
    return ConvertedNotebook(str(data["source"]), runs, tuple(str(n) for n in data["notes"]), int(data["code_cells"]))


def read_notebook_file(path: Path) -> bytes:
    """The bytes of a notebook handed in (capped, never through a link); NotebookError if unreadable."""
    try:
        return read_notebook_bytes(path)
    except OSError as exc:
        raise NotebookError(f"cannot read the notebook: {exc.strerror or exc}") from None


def rewrite_locations(text: str, converted: ConvertedNotebook, module_file: str) -> str:
    """Point tracebacks and syntax errors at the notebook: ``File "solution.py", line 12`` becomes
    ``File "notebook", cell 3, line 4`` and ``(solution.py, line 12)`` becomes ``(cell 3, line 4)``."""
    if not text or module_file not in text:
        return text
    name = re.escape(module_file)

    def in_file(match: re.Match[str]) -> str:
        where = converted.location(int(match.group("line")))
        return match.group(0) if where is None else f'File "notebook", cell {where[0]}, line {where[1]}'

    def in_parens(match: re.Match[str]) -> str:
        where = converted.location(int(match.group("line")))
        return match.group(0) if where is None else f"(cell {where[0]}, line {where[1]}"

    text = re.sub(rf'File "(?:[^"\n]*/)?{name}", line (?P<line>\d+)', in_file, text)
    return re.sub(rf"\((?:[^()\n]*/)?{name}, line (?P<line>\d+)", in_parens, text)


def rewrite_all(texts: Sequence[str], converted: ConvertedNotebook, module_file: str) -> tuple[str, ...]:
    return tuple(rewrite_locations(t, converted, module_file) for t in texts)
