"""Jupyter notebooks: submissions converted on the trusted side, notebook releases, stubs generated
with nbgrader's ClearSolutions, and the export into an nbgrader gradebook."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import json
import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook as NbGradebook
from nbgrader.preprocessors import ClearSolutions

from grader.authoring.release import release_assignment
from grader.authoring.stubs import generated_stub, stub_text
from grader.authoring.verify import verify_assignment
from grader.core.assignment import AssignmentSpec, find_assignments, get_assignment
from grader.core.grade import grade_one
from grader.core.notebook import convert
from grader.core.values import Grade, Submission, Verdict
from grader.course.discover import from_folder
from grader.course.gradebook import Gradebook, LatePolicy
from grader.data.wheels import MNIST_5K, MOVIELENS_100K, SMS_SPAM, DataUnavailable, fetch
from grader.outputs.nbgrader import export_nbgrader, grade_cell_name
from grader.sandbox.base import Sandbox

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = sorted(find_assignments(REPO))
NEEDS_DATA = {"text-classification": SMS_SPAM, "image-recognition": MNIST_5K, "model-compression": MNIST_5K,
              "recommender-movielens": MOVIELENS_100K}
NEEDS_TENSORFLOW = {"image-recognition", "optimization"}


def _complete(exercise: str) -> AssignmentSpec:
    folder = REPO / "assignments" / exercise
    if not (folder / "assignment.toml").is_file() or not (REPO / "solutions" / exercise).is_dir():
        pytest.skip(f"{exercise}: exercise folder incomplete")
    if exercise in NEEDS_TENSORFLOW and importlib.util.find_spec("tensorflow") is None:
        if os.environ.get("CI") == "true":
            raise AssertionError("tensorflow must be installed in CI (the tf extra)")
        pytest.skip(f"{exercise}: tensorflow is not installed")
    if exercise in NEEDS_DATA:
        try:
            fetch(NEEDS_DATA[exercise])
        except DataUnavailable as exc:
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"{exercise}: data set unavailable here: {exc}")
    return get_assignment(exercise, REPO)


def as_notebook(source: str) -> nbformat.NotebookNode:
    """A notebook a student might hand in: markdown, magics, the code split over cells, a display."""
    tree = ast.parse(source)
    lines = source.splitlines()
    starts = [0] + [min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) - 1
                    for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    starts = sorted(set(starts))
    chunks = ["\n".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    v4 = nbformat.v4
    cells = [v4.new_markdown_cell("# My solution"), v4.new_code_cell("%matplotlib inline\n!pip list")]
    cells += [v4.new_code_cell(chunk) for chunk in chunks if chunk.strip()]
    cells.append(v4.new_code_cell("display('done')\n1 + 1"))
    nb = v4.new_notebook(cells=cells)
    nbformat.validate(nb)
    return nb


def _write(nb: nbformat.NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def _grade(assignment: AssignmentSpec, path: Path, sandbox: Sandbox, scope: str = "all") -> Grade:
    return grade_one(assignment=assignment, submission=Submission.from_path(path), sandbox=sandbox, scope=scope)


@pytest.mark.slow
@pytest.mark.parametrize("exercise", CATALOGUE)
def test_reference_as_notebook_scores_as_the_py(exercise: str, process_sandbox: Sandbox, tmp_path: Path) -> None:
    assignment = _complete(exercise)
    notebook = _write(as_notebook(assignment.solution.read_text(encoding="utf-8")), tmp_path / "solution.ipynb")
    as_py = _grade(assignment, assignment.solution, process_sandbox)
    as_nb = _grade(assignment, notebook, process_sandbox)
    assert as_py.verdict is Verdict.PASSED
    assert (as_nb.status, as_nb.verdict, as_nb.score) == (as_py.status, as_py.verdict, as_py.score)
    assert [c.points_earned for c in as_nb.checks] == [c.points_earned for c in as_py.checks]
    assert any("'%matplotlib inline' dropped" in n for n in as_nb.notes)
    assert any("'!pip list' dropped" in n for n in as_nb.notes)
    assert as_nb.submission_sha256 == Submission.from_path(notebook).sha256  # the notebook's own hash


def test_traceback_points_at_the_cell(recommender: AssignmentSpec, process_sandbox: Sandbox, tmp_path: Path) -> None:
    source = recommender.solution.read_text(encoding="utf-8").replace(
        "    u, s, vt = np.linalg.svd(R, full_matrices=False)", "    u, s, vt = 1 / 0")
    nb = as_notebook(source)
    path = _write(nb, tmp_path / "solution.ipynb")
    grade = _grade(recommender, path, process_sandbox)
    cell = next(i for i, c in enumerate(nb.cells, 1) if "1 / 0" in c.source)
    line = nb.cells[cell - 1].source.splitlines().index("    u, s, vt = 1 / 0") + 1
    messages = "\n".join(c.message for c in grade.checks)
    assert f'File "notebook", cell {cell}, line {line}' in messages
    assert "solution.py\", line" not in messages


def test_syntax_error_points_at_the_cell(recommender: AssignmentSpec, process_sandbox: Sandbox,
                                         tmp_path: Path) -> None:
    nb = as_notebook(recommender.solution.read_text(encoding="utf-8"))
    nb.cells.insert(3, nbformat.v4.new_code_cell("x = 1\ndef broken(:\n    pass"))
    grade = _grade(recommender, _write(nb, tmp_path / "solution.ipynb"), process_sandbox)
    assert grade.verdict is Verdict.SYNTAX_ERROR and grade.score == 0
    assert any("cell 4, line 2" in n for n in grade.notes), grade.notes


def _raw_notebook(**extra: object) -> dict[str, object]:
    raw = json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])))
    raw.update(extra)
    return raw


BAD_INPUTS = {
    "invalid-json": (b'{"cells": [', "not valid JSON"),
    "another-major-version": (json.dumps(_raw_notebook(nbformat=3, nbformat_minor=0)).encode(), "format version 3"),
    "no-code-cells": (nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("only words")])).encode(), "no code cells"),
    "not-utf8": (b'{"cells": [], "nbformat": 4, "note": "\xff\xfe"}', "not UTF-8"),
    "schema-invalid": (json.dumps(_raw_notebook(cells=[{"cell_type": "code"}])).encode(), "nbformat 4 schema"),
    "json-not-a-notebook": (b"[1, 2, 3]", "not a Jupyter notebook"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_notebook_gets_a_verdict(case: str, recommender: AssignmentSpec, process_sandbox: Sandbox,
                                     tmp_path: Path) -> None:
    data, message = BAD_INPUTS[case]
    path = tmp_path / "solution.ipynb"
    path.write_bytes(data)
    grade = _grade(recommender, path, process_sandbox)
    assert grade.status == "ok" and grade.verdict is Verdict.SYNTAX_ERROR and grade.score == 0
    assert any(message in n for n in grade.notes), grade.notes
    assert grade.resources.workers_started == 0  # nothing ran


def test_huge_output_blob_is_refused_unread(recommender: AssignmentSpec, process_sandbox: Sandbox,
                                            tmp_path: Path) -> None:
    nb = as_notebook(recommender.solution.read_text(encoding="utf-8"))
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * (100 * 2**20))]
    path = _write(nb, tmp_path / "solution.ipynb")
    assert path.stat().st_size > 100 * 2**20
    grade = _grade(recommender, path, process_sandbox)
    assert grade.verdict is Verdict.SYNTAX_ERROR and grade.score == 0
    assert any("clear its outputs" in n for n in grade.notes), grade.notes


def test_outputs_are_ignored_and_valid_magic_free_cells_kept_verbatim() -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("s = '''\n%not a magic\n'''")])
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "x"}, execution_count=1)]
    converted = convert(nbformat.writes(nb).encode())
    assert "%not a magic" in converted.source and not converted.notes


def test_discovery_accepts_notebooks(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "solution.ipynb").write_text("{}")
    (tmp_path / "alice" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "alice" / ".ipynb_checkpoints" / "solution-checkpoint.ipynb").write_text("{}")
    (tmp_path / "bob.ipynb").write_text("{}")
    found = from_folder(tmp_path, "solution.py")
    assert sorted((f.student, f.path.name) for f in found.submissions) == [
        ("alice", "solution.ipynb"), ("bob", "bob.ipynb")]


def test_released_notebook_validates_and_its_stub_scores_zero(process_sandbox: Sandbox, tmp_path: Path) -> None:
    assignment = get_assignment("recommender-svd", REPO)
    released = release_assignment(assignment, tmp_path / "dist", notebook=True)
    path = released.folder / "solution.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    meta = [c.metadata["nbgrader"] for c in nb.cells]
    assert all({"grade_id", "solution", "grade", "locked", "schema_version"} <= set(m) for m in meta)
    assert len({m["grade_id"] for m in meta}) == len(meta)
    assert any(m["solution"] for m in meta) and nb.cells[-1].source.endswith("!judge check . solution.ipynb")
    released_spec = get_assignment(str(released.folder))
    public = _grade(released_spec, path, process_sandbox, scope="public")
    assert public.status == "ok" and public.score == 0
    grade = _grade(assignment, path, process_sandbox)
    assert grade.status == "ok" and grade.score == 0


def _mark_solution(source: str) -> str:
    """Wrap every function body (after its docstring) in nbgrader's solution markers."""
    lines = source.splitlines()
    spans = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            if body:
                spans.append((body[0].lineno - 1, body[-1].end_lineno or body[-1].lineno, body[0].col_offset))
    for first, last, col in sorted(spans, reverse=True):
        lines[last:last] = [" " * col + "### END SOLUTION"]
        lines[first:first] = [" " * col + "### BEGIN SOLUTION"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def marked_exercise(exercise_copy: Path) -> AssignmentSpec:
    (exercise_copy / "stub.py").unlink()
    solution = exercise_copy.parents[1] / "solutions" / "recommender-svd" / "solution.py"
    solution.write_text(_mark_solution(solution.read_text(encoding="utf-8")), encoding="utf-8")
    return get_assignment(str(exercise_copy))


def test_generated_stub_is_what_nbgrader_makes(marked_exercise: AssignmentSpec) -> None:
    text = marked_exercise.solution.read_text(encoding="utf-8")
    kernel = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": kernel})
    nb.cells.append(nbformat.v4.new_code_cell(text, metadata={"nbgrader": {
        "solution": True, "grade": False, "locked": False, "grade_id": "x", "schema_version": 3}}))
    expected = ClearSolutions().preprocess(nb, {})[0].cells[0].source
    assert generated_stub(marked_exercise) == expected == stub_text(marked_exercise)
    assert "raise NotImplementedError()" in expected and "BEGIN SOLUTION" not in expected


@pytest.mark.slow
def test_verify_checks_the_generated_stub(marked_exercise: AssignmentSpec, process_sandbox: Sandbox,
                                          tmp_path: Path) -> None:
    report = verify_assignment(marked_exercise, process_sandbox, repeats=1)
    names = [o.case.name for o in report.outcomes]
    assert "stub (generated from the reference)" in names and "stub" not in names
    assert report.ok, report.failures
    released = release_assignment(marked_exercise, tmp_path / "dist", notebook=True)
    assert (released.folder / "stub.py").read_text(encoding="utf-8") == generated_stub(marked_exercise)


def test_nbgrader_export_reads_back(recommender: AssignmentSpec, process_sandbox: Sandbox, tmp_path: Path) -> None:
    book = Gradebook(f"sqlite:///{tmp_path / 'judge.sqlite'}", tmp_path / "files")
    nb_path = _write(as_notebook(recommender.solution.read_text(encoding="utf-8")), tmp_path / "solution.ipynb")
    when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    book.ensure_exercise(recommender.id, title=recommender.title, checks_hash="h", points=recommender.points)
    for student, path in (("alice", nb_path), ("bob", recommender.stub)):
        sub = Submission.from_path(path)
        key = book.add_submission(exercise=recommender.id, student=student, sha256=sub.sha256, submitted_at=when,
                                  source=path)
        book.record(key, "h", _grade(recommender, path, process_sandbox), LatePolicy())
    records = book.records(recommender.id)
    book.close()
    db = tmp_path / "nbgrader" / "gradebook.db"
    for _ in range(2):  # exporting again replaces, never duplicates
        export_nbgrader(records, db, exercise=recommender.id, notebook="solution")
    with NbGradebook(f"sqlite:///{db}") as gb:
        assert sorted(s.id for s in gb.students) == ["alice", "bob"]
        for record in records:
            submission = gb.find_submission(recommender.id, record.student)
            assert submission.score == pytest.approx(record.grade.score)
            assert submission.max_score == pytest.approx(record.grade.max_score)
            for check in record.grade.checks:
                grade = gb.find_grade(grade_cell_name(check.id), "solution", recommender.id, record.student)
                assert grade.score == pytest.approx(check.points_earned)
    assert {r.student: r.grade.score for r in records} == {"alice": recommender.points, "bob": 0.0}


def test_cli_grades_a_notebook_and_submit_keeps_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from grader.cli import cli

    assignment = get_assignment("metrics", REPO)
    path = _write(as_notebook(assignment.solution.read_text(encoding="utf-8")), tmp_path / "mine.ipynb")
    result = CliRunner().invoke(cli, ["check", "metrics", str(path), "--sandbox", "process", "--home", str(REPO)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["submit", "metrics", str(path), "--student", "alice",
                                      "--course", str(tmp_path / "course"), "--home", str(REPO)])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "course").rglob("*.ipynb")] == ["solution.ipynb"]
    shutil.rmtree(tmp_path / "course")
