"""Python source as a stream of normalised tokens, each with its place in the source.

Normalising makes the stream the same under the edits a copier makes without changing the code:
names the file itself defines (variables, parameters, functions, classes, attributes it assigns,
import aliases) become ``V``, numbers ``N`` and strings ``S``; comments, blank lines, docstrings and
type annotations and trailing commas are dropped. Names the file does not define (builtins, library functions such as
``np.linalg.svd``, keyword arguments of library calls) are kept: they carry what the code does and
cannot be renamed without breaking it. The source is only parsed (``tokenize``, ``ast``), never run.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import tokenize
from dataclasses import dataclass

_BUILTINS = frozenset(dir(builtins))
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
_STRUCTURE = {tokenize.NEWLINE: ";", tokenize.INDENT: "{", tokenize.DEDENT: "}"}
_ANNOTATION_MARKS = {":", "->"}
_OPENING = {";", "{", "}"}
_CLOSING = {")", "]", "}"}


@dataclass(frozen=True)
class Token:
    """One normalised token: its ``kind`` (what is compared) and its ``[start, end)`` characters."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class _Shape:
    """What the syntax tree says: the names the file defines, and spans to leave out."""

    defined: frozenset[str]
    dropped: tuple[tuple[int, int], ...]  # docstrings and annotations, in characters
    annotations: frozenset[int]  # where each annotation starts (its ``:``/``->`` goes too)
    parsed: bool


def _char_offsets(text: str) -> tuple[list[int], list[str]]:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts, lines


def _survey(tree: ast.AST) -> tuple[set[str], list[ast.expr], list[ast.expr]]:
    """(the names the file defines, its bare string statements such as docstrings, its annotations)."""
    names: set[str] = set()
    strings: list[ast.expr] = []
    annotations: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
            if node.returns is not None:
                annotations.append(node.returns)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
            if node.annotation is not None:
                annotations.append(node.annotation)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.alias) and node.asname:
            names.add(node.asname)
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names if not alias.asname)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            strings.append(node.value)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    return names - set(keyword.kwlist), strings, annotations


def _shape(text: str, starts: list[int], lines: list[str]) -> _Shape:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return _Shape(frozenset(), (), frozenset(), parsed=False)

    def offset(line: int, byte_col: int) -> int:  # ast columns count UTF-8 bytes
        row = lines[line - 1] if line - 1 < len(lines) else ""
        col = byte_col if row.isascii() else len(row.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
        return starts[line - 1] + col

    def span(node: ast.expr) -> tuple[int, int]:
        end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or node.col_offset
        return offset(node.lineno, node.col_offset), offset(end_line, end_col)

    names, strings, annotations = _survey(tree)
    dropped = sorted({span(node) for node in [*strings, *annotations]})
    return _Shape(frozenset(names), tuple(dropped),
                  frozenset(span(node)[0] for node in annotations), parsed=True)


def _kind(tok: tokenize.TokenInfo, shape: _Shape) -> str:
    if tok.type == tokenize.NAME:
        if keyword.iskeyword(tok.string):
            return tok.string
        if shape.parsed:
            return "V" if tok.string in shape.defined else tok.string
        return tok.string if tok.string in _BUILTINS else "V"
    if tok.type == tokenize.NUMBER:
        return "N"
    if tok.type == tokenize.STRING:
        return "S"
    return _STRUCTURE.get(tok.type, tok.string)


def tokenise(text: str) -> tuple[Token, ...]:
    """The normalised tokens of ``text`` (any text: what cannot be tokenised ends the stream)."""
    starts, lines = _char_offsets(text)
    shape = _shape(text, starts, lines)
    out: list[Token] = []
    drop_at = 0  # index of the next dropped span that can still start at or after a token
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in _SKIPPED:
                continue
            start = starts[tok.start[0] - 1] + tok.start[1] if tok.start[0] - 1 < len(starts) else len(text)
            end = starts[tok.end[0] - 1] + tok.end[1] if tok.end[0] - 1 < len(starts) else len(text)
            while drop_at < len(shape.dropped) and shape.dropped[drop_at][1] <= start:
                drop_at += 1
            if drop_at < len(shape.dropped) and shape.dropped[drop_at][0] <= start < shape.dropped[drop_at][1]:
                if start in shape.annotations and out and out[-1].kind in _ANNOTATION_MARKS:
                    out.pop()
                continue
            kind = _kind(tok, shape)
            if kind == ";" and (not out or out[-1].kind in _OPENING):
                continue  # the end of a line left empty (a docstring dropped)
            if kind in _CLOSING and out and out[-1].kind == ",":
                out.pop()  # a trailing comma is formatting
            out.append(Token(kind, start, end))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # an unfinished file: the tokens read so far
    return tuple(out)
