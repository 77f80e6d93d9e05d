"""`judge release`: the student's bundle works with `judge check` and holds nothing secret."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.authoring.release import MIN_SECRET_LINE, release_assignment, secret_files
from grader.cli import cli
from grader.core.assignment import AssignmentSpec, find_assignments, get_assignment, load_assignment
from grader.core.grade import grade_one
from grader.core.values import Submission
from grader.sandbox.base import Sandbox

REPO = Path(__file__).resolve().parents[2]
EXERCISES = sorted(find_assignments(REPO))


def _released(tmp_path: Path, exercise: str) -> tuple[AssignmentSpec, Path]:
    spec = get_assignment(exercise, REPO)
    release = release_assignment(spec, tmp_path / "dist", make_zip=True)
    return spec, release.folder


def _substantive_lines(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return set()
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_SECRET_LINE}


@pytest.mark.parametrize("exercise", EXERCISES)
def test_release_holds_only_the_students_files(tmp_path: Path, exercise: str) -> None:
    spec, folder = _released(tmp_path, exercise)
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"README.md", "stub.py", "assignment.toml", spec.file} <= names
    assert any(n.startswith("checks/public/") for n in names)
    assert not any(n.startswith(("checks/hidden", "examples", "solutions")) or "__pycache__" in n for n in names)
    assert (folder / spec.file).read_bytes() == spec.stub.read_bytes()


@pytest.mark.parametrize("exercise", EXERCISES)
def test_no_released_file_contains_a_secret_line(tmp_path: Path, exercise: str) -> None:
    """Compare contents, not names: no line of a hidden check, the reference or an example that is
    not already in the stub or the public checks (published on purpose) appears in the release."""
    spec, folder = _released(tmp_path, exercise)
    public = _substantive_lines(spec.stub)
    for path in spec.public_checks.rglob("*.py"):
        public |= _substantive_lines(path)
    secrets = secret_files(spec)
    assert any(p.is_relative_to(spec.hidden_checks) for p in secrets) and spec.solution in secrets
    secret = set().union(*(_substantive_lines(p) for p in secrets)) - public
    assert secret, "nothing secret found: the test would prove nothing"
    for path in folder.rglob("*"):
        if path.is_file():
            leaked = _substantive_lines(path) & secret
            assert not leaked, f"{path.relative_to(folder)} leaks {sorted(leaked)[:3]}"
    # whole files too: no released file equals a secret one (the stub example is the stub itself)
    released_bytes = {p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    for path in secrets:
        if path.read_bytes() != spec.stub.read_bytes():
            assert path.read_bytes() not in released_bytes, f"{path} is released as is"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_zip_holds_the_same_files(tmp_path: Path, exercise: str) -> None:
    spec, folder = _released(tmp_path, exercise)
    with zipfile.ZipFile(tmp_path / "dist" / f"{spec.id}.zip") as bundle:
        zipped = {name: bundle.read(name) for name in bundle.namelist()}
    on_disk = {
        f"{spec.id}/{p.relative_to(folder).as_posix()}": p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }
    assert zipped == on_disk


@pytest.mark.parametrize("exercise", EXERCISES)
def test_released_folder_works_with_judge_check(tmp_path: Path, exercise: str, process_sandbox: Sandbox) -> None:
    """The stub gets 0 public points without a judge error; the reference gets all of them."""
    spec, folder = _released(tmp_path, exercise)
    released = load_assignment(folder)
    assert released.examples == () and not released.hidden_checks.exists()
    stub = grade_one(assignment=released, submission=Submission.from_path(folder / spec.file),
                     sandbox=process_sandbox, scope="public")
    assert stub.status == "ok", stub.notes
    assert stub.score == 0 and stub.max_score > 0
    reference = grade_one(assignment=released, submission=Submission.from_path(spec.solution),
                          sandbox=process_sandbox, scope="public")
    assert reference.status == "ok", reference.notes
    assert reference.score == reference.max_score > 0, [(c.name, c.message[:200]) for c in reference.checks]


def test_release_and_check_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    done = runner.invoke(cli, ["release", "recommender-svd", "-o", "dist", "--zip", "--home", str(REPO)])
    assert done.exit_code == 0, done.output
    assert (tmp_path / "dist" / "recommender-svd.zip").is_file()
    folder = tmp_path / "dist" / "recommender-svd"
    checked = runner.invoke(cli, ["check", str(folder), str(folder / "solution.py"), "--sandbox", "process"])
    assert checked.exit_code == 1, checked.output  # graded, not full marks: the stub
    again = runner.invoke(cli, ["release", "recommender-svd", "-o", "dist", "--home", str(REPO)])
    assert again.exit_code == 0, again.output  # replacing a previous release is fine


def test_release_refuses_to_overwrite_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "dist" / "recommender-svd").mkdir(parents=True)
    (tmp_path / "dist" / "recommender-svd" / "notes.txt").write_text("mine")
    done = CliRunner().invoke(cli, ["release", "recommender-svd", "-o", str(tmp_path / "dist"), "--home", str(REPO)])
    assert done.exit_code == 2
    assert (tmp_path / "dist" / "recommender-svd" / "notes.txt").read_text() == "mine"
