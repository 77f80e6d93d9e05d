"""A submission ready to compare: who wrote it, its text, tokens, k-gram hashes and fingerprints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.similarity.boilerplate import Boilerplate
from grader.similarity.fingerprints import WINDOW, K, kgram_hashes, winnow
from grader.similarity.tokens import Token, tokenise


@dataclass(frozen=True)
class Submission:
    """One file to compare. ``term`` names the past term it comes from (None: this term's)."""

    student: str
    path: Path
    term: str | None = None
    submission_id: int | None = None

    @property
    def label(self) -> str:
        """How reports name it: the student, or ``term/student`` for a past term's file."""
        return self.student if self.term is None else f"{self.term}/{self.student}"


@dataclass(frozen=True)
class Document:
    """A submission's text and what is compared of it.

    ``hashes`` are all its k-gram hashes by position. A token is the student's own (``own[i]`` is 1)
    when no boilerplate k-gram covers it; ``evidence`` holds the k-grams that are not boilerplate and
    are at least half the student's own tokens (a k-gram of starter code around a one-word edit is
    not evidence); ``fingerprints`` the winnowed subset of the evidence (what the index holds);
    ``own_tokens`` how many own tokens there are (the share of a match is measured against it)."""

    submission: Submission
    text: str
    tokens: tuple[Token, ...]
    hashes: tuple[int, ...]
    own: bytes
    evidence: frozenset[int]
    fingerprints: frozenset[int]

    @property
    def own_tokens(self) -> int:
        return sum(self.own)


def _own(hashes: list[int], count: int, boilerplate: Boilerplate, k: int) -> bytes:
    """1 for each token that no boilerplate k-gram covers, else 0."""
    cover = [0] * (count + 1)
    for i, value in enumerate(hashes):
        if value in boilerplate:
            cover[i] += 1
            cover[i + k] -= 1
    own = bytearray(count)
    depth = 0
    for i in range(count):
        depth += cover[i]
        own[i] = depth == 0
    return bytes(own)


def make_document(submission: Submission, text: str, boilerplate: Boilerplate, *, k: int = K,
                  window: int = WINDOW) -> Document:
    """Tokenise and fingerprint ``text``, leaving out the boilerplate."""
    tokens = tokenise(text)
    hashes = kgram_hashes(tokens, k)
    own = _own(hashes, len(tokens), boilerplate, k)
    before = [0]  # own tokens before each position
    for flag in own:
        before.append(before[-1] + flag)
    evidence = frozenset(h for i, h in enumerate(hashes)
                         if h not in boilerplate and 2 * (before[i + k] - before[i]) >= k)
    fingerprints = frozenset(hashes[i] for i in winnow(hashes, window)) & evidence
    return Document(submission, text, tokens, tuple(hashes), own, evidence, fingerprints)
