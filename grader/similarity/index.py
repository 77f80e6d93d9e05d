"""An inverted index of fingerprints: which submissions share enough of them to be compared at all.

Each fingerprint lists the documents holding it; a pair of documents becomes a candidate when they
share at least ``min_shared`` fingerprints. Work grows with the postings, not with N²: two
submissions that share nothing are never looked at. A fingerprint held by more than ``max_postings``
documents is common code (an idiom most of the class writes, as MOSS's ``-m``), not evidence: it is
left out of the candidates and, by the caller, of the scores.
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
                    eligible: Callable[[int, int], bool]) -> Candidates:
    """The pairs ``(i, j)``, ``i < j``, ``eligible(i, j)``, sharing ``min_shared`` uncommon fingerprints."""
    postings: dict[int, list[int]] = {}
    for number, document in enumerate(documents):
        for value in document.fingerprints:
            postings.setdefault(value, []).append(number)
    shared: Counter[tuple[int, int]] = Counter()
    common: set[int] = set()
    for value, holders in postings.items():
        if len(holders) > max_postings:
            common.add(value)
            continue
        for x, first in enumerate(holders):
            for second in holders[x + 1:]:
                shared[first, second] += 1
    pairs = tuple(sorted(pair for pair, count in shared.items() if count >= min_shared and eligible(*pair)))
    return Candidates(pairs, frozenset(common))
