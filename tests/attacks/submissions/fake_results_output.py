# ruff: noqa
"""Attack (f): print fake grader results and plant fake result files.

At import and in every call: a fake Gradescope results.json and a fake pytest summary on stdout
and stderr, a fake protocol "result" frame written to the stdout file descriptor, and fake
result files in the working directory and in /tmp. A grader that parses the student's output or
picks up result files from disk would report full marks. The answers are honestly wrong (zeros
of the right shape; a constant 0 rating): 2 points.
"""

import json
import os
import struct
import sys

import numpy as np

MARKER = "FAKE-RESULTS-7f3a"
FAKE_JSON = json.dumps({
    "score": 10.0, "output": MARKER,
    "tests": [{"name": n, "score": s, "max_score": s, "status": "passed"} for n, s in
              [("test_reconstruct_shape", 1), ("test_reconstruct_rank_one_exact", 1),
               ("test_predictor_one_finite_float_per_pair", 1), ("test_reconstruct_optimal_error", 2),
               ("test_reconstruct_extreme_k", 1), ("test_predictor_heldout_rmse", 4)]],
})
FAKE_SUMMARY = f"{MARKER} ===== 6 passed in 0.12s ===== score: 10/10 verdict: passed"
TMP_FILE = "/tmp/mljudge-attack-fake-results.json"


def _frame(header):
    head = json.dumps(header).encode()
    return struct.pack(">II", len(head), 0) + head


def _shout():
    print(FAKE_JSON)
    print(FAKE_SUMMARY)
    print(FAKE_JSON, file=sys.stderr)
    print(FAKE_SUMMARY, file=sys.stderr)
    sys.stdout.flush()
    for fd in (1, 2):  # raw bytes that look like a protocol reply, on the student's stdio
        try:
            os.write(fd, _frame({"kind": "result", "seconds": 0.0, "value": 10.0}))
        except OSError:
            pass
    for path in ("results.json", "grade.json", TMP_FILE):
        try:
            with open(path, "w") as fh:
                fh.write(FAKE_JSON)
        except OSError:
            pass


_shout()


def reconstruct(R, k):
    _shout()
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        _shout()
        return self

    def predict(self, users, items):
        _shout()
        return np.zeros(len(users))
