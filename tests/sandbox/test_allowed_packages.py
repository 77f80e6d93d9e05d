"""An exercise's ``allowed`` packages are the only ones a submission can import, on every isolating
backend: a forbidden package is not on the sandbox's file system at all (no ``sys.path`` trick or
import by file path reaches it), and the student is told which rule the import broke."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core.allowed import forbidden_import
from grader.core.assignment import get_assignment
from grader.core.grade import grade_one
from grader.core.remote import SubmissionFault, WorkerSession
from grader.core.values import Limits, Submission, Verdict
from grader.sandbox import get_sandbox
from grader.sandbox.base import WorkerSpec
from grader.sandbox.bwrap import BwrapSandbox
from grader.sandbox.docker import DockerSandbox
from grader.sandbox.warm import WarmBwrapSandbox

REPO = Path(__file__).resolve().parents[2]

AVAILABLE = {
    "bwrap": BwrapSandbox.available() and BwrapSandbox.cgroups_available(),
    "bwrap-warm": WarmBwrapSandbox.available(),
    "docker": DockerSandbox.available(),
}


@pytest.fixture(params=list(AVAILABLE), scope="module")
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    if not AVAILABLE[request.param]:
        pytest.skip(f"{request.param} cannot run here")
    yield request.param
    if request.param == "bwrap-warm":
        WarmBwrapSandbox.close_all()


def _call(backend: str, tmp_path: Path, source: str, allowed: tuple[str, ...] | None) -> object:
    path = tmp_path / "submission.py"
    path.write_text(textwrap.dedent(source) if source.startswith("\n ") else source)
    session = WorkerSession(get_sandbox(backend), WorkerSpec(path, "solution", ("f",), Limits(), (), allowed))
    try:
        return session.module().f()
    finally:
        session.close()


def _refused(backend: str, tmp_path: Path, source: str, allowed: tuple[str, ...]) -> str:
    with pytest.raises(SubmissionFault) as caught:
        _call(backend, tmp_path, source, allowed)
    return str(caught.value)


def test_a_forbidden_import_fails_with_the_rule(backend: str, tmp_path: Path) -> None:
    message = _refused(backend, tmp_path, "import sklearn\ndef f():\n    return 1\n", ("numpy",))
    assert "'sklearn' is not allowed in this exercise" in message
    assert "standard library and numpy only" in message


def test_a_forbidden_import_inside_a_call_names_the_rule_too(backend: str, tmp_path: Path) -> None:
    source = "def f():\n    from scipy import linalg\n    return linalg.norm([3, 4])\n"
    message = _refused(backend, tmp_path, source, ("numpy",))
    assert "'scipy' is not allowed" in message


#: Looks through the file system for folders by name (skipping the pseudo file systems).
FIND = """
import os
def find(names):
    hits = []
    for root in ("/usr", "/opt", "/root", "/work", "/home", "/var", "/srv", "/tmp", "/lib"):
        for folder, subfolders, _ in os.walk(root):
            hits += [os.path.join(folder, name) for name in subfolders if name in names]
            subfolders[:] = [name for name in subfolders if name not in ("share", "include", "locale")]
    return hits
"""

TRICKS = {
    "path": FIND + """
def f():
    import sys
    sys.path[:0] = find({"site-packages", "dist-packages"})
    import sklearn
    return sklearn.__version__
""",
    "file": FIND + """
def f():
    import importlib.util
    found = [p + "/__init__.py" for p in find({"sklearn", "scipy"}) if os.path.isfile(p + "/__init__.py")]
    for path in found:
        spec = importlib.util.spec_from_file_location("stolen", path)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    return found
""",
    "shared-library": FIND + """
def f():
    import ctypes
    libs = [os.path.join(folder, name) for top in find({"scipy.libs", "scikit_learn.libs", "scipy"})
            for folder, _, names in os.walk(top) for name in names if ".so" in name]
    for lib in libs:
        ctypes.CDLL(lib)
    return libs
