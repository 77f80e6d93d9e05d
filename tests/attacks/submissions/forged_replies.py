# ruff: noqa
"""Attack: forge the worker's replies in step with the grader's requests.

The student's code runs in the same process as ``harness.worker``, so it can replace
``Worker.send`` and make every answer of reconstruct/predict a hand-written, hostile protocol tree:
a forged handle to the module, a ``ref`` tag the grader never hands out, an object-dtype array,
an unknown tag, a dict with an unhashable key, a bool in an array shape, JSON NaN/Infinity
constants, and 100,000 nested brackets. Bound 0: no answer is honest data.
"""

import json
import os
import struct
import sys

import harness.worker as hw
from harness.protocol import write_all

HOSTILE = [
    {"t": "handle", "id": 0, "type": "ndarray", "callable": False},
    "DEEP",
    [float("nan"), float("inf"), float("-inf"), 1e308],
    {"t": "nd", "dtype": "<f8", "shape": [True], "b": 0},
    {"t": "ref", "id": 0},
    {"t": "nd", "dtype": "|O", "shape": [1], "b": 0},
    {"t": "bogus"},
    {"t": "dict", "v": [[[1, 2], 3.0]]},
]
_pending = []
_original_send = hw.Worker.send


def _raw_frame(header, tree):
    head = json.dumps({k: v for k, v in header.items() if k != "value"})[:-1].encode()
    if tree == "DEEP":
        value = b"[" * 100_000 + b"]" * 100_000
    else:
        value = json.dumps(tree).encode()  # allow_nan: NaN and Infinity go out as JSON constants
    head += b',"value":' + value + b"}"
    return struct.pack(">II", len(head), 1) + head + struct.pack(">Q", 0)


def _send(self, header, values=None):
    if header.get("kind") == "result" and _pending:
        write_all(self.out_fd, _raw_frame(header, _pending.pop()))
        return
    _original_send(self, header, values)


hw.Worker.send = _send


# A violation stops the worker and the next check starts a fresh one; a counter kept beside the
# grader (keyed by its pid) makes every worker go on with the next hostile tree.
COUNTER = f"/tmp/mljudge-attack-forged-{os.getppid()}"


def _next_index():
    try:
        with open(COUNTER) as fh:
            n = int(fh.read() or 0)
    except (OSError, ValueError):
        n = 0
    with open(COUNTER, "w") as fh:
        fh.write(str(n + 1))
    return n


def _hostile():
    tree = HOSTILE[_next_index() % len(HOSTILE)]
    _pending.append(tree)
    return None  # replaced by the forged tree on the way out


def reconstruct(R, k):
    return _hostile()


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return _hostile()
