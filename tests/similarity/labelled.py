"""The labelled corpus: built at test time from the exercises' references and examples and from the
independent solutions in ``corpus/``.

Each original becomes a *family*: the original plus copies with renamed identifiers, reordered
functions, added comments and blank lines, changed string literals, all of these at once, and a
notebook made of it. Labels, for pairs of one exercise:

- same family: a copy, must be flagged;
- different families, one of them an independent solution from ``corpus/``: must not be flagged;
- starter code (the stub, the stub with trivial edits, an example that is no more: every function
  raises, loops forever or returns a constant) against anything: must not be flagged;
- two families both by the exercise's author (its reference and examples, which share code on
  purpose): not labelled, left out of precision and recall.
"""

from __future__ import annotations

import ast
import io
import itertools
import json
import random
import re
import tokenize
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"

COPY, INDEPENDENT, UNLABELLED = "copy", "independent", "unlabelled"


@dataclass(frozen=True)
class Item:
    """One file of the corpus: the exercise, its family, how it was made, and where it is."""

    exercise: str
    family: str  # "author:<name>", "independent:<name>", "starter" or "starter:<family>"
    variant: str
    path: Path

    @property
    def student(self) -> str:
        return re.sub(r"[^A-Za-z0-9.@+-]", "-", f"{self.family}--{self.variant}")


def label(a: Item, b: Item) -> str:
    if a.family.startswith("starter") or b.family.startswith("starter"):
        return INDEPENDENT
    if a.family == b.family:
        return COPY
    if a.family.startswith("independent:") or b.family.startswith("independent:"):
        return INDEPENDENT
    return UNLABELLED


# -- the edits a copier makes ------------------------------------------------------------------------

def _stub_names(stub: str) -> set[str]:
    """Names a copy must keep for the checks to find them: what the stub defines."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(stub)):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)  # keyword arguments the checks may pass
    return names


def rename_identifiers(text: str, keep: set[str]) -> str:
    """Every name the file defines (but those of the stub) renamed consistently."""
    tree = ast.parse(text)
    defined: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            defined.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            defined.add(node.attr)
    mapping = {name: f"renamed_{n}_{name[::-1].strip('_')}" for n, name in enumerate(sorted(defined - keep - {"self"}))}
    return _replace_tokens(text, lambda tok: mapping.get(tok.string) if tok.type == tokenize.NAME else None)


def change_strings(text: str) -> str:
    """Every string literal (docstrings included) replaced by other text."""
    counter = itertools.count()

    def new(tok: tokenize.TokenInfo) -> str | None:
        if tok.type != tokenize.STRING or tok.string.lstrip("rRbBuUfF")[:1] not in "'\"":
            return None
        prefix = "b" if "b" in tok.string[:2].lower() else ""
        return f'{prefix}"a different message, number {next(counter)}"'

    return _replace_tokens(text, new)


def _replace_tokens(text: str, new: Callable[[tokenize.TokenInfo], str | None]) -> str:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    edits = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        replacement = new(tok)
        if replacement is not None:
            edits.append((starts[tok.start[0] - 1] + tok.start[1], starts[tok.end[0] - 1] + tok.end[1], replacement))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _top_level_chunks(text: str) -> tuple[str, list[str]]:
    """(the head: docstring and imports, the top-level definitions and statements as chunks)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    body = tree.body
    first_def = next((n for n, node in enumerate(body) if isinstance(node, ast.FunctionDef | ast.ClassDef)), len(body))
    starts = [min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) for node in body]
    head_end = starts[first_def] - 1 if first_def < len(body) else len(lines)
    chunks = []
    for n in range(first_def, len(body)):
        end = starts[n + 1] - 1 if n + 1 < len(body) else len(lines)
        chunks.append("".join(lines[starts[n] - 1:end]).rstrip("\n") + "\n")
    return "".join(lines[:head_end]), chunks


def reorder_functions(text: str) -> str:
    """The top-level definitions in reverse order (and the methods of each class too)."""
    head, chunks = _top_level_chunks(text)
    out = []
    for chunk in reversed(chunks):
        node = ast.parse(chunk).body[0]
        if isinstance(node, ast.ClassDef) and len(node.body) > 1:
            lines = chunk.splitlines(keepends=True)
            methods = [m for m in node.body if isinstance(m, ast.FunctionDef)]
            if methods and all(isinstance(m, ast.FunctionDef) for m in node.body[node.body.index(methods[0]):]):
                top = "".join(lines[:methods[0].lineno - 1])
                ends = [m.lineno - 1 for m in methods[1:]] + [len(lines)]
                parts = ["".join(lines[m.lineno - 1:end]).rstrip("\n") + "\n\n"
                         for m, end in zip(methods, ends, strict=True)]
                chunk = top + "".join(reversed(parts))
        out.append(chunk.rstrip("\n") + "\n")
    return head + "\n\n" + "\n\n".join(out)


def add_comments(text: str, seed: int) -> str:
    """Comments and blank lines after logical lines (never inside a string), and trailing comments."""
    rng = random.Random(seed)
    ends = {tok.end[0] for tok in tokenize.generate_tokens(io.StringIO(text).readline) if tok.type == tokenize.NEWLINE}
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if number in ends and rng.random() < 0.3 and "#" not in line:
            line += "  # " + rng.choice(["this is the important part", "see the lecture notes", "TODO tidy"])
        out.append(line)
        if number in ends:
            indent = line[: len(line) - len(line.lstrip())]
            if rng.random() < 0.4:
                out.append(f"{indent}# {rng.choice(['next we compute the result', 'careful here', 'step'])}")
            if rng.random() < 0.3:
                out.append("")
    return "\n".join(out) + "\n"


