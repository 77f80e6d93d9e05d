"""Code every student was given, which matches between submissions without being copied.

The boilerplate of an exercise is its stub (``stub.py``, or the one generated from the reference's
solution markers), every released Python file (public checks, ``conftest.py`` files, helpers) and the
Python code blocks of its released statement. A k-gram found in any of them is never evidence.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.authoring.release import released_sources
from grader.authoring.stubs import StubError, stub_text
from grader.core.assignment import AssignmentSpec
from grader.similarity.fingerprints import K, kgram_hashes
from grader.similarity.tokens import tokenise

_CODE_BLOCK = re.compile(r"^```(?:python|py|python3)?[ \t]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class Boilerplate:
    """The k-gram hashes of the code students were given, and where it came from."""

    hashes: frozenset[int]
    sources: tuple[str, ...]

    def __contains__(self, value: object) -> bool:
        return value in self.hashes


def from_texts(texts: Iterable[tuple[str, str]], k: int = K) -> Boilerplate:
    """Boilerplate made of (name, code) pairs."""
    hashes: set[int] = set()
    names: list[str] = []
    for name, text in texts:
        hashes.update(kgram_hashes(tokenise(text), k))
        names.append(name)
    return Boilerplate(frozenset(hashes), tuple(names))


def released_code(assignment: AssignmentSpec) -> list[tuple[str, str]]:
    """(name, code) of the stub, every released ``.py`` file and each code block of a released ``.md``."""
    texts: list[tuple[str, str]] = []
    with contextlib.suppress(OSError, StubError):
        texts.append(("stub.py", stub_text(assignment)))
    for name, path in sorted(released_sources(assignment).items()):
        suffix = Path(name).suffix
        if suffix not in (".py", ".md") or path == assignment.stub:  # the stub is there already
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if suffix == ".py":
            texts.append((name, text))
        else:
            texts += [(f"{name} (code block {n})", block) for n, block in
                      enumerate(_CODE_BLOCK.findall(text), start=1)]
    return texts


def of_assignment(assignment: AssignmentSpec, k: int = K) -> Boilerplate:
    """The boilerplate of ``assignment``: its stub and the Python it releases."""
    return from_texts(released_code(assignment), k)
