# ruff: noqa
"""Attack (d): patch pytest's reporting and numpy's comparison functions at import.

In a grader that runs the checks in the student's process, making ``TestReport`` always say
"passed" or ``np.allclose`` always say True turns every check green. The answers themselves are
honestly wrong (zeros of the right shape; a constant 0 rating): 2 points, the shape and
finiteness checks.
"""

import sys

import numpy as np

PATCHED = []

try:
    import _pytest.outcomes
    import _pytest.reports
    import _pytest.runner
    import pytest

    class _AlwaysPassed(_pytest.reports.TestReport):
        @property
        def outcome(self):
            return "passed"

        @outcome.setter
        def outcome(self, value):
            pass

    _pytest.reports.TestReport = _AlwaysPassed
    _pytest.runner.TestReport = _AlwaysPassed

    def pytest_runtest_makereport(item, call):
        call.excinfo = None
        return _AlwaysPassed.from_item_and_call(item, call)

    _pytest.runner.pytest_runtest_makereport = pytest_runtest_makereport

    def _no_fail(*args, **kwargs):
        return None

    _pytest.outcomes.fail = _no_fail
    pytest.fail = _no_fail
    _pytest.outcomes.Failed = type("Failed", (Exception,), {})
    pytest.approx = lambda *a, **k: _Equal()
    PATCHED.append("pytest")
except Exception as exc:  # pytest may not be importable in the sandbox: fine either way
    print("could not patch pytest:", repr(exc))


class _Equal:
    def __eq__(self, other): return True
    def __ne__(self, other): return False


np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *x, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.all = lambda *a, **k: True
np.isfinite = lambda x, *a, **k: np.ones(np.shape(x), dtype=bool)
np.linalg.norm = lambda *a, **k: 0.0
np.linalg.svd = lambda a, *x, **k: (np.eye(len(a)), np.zeros(min(np.shape(a))), np.eye(np.shape(a)[1]))
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
np.testing.assert_equal = lambda *a, **k: None
PATCHED.append("numpy")

import builtins

builtins.AssertionError = type("AssertionError", (Exception,), {})
PATCHED.append("builtins")
print("patched:", PATCHED, file=sys.stderr)


def reconstruct(R, k):
    return np.zeros(np.shape(R))


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        return self

    def predict(self, users, items):
        return np.zeros(len(users))
