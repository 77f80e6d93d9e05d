# ruff: noqa
"""The forging machinery of every decode attack: the test appends it to each attack file (a
submission is one file, so the attack the sandbox sees holds both)."""

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
