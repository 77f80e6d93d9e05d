"""A grader whose environment lacks TensorFlow never blames the student: a correct Keras submission
(image-recognition) and a correct numpy one whose trusted checks need TensorFlow (optimization) get
``judge_error`` naming the package, in ``judge check``, ``judge grade FILE``, a batch and ``judge
verify`` alike.

The environment is a real virtual environment of its own: the same interpreter and the same
installed packages as the judge's (linked one by one), less TensorFlow and Keras.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO

#: The installed entries that make TensorFlow and Keras importable.
TENSORFLOW_FAMILY = ("tensorflow", "tensorflow_cpu", "tensorflow-", "keras", "tf_keras", "tensorboard")
SUBMISSIONS = {
    "image-recognition": REPO / "solutions" / "image-recognition" / "solution.py",
    "optimization": REPO / "solutions" / "optimization" / "solution.py",
}


@pytest.fixture(scope="module")
def python_without_tensorflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("no-tf") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    ours = Path(sysconfig.get_paths()["purelib"])
    theirs = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for entry in ours.iterdir():
        if not entry.name.lower().startswith(TENSORFLOW_FAMILY):
            (theirs / entry.name).symlink_to(entry)
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import numpy, sklearn, grader; import tensorflow"],
                           capture_output=True, text=True)
    assert "No module named 'tensorflow'" in probe.stderr, probe.stderr
    return python


def _judge(python: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MLJUDGE_HOME": str(REPO)}
    env.pop("MLJUDGE_DOCKER_IMAGE", None)
    return subprocess.run([str(python), "-m", "grader", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


@pytest.mark.parametrize("exercise", list(SUBMISSIONS))
@pytest.mark.parametrize("command", ["check", "grade"])
def test_a_single_file_is_a_judge_error_naming_tensorflow(python_without_tensorflow: Path, exercise: str,
                                                          command: str, tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = _judge(python_without_tensorflow, command, exercise, str(SUBMISSIONS[exercise]),
                  "--sandbox", "process", "--json", str(out))
    results = json.loads(out.read_text())
    text = json.dumps(results)
    if command == "check" and exercise == "optimization":  # its public checks need no TensorFlow
        assert results["extra_data"]["verdict"] == "passed" and results["score"] == results["max_score"], text
        return
    assert results["extra_data"]["verdict"] == "judge_error", text[:2000]
    assert results["extra_data"]["status"] == "error"
    assert "tensorflow" in text.lower() or "keras" in text.lower()
    assert done.returncode != 0, "a judge error is not a successful grading"


@pytest.mark.parametrize("exercise", list(SUBMISSIONS))
def test_a_batch_records_judge_errors_not_zeros(python_without_tensorflow: Path, exercise: str,
                                                tmp_path: Path) -> None:
    folder = tmp_path / "class"
    for student in ("ada", "bob"):
        (folder / student).mkdir(parents=True)
        shutil.copy(SUBMISSIONS[exercise], folder / student / "solution.py")
    course = tmp_path / "course"
    done = _judge(python_without_tensorflow, "grade", exercise, str(folder), "--course", str(course),
                  "--sandbox", "process", "--workers", "1")
    assert done.returncode == 3, done.stderr[-2000:]  # 3: some gradings were judge errors
    rows = sqlite3.connect(course / "gradebook.sqlite").execute("SELECT verdict, grade FROM results").fetchall()
    assert len(rows) == 2
    assert all(verdict == "judge_error" for verdict, _ in rows), rows
    assert all("tensorflow" in notes.lower() or "keras" in notes.lower() for _, notes in rows), rows


@pytest.mark.parametrize("exercise", list(SUBMISSIONS))
def test_verify_fails_naming_tensorflow(python_without_tensorflow: Path, exercise: str) -> None:
    done = _judge(python_without_tensorflow, "verify", exercise, "--sandbox", "process")
    assert done.returncode != 0
    said = (done.stdout + done.stderr).lower()
    assert "tensorflow" in said or "keras" in said, said[-2000:]
