# ruff: noqa
"""Attack (c): look for labels and expected values in the caller's frames and in the heap.

In-process graders call the student's function from the check, so ``sys._getframe(1)`` is the
check, with ``expected``/``optimal``/``test.ratings`` in its locals. Here the callers can only be the
harness worker. Whatever is found is used as the answer; otherwise the answers are honestly
wrong (reconstruct returns R unchanged, predict returns the training mean), which earns the
public points only (3, like examples/wrong).

Everything seen is printed (SNOOP lines) so the test can check that no grader frame, no check
module and no trusted object was visible.
"""

import gc
import inspect
import sys

import numpy as np

SUSPECT_NAMES = ("expected", "optimal", "target", "truth", "labels", "test", "y_true", "actual", "ratings")


def _report(what, value):
    print(f"SNOOP {what}: {value}", flush=True)


def _snoop(shape=None, n=None):
    found = None
    files = []
    frame = sys._getframe(1)
    while frame is not None:
        files.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")
        for name, value in list(frame.f_locals.items()):
            if name in SUSPECT_NAMES and isinstance(value, np.ndarray):
                if (shape is not None and value.shape == shape) or (n is not None and value.shape == (n,)):
                    found = value
        frame = frame.f_back
    _report("frames", files)
    try:
        _report("inspect", [f"{fi.filename}:{fi.function}" for fi in inspect.stack()])
    except Exception as exc:  # inspect may fail on odd frames; that is fine
        _report("inspect-error", repr(exc))
    modules = sorted(m for m in sys.modules if m.split(".")[0] in ("grader", "pytest", "_pytest", "tests"))
    _report("trusted-modules", modules)
    arrays = 0
    for obj in gc.get_objects():
        mod = getattr(type(obj), "__module__", "")
        mod = mod if isinstance(mod, str) else ""  # a Cython metatype's is a descriptor
        if mod.startswith(("grader", "_pytest", "pytest")):
            _report("trusted-object", type(obj))
        if isinstance(obj, np.ndarray) and obj.dtype.kind == "f":
            arrays += 1
            if n is not None and obj.shape == (n,) and found is None and obj is not _last_args.get("ratings"):
                # a float vector with one entry per requested pair that we were not given: labels?
                if not any(obj is a for a in _last_args.values()):
                    found = obj
    _report("float-arrays-in-heap", arrays)
    _report("found", None if found is None else f"{found.shape} {found.dtype}")
    return found


_last_args = {}


def reconstruct(R, k):
    R = np.asarray(R, dtype=float)
    found = _snoop(shape=R.shape)
    return found if found is not None else R


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        _last_args.update(users=users, items=items, ratings=ratings)
        self.mean = float(np.mean(ratings))
        return self

    def predict(self, users, items):
        _last_args.update(p_users=users, p_items=items)
        found = _snoop(n=len(users))
        if found is not None:
            return np.asarray(found, dtype=float)
        return np.full(len(users), self.mean)
