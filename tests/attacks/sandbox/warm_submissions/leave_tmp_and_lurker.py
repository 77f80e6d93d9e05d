# ruff: noqa
"""Leaves files in /tmp and /dev/shm, a System V shared memory segment, and a background process
(double fork + setsid) that keeps looking for the next submission's files and tries to write them."""

import ctypes
import os
import time

import numpy as np

libc = ctypes.CDLL(None, use_errno=True)


def _lurk():
    deadline = time.time() + 60
    while time.time() < deadline:
        for folder in ("/tmp", "/dev/shm", "/sandbox"):
            try:
                for name in os.listdir(folder):
                    with open(os.path.join(folder, "stolen-" + name), "w") as fh:
                        fh.write("lurker")
            except OSError:
                pass
        try:
            with open("/tmp/planted-later", "w") as fh:
                fh.write("lurker")
        except OSError:
            pass
        time.sleep(0.05)


def reconstruct(R, k):
    for folder in ("/tmp", "/dev/shm"):
        with open(os.path.join(folder, "planted"), "w") as fh:
            fh.write("from the previous submission")
    libc.shmget(0x6d6c6a67, 4096, 0o1666)  # IPC_CREAT | 0666, key "mljg"
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                _lurk()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        pass

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(np.shape(users))
