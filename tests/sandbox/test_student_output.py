"""What the submission printed is what the student's code printed: a library's own callable the
checks call (a Keras model's ``predict``) and the start-up logs of preloaded libraries are kept out
of it, on the cold and the warm sandbox alike."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.remote import WorkerSession
from grader.core.values import Limits, Submission
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.warm import WarmBwrapSandbox

REPO = Path(__file__).resolve().parents[2]
AVAILABLE = {"bwrap": BwrapSandbox.available() and BwrapSandbox.cgroups_available(),
             "bwrap-warm": WarmBwrapSandbox.available()}

SOURCE = """
import sys
import textwrap

def f():
    print("the student's own line")
    return 1

class Model:
    def predict(self):
        print("the student's predict")
        return 2

def library_printer():
    return print            # a library's callable: what it prints when the checks call it is not the student's

def library_object():
    return textwrap.TextWrapper(width=5)
"""


@pytest.fixture(params=list(AVAILABLE), scope="module")
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    if not AVAILABLE[request.param]:
        pytest.skip(f"{request.param} cannot run here")
    yield request.param
    if request.param == "bwrap-warm":
        WarmBwrapSandbox.close_all()


def test_only_the_students_own_code_is_shown_as_printed(backend: str, tmp_path: Path) -> None:
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(SOURCE))
    names = ("f", "Model", "library_printer", "library_object")
    session = WorkerSession(get_sandbox(backend), WorkerSpec(path, "solution", names, Limits()))
    try:
        module = session.module()
        assert module.f() == 1
        assert module.Model().predict() == 2
        module.library_printer()("the library's progress bar\r[=====>    ]\x1b[0m")
        assert module.library_object().fill("a b c d") == "a b c\nd"
    finally:
        session.close()
    printed = "".join(run.output for run in session.exits)
    assert "the student's own line" in printed and "the student's predict" in printed
    assert "progress bar" not in printed and "\x1b" not in printed


@pytest.mark.slow
def test_a_keras_submission_that_prints_nothing_shows_nothing_printed() -> None:
    if not AVAILABLE["bwrap"]:
        pytest.skip("bwrap cannot run here")
    grade = grade_one(assignment=get_assignment("image-recognition", REPO),
                      submission=Submission.from_path(REPO / "solutions" / "image-recognition" / "solution.py"),
                      sandbox=get_sandbox("bwrap"), scope="all")
    assert grade.score == grade.max_score
    assert grade.output == "", grade.output[:2000]  # no TensorFlow start-up log, no predict progress bar
