"""The similarity check as a pipeline: read, fingerprint, index, compare the candidates, rank.

Pairs are this term's submissions with each other and with past terms' files (never two past files).
A pair is flagged when its score reaches the threshold and the match is long enough to mean
something (``min_tokens``): starter code plus a line or two in common is never a case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from grader.core.notebook import is_notebook
from grader.similarity.boilerplate import Boilerplate
from grader.similarity.compare import PairResult, compare
from grader.similarity.document import Document, Submission, make_document
from grader.similarity.fingerprints import WINDOW, K
from grader.similarity.index import candidate_pairs
from grader.similarity.normalise import SourceError, source_texts


@dataclass(frozen=True)
class Settings:
    """How the check decides. ``threshold``: the share (0-1) of one file's own code found in the other;
    ``min_tokens``: the fewest matched tokens that can flag a pair; a fingerprint in more than
    ``common_share`` of the files (and more than ``common_floor`` files) is common code. A pair is
    compared exactly when it shares ``min_shared`` fingerprints and ``candidate_share`` of the smaller
    file's (flagged pairs of the labelled corpus share at least twice that at the default threshold)."""

    threshold: float = 0.5
    min_tokens: int = 40
    k: int = K
    window: int = WINDOW
    min_shared: int = 2
    common_share: float = 0.1
    common_floor: int = 50

    @property
    def candidate_share(self) -> float:
        return self.threshold / 5

    def max_postings(self, documents: int) -> int:
        return max(self.common_floor, int(self.common_share * documents))


class Progress(Protocol):
    """Told how far the check is: a stage starts with its total, then advances."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


class _Silent:
    def stage(self, name: str, total: int) -> None:
        pass

    def advance(self, steps: int = 1) -> None:
        pass


@dataclass(frozen=True)
class Outcome:
    """What a check found: the flagged pairs (best first), how much was done, what was left out."""

    pairs: tuple[PairResult, ...]
    documents: tuple[Document, ...]
    candidates: int
    problems: tuple[str, ...]
    settings: Settings


def read_documents(submissions: Sequence[Submission], boilerplate: Boilerplate, settings: Settings,
                   progress: Progress) -> tuple[list[Document], list[str]]:
    """Documents of the submissions that can be read (notebooks converted in batches), and problems."""
    notebooks = sum(1 for s in submissions if is_notebook(s.path))
    if notebooks:
        progress.stage("converting", notebooks)
    texts = source_texts([s.path for s in submissions], progress.advance)
    progress.stage("reading", len(submissions))
    documents: list[Document] = []
    problems: list[str] = []
    for submission in submissions:
        text = texts[submission.path]
        if isinstance(text, SourceError):
            problems.append(f"{submission.label}: {text}")
        else:
            documents.append(make_document(submission, text, boilerplate, k=settings.k, window=settings.window))
        progress.advance()
    return documents, problems


def rank(documents: Sequence[Document], settings: Settings, progress: Progress) -> tuple[list[PairResult], int]:
    """The flagged pairs, best first, and how many candidate pairs were compared exactly."""
    def eligible(i: int, j: int) -> bool:
        return documents[i].submission.term is None or documents[j].submission.term is None

    found = candidate_pairs(documents, min_shared=settings.min_shared,
                            max_postings=settings.max_postings(len(documents)), eligible=eligible,
                            min_share=settings.candidate_share)
    progress.stage("comparing", len(found.pairs))
    flagged: list[PairResult] = []
    for i, j in found.pairs:
        result = compare(documents[i], documents[j], common=found.common, k=settings.k)
        if result.score >= settings.threshold and result.matched_tokens >= settings.min_tokens:
            flagged.append(result)
        progress.advance()
    flagged.sort(key=lambda pair: (-pair.score, -pair.matched_tokens, pair.a.label, pair.b.label))
    return flagged, len(found.pairs)


def find_similar(submissions: Sequence[Submission], boilerplate: Boilerplate, settings: Settings = Settings(),
                 progress: Progress | None = None) -> Outcome:
    """Compare ``submissions`` (this term's and past terms') and rank the pairs that look copied."""
    progress = progress or _Silent()
    documents, problems = read_documents(submissions, boilerplate, settings, progress)
    pairs, candidates = rank(documents, settings, progress)
    return Outcome(tuple(pairs), tuple(documents), candidates, tuple(problems), settings)
