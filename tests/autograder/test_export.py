"""The exported zip and the container-side helpers, on the host (no docker)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from grader.authoring.autograder import datasets_needed, export_autograder
from grader.authoring.autograder_lockdown import lock_down, write_results_atomically
from grader.authoring.autograder_pins import PinError, needs_tensorflow, pyproject_pins, requirement_lines
from grader.authoring.autograder_run import find_submission, missing_results
from grader.core.assignment import get_assignment
from tests.autograder.helpers import REPO

SECRET = b"a test course secret, 32 bytes.."


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    export_autograder(get_assignment("metrics", REPO), out, secret=SECRET)
    return out


def test_the_zip_holds_the_scripts_the_wheel_the_pins_and_the_exercise_only(exported: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        names = archive.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        config = json.loads(archive.read("autograder.json"))
        judge = archive.read("requirements-judge.txt").decode().split()
        runtime = archive.read("requirements-runtime.txt").decode().split()
        assert archive.read("secret.key") == SECRET
        setup = archive.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert [n for n in names if n.startswith("wheels/")] == [n for n in names if n.endswith(".whl")]
    assert any(n.startswith("wheels/mljudge-") and n.endswith(".whl") for n in names)
    assert "exercise/metrics/checks/hidden/test_hidden.py" in names
    assert "exercise/metrics/assignment.toml" in names
    assert not [n for n in names if "/examples/" in n or "solutions" in n or "__pycache__" in n]
    assert config == {"exercise": "metrics", "file": "solution.py", "tensorflow": False, "datasets": [],
                      "judge_version": config["judge_version"]}
    assert all("==" in line for line in judge + runtime)
    assert "numpy==2.4.6" in runtime and "scikit-learn==1.9.1" in runtime
    assert not [line for line in runtime if line.startswith(("pytest", "mljudge", "rich", "click"))]
    assert "pytest==9.2.0" in judge and "pyseccomp==0.1.2" in judge
    assert not [line for line in judge + runtime if line.startswith(("tensorflow", "fastapi", "nbgrader"))]
    assert "set -euo pipefail" in setup and "conda install" not in setup and "pip install" in setup


def test_the_zip_is_readable_by_its_owner_only(exported: Path) -> None:
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600  # it holds the course secret
    assert not [p for p in exported.parent.iterdir() if p.name != exported.name]  # no partial file left


def test_the_scripts_are_valid_bash(exported: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        archive.extract("setup.sh", tmp_path)
        archive.extract("run_autograder", tmp_path)
    for name in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / name)], check=True)


def test_the_wheel_holds_the_judge_and_the_harness(exported: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(exported) as archive:
        wheel = next(n for n in archive.namelist() if n.endswith(".whl"))
        archive.extract(wheel, tmp_path)
    with zipfile.ZipFile(tmp_path / wheel) as inner:
        names = set(inner.namelist())
    for module in ("grader/authoring/autograder_run.py", "grader/sandbox/process_user.py",
                   "grader/sandbox/drop_step.py", "harness/worker.py", "harness/confine.py"):
        assert module in names


def test_tensorflow_only_for_exercises_that_import_it() -> None:
    image = get_assignment("image-recognition", REPO)
    metrics = get_assignment("metrics", REPO)
    assert needs_tensorflow(image.preload, image.root / "checks")
    assert not needs_tensorflow(metrics.preload, metrics.root / "checks")


def test_the_real_data_sets_the_checks_read_are_named() -> None:
    checks = REPO / "assignments"
    assert datasets_needed(checks / "text-classification" / "checks") == ("sms-spam",)
    assert datasets_needed(checks / "recommender-movielens" / "checks") == ("ml-100k",)
    assert datasets_needed(checks / "metrics" / "checks") == ()


def test_a_pin_pyproject_lacks_is_an_error() -> None:
    with pytest.raises(PinError, match="no pin for left-pad"):
        requirement_lines(["left-pad"], pyproject_pins(REPO / "pyproject.toml"))


def test_the_submission_is_found_as_a_module_or_a_notebook(tmp_path: Path) -> None:
    assert find_submission(tmp_path, "solution.py") is None
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "solution.ipynb").write_text("{}")
    assert find_submission(tmp_path, "solution.py") == tmp_path / "deep" / "er" / "solution.ipynb"
    (tmp_path / "solution.ipynb").write_text("{}")
    assert find_submission(tmp_path, "solution.py") == tmp_path / "solution.ipynb"
    (tmp_path / "solution.py").symlink_to("/etc/passwd")
    assert find_submission(tmp_path, "solution.py") == tmp_path / "solution.ipynb"  # never a link
    (tmp_path / "solution.py").unlink()
    (tmp_path / "solution.py").write_text("x = 1\n")
    assert find_submission(tmp_path, "solution.py") == tmp_path / "solution.py"


def test_a_missing_file_says_what_was_expected_and_received(tmp_path: Path) -> None:
    (tmp_path / "answer.py").write_text("")
    results = missing_results(get_assignment("metrics", REPO), tmp_path)
    assert results["score"] == 0 and results["max_score"] == 10
    assert "solution.py" in results["output"] and "answer.py" in results["output"]


@pytest.mark.skipif(os.geteuid() != 0, reason="the container runs as root")
def test_lock_down_and_the_atomic_results(tmp_path: Path) -> None:
    source, results, victim = tmp_path / "source", tmp_path / "results", tmp_path / "victim.json"
    source.mkdir(mode=0o755)
    results.mkdir(mode=0o777)
    victim.write_text("untouched")
    (results / "results.json").symlink_to(victim)
    (tmp_path / "metadata.json").write_text("{}")
    done = lock_down(private_dirs=[source, tmp_path / "absent"], private_files=[tmp_path / "metadata.json"],
                     results_dir=results)
    assert done.private == (source, tmp_path / "metadata.json")
    assert stat.S_IMODE(source.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "metadata.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(results.stat().st_mode) == 0o755 and not (results / "results.json").exists()
    (results / "results.json").symlink_to(victim)  # planted again: the write replaces the link itself
    target = write_results_atomically({"score": 1.0}, results)
    assert not target.is_symlink() and json.loads(target.read_text()) == {"score": 1.0}
    assert victim.read_text() == "untouched"
    assert sorted(p.name for p in results.iterdir()) == ["results.json"]
