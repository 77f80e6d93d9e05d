"""k-gram hashes of a token stream and their winnowed fingerprints (Schleimer, Wilkerson and Aiken,
"Winnowing: local algorithms for document fingerprinting", SIGMOD 2003).

Every run of ``k`` consecutive tokens is hashed; winnowing keeps the smallest hash of each window of
``window`` consecutive k-grams, so that any match of at least ``k + window - 1`` tokens shares at
least one kept fingerprint, while only about ``2 / (window + 1)`` of the k-grams are kept. Hashes are
stable (BLAKE2b), so runs and processes agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from grader.similarity.tokens import Token

#: Tokens per k-gram and k-grams per winnowing window (a match of k + window - 1 tokens is always seen).
K = 12
WINDOW = 8


def kgram_hashes(tokens: Sequence[Token], k: int = K) -> list[int]:
    """The hash of each run of ``k`` tokens, by the position of its first token."""
    kinds = [token.kind for token in tokens]
    return [int.from_bytes(hashlib.blake2b("\x1f".join(kinds[i:i + k]).encode("utf-8", "surrogatepass"),
                                           digest_size=8).digest(), "big")
            for i in range(len(kinds) - k + 1)]


def winnow(hashes: Sequence[int], window: int = WINDOW) -> list[int]:
    """Positions of the fingerprints kept: the rightmost smallest hash of every window."""
    if not hashes:
        return []
    if len(hashes) <= window:
        return [min(range(len(hashes)), key=lambda i: (hashes[i], -i))]
    kept: list[int] = []
    for first in range(len(hashes) - window + 1):
        best = first
        for i in range(first + 1, first + window):
            if hashes[i] <= hashes[best]:
                best = i
        if not kept or kept[-1] != best:
            kept.append(best)
    return kept
