"""A call that changes its array arguments in place leaves them changed in the checks too, as a
plain call would: on every backend, for positional and keyword arguments, and never through a
read-only array, a reshaped one or a forged reply."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import numpy as np
import pytest

from grader.core.remote import SubmissionFault, WorkerSession
from grader.core.values import Limits
from grader.core.write_back import write_back
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import WarmBwrapSandbox

AVAILABLE = {"process": True,
             "bwrap": BwrapSandbox.available() and BwrapSandbox.cgroups_available(),
             "bwrap-warm": WarmBwrapSandbox.available()}

SOURCE = """
import numpy as np

def fill(X, value=0.0):
    X[np.isnan(X)] = value
    return "filled"

def scale(X, *, by):
    by *= 2
    X *= by

def pure(X):
    return X + 1

def reshape(X):
    X.shape = (-1,)
    X[0] = 99

def grow(X):
    X.resize((100,), refcheck=False)
    X[:] = 7

def raises_after_writing(X):
    X[:] = -1
    raise ValueError("after writing")

def keep(X):
    global KEPT
    KEPT = X

def change_kept():
    KEPT[:] = 5
"""

NAMES = ("fill", "scale", "pure", "reshape", "grow", "raises_after_writing", "keep", "change_kept")


@pytest.fixture(params=list(AVAILABLE), scope="module")
def module(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not AVAILABLE[request.param]:
        pytest.skip(f"{request.param} cannot run here")
    path = tmp_path_factory.mktemp("in-place") / "submission.py"
    path.write_text(textwrap.dedent(SOURCE))
    session = WorkerSession(get_sandbox(request.param), WorkerSpec(path, "solution", NAMES, Limits()))
    try:
        yield session.module()
    finally:
        session.close()
        if request.param == "bwrap-warm":
            WarmBwrapSandbox.close_all()


def test_a_positional_array_changed_in_place_is_changed_in_the_check(module) -> None:
    x = np.array([[1.0, np.nan], [np.nan, 4.0]])
    assert module.fill(x, 9.0) == "filled"
    assert x.tolist() == [[1.0, 9.0], [9.0, 4.0]]


def test_keyword_arrays_and_a_view_are_written_back(module) -> None:
    base = np.arange(12, dtype=np.int64).reshape(3, 4)
    by = np.array([3], dtype=np.int64)
    view = base[:, 1:3]  # not contiguous: written through to its base
    module.scale(view, by=by)
    assert by.tolist() == [6]
    assert base.tolist() == [[0, 6, 12, 3], [4, 30, 36, 7], [8, 54, 60, 11]]


def test_an_unchanged_argument_is_left_alone_and_equal(module) -> None:
    x = np.array([1.0, np.nan, 3.0])
    x.flags.writeable = False  # a write would raise here: none happens
    assert module.pure(x)[0] == 2.0
    y = np.array([1.0, np.nan])
    module.pure(y)
    assert np.array_equal(y, [1.0, np.nan], equal_nan=True)


def test_a_read_only_array_is_never_written(module) -> None:
    x = np.array([1.0, np.nan])
    x.flags.writeable = False
    module.fill(x)
    assert np.isnan(x[1])


def test_an_array_reshaped_or_resized_in_place_changes_nothing_here(module) -> None:
    x = np.zeros((2, 3))
    module.reshape(x)
    module.grow(x)
    assert x.shape == (2, 3) and not x.any()


def test_a_call_that_raises_writes_nothing_back(module) -> None:
    x = np.zeros(3)
    with pytest.raises(SubmissionFault, match="after writing"):
        module.raises_after_writing(x)
    assert not x.any()


def test_only_changes_made_during_the_call_are_seen(module) -> None:
    x = np.zeros(3)
    module.keep(x)
    module.change_kept()
    assert not x.any()


@pytest.mark.parametrize("changed", [
    "not a list", [["a", 0]], [["a", 5, np.zeros(2)]], [["k", "missing", np.zeros(2)]],
    [["x", 0, np.zeros(2)]], [["a", "0", np.zeros(2)]], [["a", 0, [0.0, 0.0]]],
])
def test_a_malformed_change_list_is_refused(changed: object) -> None:
    args = [np.ones(2)]
    assert write_back(changed, args, {"X": np.ones(2)}) is False


def test_a_change_of_another_shape_or_dtype_is_not_written() -> None:
    args = [np.ones(2), np.ones(2)]
    assert write_back([["a", 0, np.zeros(3)], ["a", 1, np.zeros(2, dtype=np.float32)]], args, {})
    assert args[0].tolist() == [1.0, 1.0] and args[1].tolist() == [1.0, 1.0]
