"""The exact comparison of two documents: the regions they share and how much of each they cover.

Every k-gram the two share (boilerplate and common code left out) is a seed; seeds on the same
diagonal (the same shift between the two files) that overlap or touch grow into one run. Runs are
then laid as tiles, longest first, none overlapping another on either side (as greedy string
tiling does), so that a token is matched at most once. A document's coverage is the share of its
own tokens (those no boilerplate covers) inside tiles; a pair's score is the larger coverage, so
that a copy padded with extra code is still found from the side of the original.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass

from grader.similarity.document import Document, Submission
from grader.similarity.fingerprints import K

#: At most this many places in the second document are tried for one shared k-gram (repeated code).
MAX_SEEDS_PER_HASH = 4


@dataclass(frozen=True)
class Region:
    """Matching code: characters ``[a_start, a_end)`` of the first file and ``[b_start, b_end)``
    of the second, ``tokens`` normalised tokens long."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    tokens: int


@dataclass(frozen=True)
class PairResult:
    """Two submissions compared: the score (0-1), the share of each side's own tokens that match, how
    many own tokens match (the smaller side's count), and the matching regions."""

    a: Submission
    b: Submission
    score: float
    coverage_a: float
    coverage_b: float
    matched_tokens: int
    regions: tuple[Region, ...]


def _runs(a: Document, b: Document, shared: Set[int], k: int) -> list[tuple[int, int, int]]:
    """Maximal runs ``(first token in a, first token in b, length in tokens)`` of shared k-grams."""
    in_b: dict[int, list[int]] = {}
    for j, value in enumerate(b.hashes):
        if value in shared:
            places = in_b.setdefault(value, [])
            if len(places) < MAX_SEEDS_PER_HASH:
                places.append(j)
    open_runs: dict[int, list[int]] = {}  # shift (j - i) -> [first i, last i]
    runs: list[tuple[int, int, int]] = []
    for i, value in enumerate(a.hashes):
        for j in in_b.get(value, ()):
            shift = j - i
            run = open_runs.get(shift)
            if run is not None and i <= run[1] + k:  # overlapping or touching: one match
                run[1] = i
                continue
            if run is not None:
                runs.append((run[0], run[0] + shift, run[1] - run[0] + k))
            open_runs[shift] = [i, i]
    runs += [(first, first + shift, last - first + k) for shift, (first, last) in open_runs.items()]
    return runs


def _tiles(runs: list[tuple[int, int, int]], size_a: int, size_b: int) -> list[tuple[int, int, int]]:
    """The runs laid longest first, trimmed so that no token of either side is in two tiles."""
    used_a = bytearray(size_a)
    used_b = bytearray(size_b)
    tiles: list[tuple[int, int, int]] = []
    for first_a, first_b, length in sorted(runs, key=lambda run: (-run[2], run[0], run[1])):
        start = 0
        while start < length:  # keep the free stretches of this run
            while start < length and (used_a[first_a + start] or used_b[first_b + start]):
                start += 1
            end = start
            while end < length and not used_a[first_a + end] and not used_b[first_b + end]:
                end += 1
            if end - start >= 2:
                tiles.append((first_a + start, first_b + start, end - start))
                used_a[first_a + start:first_a + end] = b"\x01" * (end - start)
                used_b[first_b + start:first_b + end] = b"\x01" * (end - start)
            start = end
    return sorted(tiles)


def _trimmed(tiles: list[tuple[int, int, int]], own_a: bytes, own_b: bytes) -> list[tuple[int, int, int]]:
    """The tiles without their ends that are starter code on both sides (what is shown as a match)."""
    out = []
    for i, j, n in tiles:
        while n and not (own_a[i] or own_b[j]):
            i, j, n = i + 1, j + 1, n - 1
        while n and not (own_a[i + n - 1] or own_b[j + n - 1]):
            n -= 1
        if n:
            out.append((i, j, n))
    return out


def compare(a: Document, b: Document, *, common: Set[int] = frozenset(), k: int = K) -> PairResult:
    """Compare two documents (``common`` hashes are no evidence either)."""
    shared = (a.evidence & b.evidence) - common
    tiles = _tiles(_runs(a, b, shared, k), len(a.tokens), len(b.tokens)) if shared else []
    matched_a = sum(sum(a.own[i:i + n]) for i, _, n in tiles)
    matched_b = sum(sum(b.own[j:j + n]) for _, j, n in tiles)
    own_a, own_b = a.own_tokens, b.own_tokens
    coverage_a = matched_a / own_a if own_a else 0.0
    coverage_b = matched_b / own_b if own_b else 0.0
    matched = min(matched_a, matched_b)
    regions = tuple(Region(a.tokens[i].start, a.tokens[i + n - 1].end, b.tokens[j].start, b.tokens[j + n - 1].end, n)
                    for i, j, n in _trimmed(tiles, a.own, b.own))
    return PairResult(a.submission, b.submission, max(coverage_a, coverage_b), coverage_a, coverage_b, matched,
                      regions)
