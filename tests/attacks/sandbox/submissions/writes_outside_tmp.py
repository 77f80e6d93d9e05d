# ruff: noqa
"""Try to create or open for writing files outside the sandbox's /tmp (append mode, zero bytes
written: an existing file is never changed even where the attempt succeeds). Paths given by the test."""

import errno
import json
import os
import sys

import numpy as np

REPO = "@@REPO@@"
OTHER = "@@OTHER_DIR@@"


def reconstruct(R, k):
    targets = [
        REPO + "/mljudge-attack-pwned.txt",
        REPO + "/assignments/recommender-svd/checks/hidden/test_hidden.py",
        OTHER + "/mljudge-attack-pwned.txt",
        "/opt/mljudge/lib/harness/worker.py",
        "/opt/mljudge/lib/mljudge-attack-pwned.py",
        "/sandbox/solution.py",
        "/sandbox/mljudge-attack-pwned.py",
        "/etc/mljudge-attack-pwned",
        "/usr/lib/mljudge-attack-pwned",
        sys.prefix + "/mljudge-attack-pwned",
        "/root/mljudge-attack-pwned",
        "/mljudge-attack-pwned",
        "/var/tmp/mljudge-attack-pwned",
        "/dev/shm/mljudge-attack-pwned",
    ]
    found = {}
    for path in targets:
        try:
            with open(path, "ab"):
                pass
            found[path] = "writable"
        except OSError as exc:
            found[path] = errno.errorcode.get(exc.errno, str(exc.errno))
    raise RuntimeError("ATTACK-RESULT " + json.dumps(found))


class RatingPredictor:
    """Honest but wrong: a constant 0 rating."""

    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