""",
}


@pytest.mark.parametrize("trick", list(TRICKS))
def test_forbidden_packages_are_not_on_the_file_system(backend: str, tmp_path: Path, trick: str) -> None:
    try:
        found = _call(backend, tmp_path, TRICKS[trick], ("numpy",))
    except SubmissionFault as fault:
        assert "sklearn" in str(fault) or "scipy" in str(fault)
    else:
        assert found == [], f"{trick}: {found!r}"


def test_only_the_allowed_distributions_are_listed(backend: str, tmp_path: Path) -> None:
    source = """
        import os, site, sys
        def f():
            seen = set()
            for folder in [*site.getsitepackages(), "/usr/lib/python3/dist-packages"]:
                if os.path.isdir(folder):
                    seen |= {name.split("-")[0].split(".")[0].lower() for name in os.listdir(folder)}
            import numpy
            return sorted(seen)
        """
    seen = _call(backend, tmp_path, source, ("numpy",))
    assert isinstance(seen, list) and "numpy" in seen
    assert not {"sklearn", "scipy", "scikit_learn", "pip", "tensorflow", "keras", "apt"} & set(seen), seen


def test_an_allowed_package_and_what_it_needs_import(backend: str, tmp_path: Path) -> None:
    source = """
        def f():
            from sklearn.linear_model import LogisticRegression
            import scipy.sparse
            return type(LogisticRegression()).__name__
        """
    assert _call(backend, tmp_path, source, ("numpy", "sklearn")) == "LogisticRegression"


def test_no_allowed_list_leaves_the_environment_as_it_is(backend: str, tmp_path: Path) -> None:
    assert _call(backend, tmp_path, "def f():\n    import sklearn\n    return 7\n", None) == 7


@pytest.mark.parametrize("source", ["import sklearn\ndef f():\n    return 1\n",
                                    "def f():\n    from scipy import linalg\n    return 1\n"])
def test_the_process_backend_refuses_the_same_imports(tmp_path: Path, source: str) -> None:
    """Where nothing can be hidden (a student's own machine), an import guard gives the same answer
    as the isolating sandboxes, so that ``judge check`` at home says what the grader will say."""
    with pytest.raises(SubmissionFault, match="is not allowed in this exercise"):
        _call("process", tmp_path, source, ("numpy",))
    allowed = "def f():\n    from sklearn.linear_model import Ridge\n    import json, numpy\n    return 2\n"
    assert _call("process", tmp_path, allowed, ("numpy", "sklearn")) == 2


def test_a_sklearn_wrapper_gets_nothing_in_a_numpy_only_exercise(tmp_path: Path) -> None:
    if not AVAILABLE["bwrap"]:
        pytest.skip("bwrap cannot run here")
    wrapper = tmp_path / "solution.py"
    wrapper.write_text(textwrap.dedent("""
        from sklearn import metrics as m
        def accuracy(y_true, y_pred): return float(m.accuracy_score(y_true, y_pred))
        def precision(y_true, y_pred, positive=1): return float(m.precision_score(y_true, y_pred, pos_label=positive))
        def recall(y_true, y_pred, positive=1): return float(m.recall_score(y_true, y_pred, pos_label=positive))
        def f1(y_true, y_pred, positive=1): return float(m.f1_score(y_true, y_pred, pos_label=positive))
        def confusion_matrix(y_true, y_pred, n_classes=None): return m.confusion_matrix(y_true, y_pred)
        """))
    assignment = get_assignment("metrics", REPO)
    assert assignment.allowed == ("numpy",)
    grade = grade_one(assignment=assignment, submission=Submission(wrapper, "0" * 64, "s"),
                      sandbox=get_sandbox("bwrap"), scope="all")
    assert grade.score == 0 and grade.verdict is Verdict.CRASHED
    assert any("'sklearn' is not allowed in this exercise" in check.message for check in grade.checks)


@pytest.mark.parametrize(("type_name", "message", "allowed", "expected"), [
    ("ModuleNotFoundError", "No module named 'sklearn'", ("numpy",), "'sklearn' is not allowed"),
    ("ModuleNotFoundError", "No module named 'sklearn.metrics'", ("numpy",), "'sklearn' is not allowed"),
    ("ModuleNotFoundError", "No module named 'sklearn.metricz'", ("numpy", "sklearn"), None),
    ("ModuleNotFoundError", "No module named 'tkinter'", ("numpy",), None),  # standard library, not installed
    ("ModuleNotFoundError", "No module named 'sklearn'", None, None),  # no rule: really missing
    ("ValueError", "No module named 'sklearn'", ("numpy",), None),
])
def test_the_rule_is_named_only_for_a_module_outside_the_allowed_ones(
        type_name: str, message: str, allowed: tuple[str, ...] | None, expected: str | None) -> None:
    note = forbidden_import(type_name, message, allowed)
    assert (note is None) if expected is None else (note is not None and expected in note)
