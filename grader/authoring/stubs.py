"""Stubs from marked solutions, and the student notebook of ``judge release --notebook``.

An exercise may omit ``stub.py`` and mark its reference with nbgrader's ``### BEGIN SOLUTION`` /
``### END SOLUTION``: the stub is then what nbgrader's own ``ClearSolutions`` preprocessor makes of
the reference (run on a one-cell notebook), so the markers and the replacement are exactly
nbgrader's. Pure text processing: nothing is executed.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

from grader.core.assignment import AssignmentSpec

BEGIN_MARKER = "BEGIN SOLUTION"  # nbgrader's delimiters (ClearSolutions.begin/end_solution_delimeter)
END_MARKER = "END SOLUTION"
NBGRADER_SCHEMA_VERSION = 3
CHECKS_CELL_ID = "public-checks"


def load_module(name: str) -> Any:
    """nbformat and nbgrader (untyped; imported only when used)."""
    return importlib.import_module(name)


class StubError(Exception):
    """The solution markers are broken (nested, unclosed) or the stub cannot be made."""


def has_solution_markers(text: str) -> bool:
    return BEGIN_MARKER in text


def nbgrader_metadata(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
                      points: float | None = None) -> dict[str, Any]:
    """nbgrader's cell metadata (schema version 3)."""
    meta: dict[str, Any] = {
        "grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": NBGRADER_SCHEMA_VERSION,
        "solution": solution, "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def clear_solutions(text: str) -> str:
    """The stub nbgrader's ClearSolutions makes of ``text`` (one solution cell, Python)."""
    nbformat = load_module("nbformat")
    clear = load_module("nbgrader.preprocessors").ClearSolutions

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                            "display_name": "Python 3"}})
    meta = {"nbgrader": nbgrader_metadata("solution", solution=True)}
    nb.cells.append(nbformat.v4.new_code_cell(text, metadata=meta))
    try:
        nb, _ = clear().preprocess(nb, {})
    except RuntimeError as exc:
        raise StubError(f"the reference's solution markers are broken: {exc}") from None
    return str(nb.cells[0].source)


def generated_stub(assignment: AssignmentSpec) -> str | None:
    """The stub made from the reference's solution markers, or None when it has none."""
    try:
        text = assignment.solution.read_text(encoding="utf-8")
    except OSError:
        return None
    return clear_solutions(text) if has_solution_markers(text) else None


def stub_text(assignment: AssignmentSpec) -> str:
    """``stub.py`` if the exercise has one, else the stub generated from the reference."""
    if assignment.stub.is_file():
        return assignment.stub.read_text(encoding="utf-8")
    generated = generated_stub(assignment)
    if generated is None:
        raise FileNotFoundError(
            f"{assignment.stub}: missing, and the reference {assignment.solution} has no "
            "### BEGIN SOLUTION / ### END SOLUTION markers to make it from"
        )
    return generated


def write_generated_stub(assignment: AssignmentSpec, folder: Path) -> Path | None:
    """Write the generated stub (if the reference is marked) as ``folder/<file>``."""
    generated = generated_stub(assignment)
    if generated is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / assignment.file
    path.write_text(generated, encoding="utf-8")
    return path


# -- the student notebook ------------------------------------------------------------------------
def _statement_cells(markdown: str) -> list[str]:
    """The statement split before each heading (outside fenced code)."""
    cells: list[list[str]] = [[]]
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and re.match(r"^#{1,3} ", line) and any(x.strip() for x in cells[-1]):
            cells.append([])
        cells[-1].append(line)
    return ["\n".join(c).strip("\n") for c in cells if any(x.strip() for x in c)]


def _code_cells(source: str) -> list[tuple[str, str]]:
    """(name, code): the stub's preamble, then each top-level function or class in a cell of its own."""
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [("code", source.strip("\n"))]
    starts: list[tuple[int, str]] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
            while first > 0 and lines[first - 1].lstrip().startswith("#"):  # the comments above it
                first -= 1
            starts.append((first, node.name))
    if not starts:
        return [("code", source.strip("\n"))]
    cells: list[tuple[str, str]] = []
    if starts[0][0] > 0:
        cells.append(("setup", "\n".join(lines[: starts[0][0]])))
    for i, (first, name) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(lines)
        cells.append((name, "\n".join(lines[first:end])))
    return [(name, code.strip("\n")) for name, code in cells if code.strip()]


def student_notebook(assignment: AssignmentSpec, stub: str, statement: str) -> Any:
    """The notebook students get: the statement as (read-only) markdown cells, the stub as
    nbgrader solution cells, and a last cell that runs the public checks. Validated by nbformat."""
    nbformat = load_module("nbformat")
    v4 = nbformat.v4

    name = Path(assignment.file).stem + ".ipynb"
    cells = [
        v4.new_markdown_cell(text, metadata={"nbgrader": nbgrader_metadata(f"statement-{i}", locked=True)})
        for i, text in enumerate(_statement_cells(statement), start=1)
    ]
    cells.append(v4.new_markdown_cell(
        f"Write your code in the cells below (they become `{assignment.file}`: keep the function names). "
        "IPython magics (`%…`) and shell commands (`!…`) are not run by the judge. "
        f"Save the notebook, then run the last cell to run the public checks; hand in `{name}`.",
        metadata={"nbgrader": nbgrader_metadata("instructions", locked=True)},
    ))
    for cell_name, code in _code_cells(stub):
        cells.append(v4.new_code_cell(
            code, metadata={"nbgrader": nbgrader_metadata(f"solution-{cell_name}", solution=True)}))
    cells.append(v4.new_code_cell(
        f"# the public checks (mljudge); save the notebook first\n!judge check . {name}",
        metadata={"nbgrader": nbgrader_metadata(CHECKS_CELL_ID, locked=True)},
    ))
    nb = v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "mljudge": {"exercise": assignment.id, "file": assignment.file},
    })
    nbformat.validate(nb)
    return nb


def notebook_sources(nb: Any) -> str:
    """Every cell's source, one after the other (for the release's leak check)."""
    return "\n".join(str(cell.source) for cell in nb.cells)