def notebook_of(text: str) -> str:
    """A Jupyter notebook whose code cells are the file's top-level chunks, with markdown between."""
    head, chunks = _top_level_chunks(text)
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# My homework"}]
    for source in [head, *chunks]:
        cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                      "source": source.strip("\n")})
        cells.append({"cell_type": "markdown", "metadata": {}, "source": "Next part:"})
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "cells": cells,
                       "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                   "language": "python"}}}, indent=1)


def trivial_edits(stub: str, seed: int) -> str:
    """The stub with its ``raise NotImplementedError`` lines made trivial returns."""
    rng = random.Random(seed)
    edits = ["return None", "return 0", "pass", "return 0.0  # not done yet"]
    return re.sub(r"raise NotImplementedError\(.*\)$", lambda _: rng.choice(edits), stub, flags=re.MULTILINE)


# -- the corpus --------------------------------------------------------------------------------------

def substantive_statements(text: str) -> int:
    """Module-level assignments and the statements in function bodies that do something: not
    ``pass``, ``raise``, a docstring, ``return self``, ``return <constant>``, ``while True`` (a
    judgement made without the detector)."""
    tree = ast.parse(text)
    count = sum(isinstance(node, ast.Assign | ast.AnnAssign) for node in tree.body)  # module constants
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for statement in ast.walk(node):
            if not isinstance(statement, ast.stmt) or statement is node:
                continue
            trivial = isinstance(statement, ast.Pass | ast.Raise) or (
                isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)) or (
                isinstance(statement, ast.Return) and (statement.value is None or isinstance(
                    statement.value, ast.Constant) or (isinstance(statement.value, ast.Name)
                                                        and statement.value.id == "self"))) or (
                isinstance(statement, ast.While) and isinstance(statement.test, ast.Constant))
            count += not trivial
    return count


#: An original with fewer substantive statements is starter code with trivial edits: never a case.
MIN_SUBSTANTIVE = 2


def originals(exercise: str) -> Iterable[tuple[str, Path]]:
    """(family, file) of each original of ``exercise`` that parses; starter-like ones (the stub
    with trivial edits: every function raises, loops forever or returns a constant) are ``starter``."""
    candidates = [("author:reference", REPO / "solutions" / exercise / "solution.py")]
    candidates += [(f"author:{p.parent.name}", p)
                   for p in sorted((REPO / "assignments" / exercise / "examples").glob("*/solution.py"))]
    candidates += [(f"independent:{p.stem}", p) for p in sorted((CORPUS / exercise).glob("*.py"))]
    for family, path in candidates:
        try:
            substantive = substantive_statements(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        yield (family if substantive >= MIN_SUBSTANTIVE else f"starter:{family}"), path


def build(exercise: str, folder: Path, notebooks: bool = True) -> list[Item]:
    """Write the labelled corpus of ``exercise`` into ``folder``; return its items (with a notebook
    made of each original unless ``notebooks`` is false)."""
    stub = (REPO / "assignments" / exercise / "stub.py").read_text(encoding="utf-8")
    keep = _stub_names(stub)
    items: list[Item] = []

    def write(family: str, variant: str, text: str, suffix: str = ".py") -> None:
        item = Item(exercise, family, variant, folder / f"{family.replace(':', '-')}--{variant}{suffix}")
        item.path.write_text(text, encoding="utf-8")
        items.append(item)

    folder.mkdir(parents=True, exist_ok=True)
    for seed, (family, path) in enumerate(originals(exercise)):
        text = path.read_text(encoding="utf-8")
        write(family, "original", text)
        write(family, "renamed", rename_identifiers(text, keep))
        write(family, "reordered", reorder_functions(text))
        write(family, "commented", add_comments(text, seed))
        write(family, "strings", change_strings(text))
        everything = add_comments(change_strings(reorder_functions(rename_identifiers(text, keep))), seed + 100)
        write(family, "everything", everything)
        if notebooks:
            write(family, "notebook", notebook_of(text), ".ipynb")
    write("starter", "stub", stub)
    for n in range(3):
        write("starter", f"trivial-{n}", trivial_edits(stub, n))
    return items


@dataclass(frozen=True)
class Counts:
    """Labelled pairs by outcome: copies flagged (tp) or missed (fn), independent ones flagged (fp)."""

    tp: int
    fp: int
    fn: int
    tn: int
    false_positives: tuple[tuple[str, str], ...]
    false_negatives: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def count(items: list[Item], flagged: set[frozenset[str]]) -> Counts:
    """Compare the flagged pairs (as sets of two student names) with the labels."""
    tp = fp = fn = tn = 0
    fps: list[tuple[str, str]] = []
    fns: list[tuple[str, str]] = []
    for a, b in itertools.combinations(items, 2):
        if a.exercise != b.exercise:
            continue
        kind = label(a, b)
        hit = frozenset((a.student, b.student)) in flagged
        if kind == COPY:
            tp, fn = tp + hit, fn + (not hit)
            if not hit:
                fns.append((a.student, b.student))
        elif kind == INDEPENDENT:
            fp, tn = fp + hit, tn + (not hit)
            if hit:
                fps.append((a.student, b.student))
    return Counts(tp, fp, fn, tn, tuple(fps), tuple(fns))


EXERCISES = tuple(sorted(p.parent.name for p in (REPO / "assignments").glob("*/stub.py")))
