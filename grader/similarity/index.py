"""An inverted index of fingerprints: which submissions share enough of them to be compared at all.

Each fingerprint lists the documents holding it; a pair of documents becomes a candidate when they
share at least ``min_shared`` fingerprints and at least ``min_share`` of the smaller one's (a pair
whose code matches in large part shares a like part of its fingerprints: winnowing keeps one in
every window). Work grows with the postings, not with N²: two
submissions that share nothing are never looked at. A fingerprint held by more than ``max_postings``
documents (any k-gram, not only the fingerprints) is common code (an idiom much of the class writes,
as MOSS's ``-m``), not evidence: it is left out of the candidates and, by the caller, of the scores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grader.similarity.document import Document


@dataclass(frozen=True)
class Candidates:
    """Pairs of document indices (smaller first) worth an exact comparison, and the common hashes."""

    pairs: tuple[tuple[int, int], ...]
    common: frozenset[int]


def candidate_pairs(documents: Sequence[Document], *, min_shared: int, max_postings: int,
                    eligible: Callable[[int, int], bool], min_share: float = 0.0) -> Candidates:
    """The pairs ``(i, j)``, ``i < j``, ``eligible(i, j)``, sharing ``min_shared`` uncommon fingerprints
    and ``min_share`` of the fingerprints of the one with fewer."""
    held: Counter[int] = Counter()  # in how many documents each k-gram is (all of them, not only fingerprints)
    for document in documents:
        held.update(document.evidence)
    common = frozenset(value for value, count in held.items() if count > max_postings)
    postings: dict[int, list[int]] = {}
    for number, document in enumerate(documents):
        for value in document.fingerprints - common:
            postings.setdefault(value, []).append(number)
    shared: Counter[tuple[int, int]] = Counter()
    for holders in postings.values():
        for x, first in enumerate(holders):
            for second in holders[x + 1:]:
                shared[first, second] += 1
    sizes = [len(document.fingerprints - common) for document in documents]
    pairs = tuple(sorted(pair for pair, count in shared.items()
                         if count >= max(min_shared, min_share * min(sizes[pair[0]], sizes[pair[1]]))
                         and eligible(*pair)))
    return Candidates(pairs, common)
