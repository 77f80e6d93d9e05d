# ruff: noqa
"""Decode attack: float dict keys. 100,000 NaN keys (each NaN is its own key, hashed by identity:
legal, failed), 100,000 alternating 0.0/-0.0 keys (one key in Python; the frame repeats it: refused,
they share one hash), 100,000 ``(nan, k)`` tuple keys (legal), and 100,000 keys 1.0, 1, true
repeated. Bound 0; protocol violation or failed.
"""

NAN = b'{"t":"float","v":"nan"}'


def _dict(keys):
    return b'{"t":"dict","v":[' + b",".join(b"[%s,0]" % k for k in keys) + b"]}"


VARIANTS = [
    lambda: _dict(b"-0.0" if k % 2 else b"0.0" for k in range(100_000)),
    lambda: _dict(NAN for _ in range(100_000)),
    lambda: _dict(b'{"t":"tuple","v":[%s,%d]}' % (NAN, k) for k in range(100_000)),
    lambda: _dict((b"1.0", b"1", b"true")[k % 3] for k in range(100_000)),
]


# ---- the forging machinery, the same in every decode attack --------------------------------------
# The student's code runs in the worker's process: it replaces ``Worker.send`` and answers the
# grader's calls with a hand-written frame. A violation stops the worker; a counter beside the
# grader (keyed by its pid; private /tmp in the isolating sandboxes: there every worker starts at
# the first variant) makes each new worker go on with the next variant.
import os
import struct

import harness.worker as hw
from harness.protocol import write_all

COUNTER = f"/tmp/mljudge-attack-decode-{os.getppid()}"
_pending = []
_original_send = hw.Worker.send


def _next_index():
    try:
        with open(COUNTER) as fh:
            n = int(fh.read() or 0)
    except (OSError, ValueError):
        n = 0
    with open(COUNTER, "w") as fh:
        fh.write(str(n + 1))
    return n


def _frame(value, buffers=()):
    head = b'{"kind":"result","seconds":0.0,"value":' + value + b"}"
    parts = [struct.pack(">II", len(head), len(buffers)), head]
    for buf in buffers:
        parts += [struct.pack(">Q", len(buf)), buf]
    return b"".join(parts)


def _send(self, header, values=None):
    if header.get("kind") == "result" and _pending:
        write_all(self.out_fd, _frame(*_pending.pop()))
        return
    _original_send(self, header, values)


hw.Worker.send = _send


def _hostile():
    made = VARIANTS[_next_index() % len(VARIANTS)]()
    _pending.append(made if isinstance(made, tuple) else (made,))
    return None  # replaced by the forged value on the way out


def reconstruct(R, k):
    return _hostile()


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return _hostile()
