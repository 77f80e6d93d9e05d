"""The instructor's "where" text is pytest's short traceback style for the check's own frames, made
without pytest's formatter: the same text, frame for frame, for the shapes failures take."""

from __future__ import annotations

import importlib.util
import os
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from grader.core.failure_where import own_frames, where_text

CHECKS = '''
import numpy as np


def helper(value):
    assert value == 3, f"expected 3, got {value}"


def nested(call):
    return call(2) + 1


def test_assertion_in_a_helper():
    helper(2)


def test_raised_in_code_outside_the_checks(fail):
    total = nested(fail)
    return total


def test_marks_under_part_of_a_line():
    é = {"clé": 1}
    return é["clé"] + np.asarray([1, 2]).reshape(3)


def test_statement_over_several_lines():
    assert np.allclose(
        np.ones(2),
        np.zeros(2),
    ), "not close"
'''


def _load(folder: Path) -> ModuleType:
    path = folder / "checks" / "test_where.py"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(CHECKS))
    spec = importlib.util.spec_from_file_location("test_where_checks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outside(value: int) -> int:  # lives in this test file: not one of the checks' frames
    raise ValueError(f"cannot use {value}")


@pytest.mark.parametrize("name", ["test_assertion_in_a_helper", "test_raised_in_code_outside_the_checks",
                                  "test_marks_under_part_of_a_line", "test_statement_over_several_lines"])
def test_the_same_text_as_pytests_short_style(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _load(tmp_path)
    monkeypatch.chdir(tmp_path)  # paths are shown relative to the working directory, as pytest does
    function = getattr(module, name)
    with pytest.raises(Exception) as excinfo:
        function(_outside) if "outside" in name else function()
    root = tmp_path / "checks"
    own = own_frames(excinfo.tb, root)
    assert own and all(os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(str(root)) for tb in own)
    theirs = [entry for entry in excinfo.traceback if Path(str(entry.path)).is_relative_to(root)]
    expected = str(excinfo.getrepr(style="short", funcargs=False, showlocals=False, chain=False,
                                   tbfilter=lambda _info: type(excinfo.traceback)(theirs)))
    assert where_text(excinfo, own) == expected.rstrip("\n")


def test_no_frame_of_the_checks_is_no_frame(tmp_path: Path) -> None:
    with pytest.raises(ValueError) as excinfo:
        _outside(1)
    assert own_frames(excinfo.tb, tmp_path) == []
