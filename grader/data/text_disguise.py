"""Public messages disguised for a hidden check: a secret word cipher, the same for train and test.

The SMS Spam Collection is public, so a held-out split of it is only hidden if the submission
cannot recognise the messages. Each message is cut into tokens (runs of letters and digits, and
single other characters, after lower-casing) and every token is replaced by a code word drawn
from a ``data.rng`` generator (keyed with the course secret). A token has several code words
(homophones: at least two, and one per ``flatten`` occurrences, so that code words are about
equally frequent) and each occurrence takes one at random; null code words are strewn in. Word
frequencies, message lengths, spelling and punctuation of the public text are gone, and equal
messages need not look equal: frequency analysis with the public text as a crib finds nothing
(tests/attacks/public_data/test_tables_attacks.py). What a classifier learns from the training
messages (which code words go with spam) still holds on the held-out ones, because both are
enciphered with the same code book.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["WordCipher", "make_cipher", "tokens"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_LETTERS = np.array(list(string.ascii_lowercase))
CODE_LENGTHS = (4, 9)  # code words have 4 to 8 letters, chosen at random (no link to the token's length)


def tokens(text: str) -> list[str]:
    """The tokens of ``text``: lower-cased runs of word characters, and each other visible character."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class WordCipher:
    """A code book: for each token, its code words (distinct across all tokens)."""

    book: dict[str, tuple[str, ...]]
    nulls: tuple[str, ...] = ()  # code words that stand for nothing, strewn into every message
    null_rate: float = 0.0  # nulls per token, on average

    def encipher(self, texts: Sequence[str], rng: np.random.Generator) -> list[str]:
        """Each message as its tokens' code words joined by spaces, a code word chosen at random per
        occurrence. A token missing from the book raises ``KeyError``: build the book on all texts."""
        out = []
        for text in texts:
            words = tokens(text)
            picks = rng.integers(0, 1 << 30, len(words))
            coded = [self.book[w][p % len(self.book[w])] for w, p in zip(words, picks, strict=True)]
            n_nulls = int(rng.poisson(self.null_rate * (len(words) + 1))) if self.nulls else 0
            places = rng.integers(0, len(coded) + 1, n_nulls)
            for at, null in zip(places, rng.integers(0, len(self.nulls), n_nulls), strict=True):
                coded.insert(int(at), self.nulls[int(null)])
            out.append(" ".join(coded))
        return out


def make_cipher(
    texts: Iterable[str], rng: np.random.Generator, *, homophones: int = 2, flatten: int = 0,
    null_rate: float = 0.0,
) -> WordCipher:
    """A random code book for every token of ``texts``: ``homophones`` code words per token, or more
    for a frequent token (one per ``flatten`` occurrences, when ``flatten`` is set), so that code words
    are about equally frequent; ``null_rate`` nulls per token."""
    counts = Counter(w for text in texts for w in tokens(text))
    vocabulary = sorted(counts)
    sizes = [max(homophones, -(-counts[w] // flatten) if flatten else 0) for w in vocabulary]
    n_nulls = round(null_rate * sum(counts.values()) / max(flatten, 1)) if null_rate else 0
    codes = _code_words(rng, sum(sizes) + n_nulls)
    ends = np.cumsum(sizes)
    book = {w: tuple(codes[end - size:end]) for w, size, end in zip(vocabulary, sizes, ends, strict=True)}
    return WordCipher(book, tuple(codes[sum(sizes):]), null_rate)


def _code_words(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` distinct random lower-case words, in random order."""
    found: dict[str, None] = {}
    while len(found) < n:
        draw = n - len(found) + 16
        letters = _LETTERS[rng.integers(0, len(_LETTERS), (draw, CODE_LENGTHS[1] - 1))]
        lengths = rng.integers(*CODE_LENGTHS, draw)
        for row, length in zip(letters, lengths, strict=True):
            found.setdefault("".join(row[:length]), None)
    return list(found)[:n]
