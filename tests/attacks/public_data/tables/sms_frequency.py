"""Frequency analysis of a word cipher with the public collection as the crib: code words ranked by
frequency are mapped to public tokens of the same rank (a token split into two code words takes
two ranks), each held-out message is decoded and matched to the public message of the same length
that shares most decoded tokens, and that message's label is the answer. The test writes the public
messages and labels into MESSAGES and LABELS below."""

import re
from collections import Counter

import numpy as np

MESSAGES: list = []  # filled in by the test
LABELS: list = []
HOMOPHONES = 2
_TOKEN = re.compile(r"\w+|[^\w\s]")


class SpamClassifier:
    def fit(self, texts, labels):
        self.train = list(texts)
        return self

    def predict(self, texts):
        texts = list(texts)
        public = [_TOKEN.findall(t.lower()) for t in MESSAGES]
        plain = [w for w, _ in Counter(w for t in public for w in t).most_common()]
        coded = [w for w, _ in Counter(w for t in self.train + texts for w in t.split()).most_common()]
        decode = {c: plain[i // HOMOPHONES] for i, c in enumerate(coded) if i // HOMOPHONES < len(plain)}
        by_length = {}
        for i, t in enumerate(public):
            by_length.setdefault(len(t), []).append(i)
        bags = [Counter(t) for t in public]
        out = []
        for text in texts:
            words = text.split()
            bag = Counter(decode[w] for w in words if w in decode)
            candidates = by_length.get(len(words), [])
            best = max(candidates, key=lambda i: sum((bag & bags[i]).values()), default=None)
            out.append(int(LABELS[best]) if best is not None else 0)
        return np.array(out, dtype=np.int64)
