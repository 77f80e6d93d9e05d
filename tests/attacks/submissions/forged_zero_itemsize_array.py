# ruff: noqa
"""Attack: forged replies (in step, by replacing ``Worker.send``) carrying arrays whose buffers are
empty but whose shapes are enormous.

``{"t": "nd", "dtype": "<U0", "shape": [60000, 60000]}`` needs no bytes at all (item size 0), and
``{"dtype": "<f8", "shape": [10**30, 0]}`` has 0 elements. Both pass the "buffer size matches
shape and dtype" test; the first makes the trusted side allocate a 14.4 GB array (numpy turns U0
into U1), the second makes numpy raise ValueError inside the decoder. Bound 0.
"""

import json
import struct

import harness.worker as hw
from harness.protocol import write_all

HOSTILE = [
    {"t": "nd", "dtype": "<U0", "shape": [60000, 60000], "b": 0},
    {"t": "nd", "dtype": "<f8", "shape": [10**30, 0], "b": 0},
    {"t": "nd", "dtype": "|S0", "shape": [2**40, 2**40], "b": 0},
]
_pending = []
_count = [0]
_original_send = hw.Worker.send


def _send(self, header, values=None):
    if header.get("kind") == "result" and _pending:
        full = dict(header, value=_pending.pop())
        head = json.dumps(full).encode()
        write_all(self.out_fd, struct.pack(">II", len(head), 1) + head + struct.pack(">Q", 0))
        return
    _original_send(self, header, values)


hw.Worker.send = _send


def _hostile():
    _pending.append(HOSTILE[_count[0] % len(HOSTILE)])
    _count[0] += 1


def reconstruct(R, k):
    return _hostile()


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return _hostile()
