"""Which of the checks' arrays a call changed in place is known (the ``changed_in_place`` fixture),
on every backend, for positional and keyword arguments, reshaping and resizing included; the
checks' arrays themselves never change, whatever the submission writes into its copies."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import numpy as np
import pytest

from grader.core.changed_arguments import ChangedArguments
from grader.core.remote import SubmissionFault, WorkerSession
from grader.core.values import Limits
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


def _session(module: object) -> WorkerSession:
    return object.__getattribute__(module, "_session")


def test_a_positional_array_changed_in_place_is_known_and_the_checks_copy_is_untouched(module) -> None:
    x = np.array([[1.0, np.nan], [np.nan, 4.0]])
    y = np.array([1.0, 2.0])
    assert module.fill(x, 9.0) == "filled"
    changed = _session(module).changed_in_place
    assert changed(x) and not changed(y) and not changed(x.copy())
    assert np.array_equal(x, [[1.0, np.nan], [np.nan, 4.0]], equal_nan=True)


def test_keyword_arrays_and_a_view_are_known(module) -> None:
    base = np.arange(12, dtype=np.int64).reshape(3, 4)
    by = np.array([3], dtype=np.int64)
    view = base[:, 1:3]
    module.scale(view, by=by)
    changed = _session(module).changed_in_place
    assert changed(view) and changed(by) and not changed(base)
    assert by.tolist() == [3] and base.tolist() == np.arange(12).reshape(3, 4).tolist()


def test_an_unchanged_argument_is_not_reported(module) -> None:
    x = np.array([1.0, np.nan, 3.0])
    x.flags.writeable = False
    assert module.pure(x)[0] == 2.0
    strings = np.array(["a", "b"])
    module.pure(np.zeros(0))
    module.keep(strings)
    assert not _session(module).changed_in_place(x) and not _session(module).changed_in_place(strings)


def test_an_array_reshaped_or_resized_in_place_is_reported(module) -> None:
    for name in ("reshape", "grow"):
        x = np.zeros((2, 3))
        getattr(module, name)(x)
        assert _session(module).changed_in_place(x), name
        assert x.shape == (2, 3) and not x.any()


def test_a_call_that_raises_reports_nothing(module) -> None:
    x = np.zeros(3)
    with pytest.raises(SubmissionFault, match="after writing"):
        module.raises_after_writing(x)
    assert not _session(module).changed_in_place(x) and not x.any()


def test_only_changes_made_during_the_call_are_seen(module) -> None:
    x = np.zeros(3)
    module.keep(x)
    module.change_kept()
    assert not _session(module).changed_in_place(x) and not x.any()


def test_a_new_check_starts_with_nothing_changed(module) -> None:
    x = np.array([np.nan])
    module.fill(x)
    session = _session(module)
    assert session.changed_in_place(x)
    session.begin_check("the next check")
    try:
        assert not session.changed_in_place(x)
    finally:
        session.end_check()


@pytest.mark.parametrize("changed", [
    "not a list", [["a"]], [["a", 5]], [["k", "missing"]], [["x", 0]], [["a", "0"]], [["a", 0, "extra"]],
    [("a", 0)], [["a", True]],
])
def test_a_malformed_change_list_is_refused(changed: object) -> None:
    record = ChangedArguments()
    x = np.ones(2)
    assert record.record(changed, [x], {"X": np.ones(2)}) is False
    assert not record(np.ones(2))


def test_a_change_of_a_plain_value_is_not_an_array_changed() -> None:
    record = ChangedArguments()
    x, items = np.ones(2), [1, 2]
    assert record.record([["a", 1], ["k", "X"]], [x, items], {"X": x})
    assert record(x) and not record(items)
