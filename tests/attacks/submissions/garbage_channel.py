# ruff: noqa
"""Attack: write raw garbage straight into the protocol channel, then return normally.

The worker moved the protocol off fds 0/1 to dup'd descriptors (``harness.worker._take_channel``);
this finds the write end through /proc/self/fd (a pipe opened for writing that is not the
student's stdout/stderr pipe) and writes bytes that are not a frame. The answers are otherwise
honestly wrong (zeros; constant 0 rating): bound 2.
"""

import fcntl
import os

import numpy as np


def channel_fds():
    """Write ends of pipes other than the one behind fds 1 and 2."""
    stdio = os.fstat(2).st_ino
    found = []
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
            mode = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE
            ino = os.fstat(fd).st_ino
        except OSError:
            continue
        if target.startswith("pipe:") and mode == os.O_WRONLY and ino != stdio:
            found.append(fd)
    return found


def _spray():
    fds = channel_fds()
    print("ATTACK channel fds:", fds, flush=True)
    for fd in fds:
        os.write(fd, b"\xff\xfe GARBAGE \x00\x01\x02" * 64)


def reconstruct(R, k):
    _spray()
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        _spray()
        return np.zeros(len(users))
