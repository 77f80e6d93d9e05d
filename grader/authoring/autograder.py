"""``judge export-autograder``: an exercise as a Gradescope autograder zip.

The zip holds, at its root: ``setup.sh`` and ``run_autograder`` (``grader.authoring.autograder_scripts``),
``wheels/`` with a wheel of the judge built from this checkout, ``requirements-judge.txt`` and
``requirements-runtime.txt`` (pinned, ``grader.authoring.autograder_pins``), ``exercise/<id>/``
(``assignment.toml``, the statement, the stub, ``checks/``, ``data/``; no examples, no solution),
``secret.key`` (the course secret that keys the hidden data) and ``autograder.json`` (what to grade, and
the real data sets the checks read: ``setup.sh`` fetches them into the root-only ``/opt/mljudge/data``).
In the container all of it is root-only; see ``grader.authoring.autograder_run``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.authoring.autograder_pins import (
    JUDGE_PINS,
    RUNTIME_PINS,
    TF_PIN,
    needs_tensorflow,
    pyproject_pins,
    requirement_lines,
)
from grader.authoring.autograder_scripts import run_autograder, setup_sh
from grader.core.assignment import AssignmentSpec

#: What of the checkout a wheel of the judge is built from.
PROJECT_FILES = ("pyproject.toml", "README.md")
PROJECT_PACKAGES = ("grader", "harness")
EXERCISE_PARTS = ("assignment.toml", "README.md", "stub.py", "checks", "data")
CONFIG = "autograder.json"
#: Names in a check that mean it reads a real data set (``grader.data.wheels``), by the data set's name.
DATASET_USES = {"SMS_SPAM": "sms-spam", "MNIST_5K": "mnist-5k", "load_mnist_5k": "mnist-5k", "split_mnist": "mnist-5k",
                "MOVIELENS_100K": "ml-100k", "load_movielens_100k": "ml-100k"}
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".ipynb_checkpoints")
#: Fixed time stamp of every zip member: the same inputs give the same zip.
_STAMP = (2020, 1, 1, 0, 0, 0)


class ExportError(Exception):
    """The autograder cannot be built (no wheel, a missing pin, an unusable output path)."""


@dataclass(frozen=True)
class AutograderExport:
    """What ``export_autograder`` wrote."""

    path: Path
    members: tuple[str, ...]
    wheel: str
    tensorflow: bool


def project_root() -> Path:
    """The checkout this judge runs from (it holds pyproject.toml)."""
    return Path(__file__).resolve().parents[2]


def build_wheel(project: Path, into: Path) -> Path:
    """A wheel of the judge from ``project``'s files (copied first: the checkout is left untouched)."""
    with tempfile.TemporaryDirectory(prefix="mljudge-wheel-") as tmp:
        copy = Path(tmp) / "src"
        copy.mkdir()
        for name in PROJECT_FILES:
            shutil.copy2(project / name, copy / name)
        for package in PROJECT_PACKAGES:
            shutil.copytree(project / package, copy / package, ignore=_SKIP)
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                               "--quiet", "-w", str(into), str(copy)], capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("mljudge-*.whl"))
    if done.returncode != 0 or not wheels:
        raise ExportError(f"pip wheel of {project} failed:\n{done.stderr[-2000:]}")
    return wheels[0]


def _exercise_files(assignment: AssignmentSpec) -> dict[str, Path]:
    """Member name -> file, for the exercise's folder as the container needs it."""
    files: dict[str, Path] = {}
    for part in EXERCISE_PARTS:
        source = assignment.root / part
        if source.is_file():
            files[f"exercise/{assignment.id}/{part}"] = source
        elif source.is_dir():
            for path in sorted(source.rglob("*")):
                rel = path.relative_to(assignment.root)
                if path.is_file() and not path.is_symlink() and not _skipped(rel):
                    files[f"exercise/{assignment.id}/{rel.as_posix()}"] = path
    return files


def _skipped(rel: Path) -> bool:
    return any(part in ("__pycache__", ".pytest_cache", ".ipynb_checkpoints") for part in rel.parts) or \
        rel.suffix in (".pyc", ".pyo")


def datasets_needed(checks: Path) -> tuple[str, ...]:
    """The real data sets the checks read: ``setup.sh`` fetches them, the container grades offline."""
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(checks.rglob("*.py")))
    return tuple(sorted({name for use, name in DATASET_USES.items() if re.search(rf"\b{use}\b", text)}))


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=_STAMP)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def export_autograder(assignment: AssignmentSpec, output: Path, *, secret: bytes,
                      project: Path | None = None) -> AutograderExport:
    """Write the Gradescope autograder of ``assignment`` to ``output`` (a .zip, replaced if present).
    ``secret`` is the course secret: the hidden data in the container is keyed with it."""
    project = project or project_root()
    if not (project / "pyproject.toml").is_file():
        raise ExportError(f"{project} has no pyproject.toml: export from a checkout of the judge")
    pins = pyproject_pins(project / "pyproject.toml")
    tensorflow = needs_tensorflow(assignment.preload, assignment.root / "checks")
    extra = (TF_PIN,) if tensorflow else ()
    judge_lines = requirement_lines((*JUDGE_PINS, *extra), pins)
    runtime_lines = requirement_lines((*RUNTIME_PINS, *extra), pins)
    config = {"exercise": assignment.id, "file": assignment.file, "tensorflow": tensorflow,
              "datasets": list(datasets_needed(assignment.root / "checks")), "judge_version": __version__}
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mljudge-autograder-") as tmp:
        wheel = build_wheel(project, Path(tmp))
        partial = output.with_name(f".{output.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds the secret
            with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as archive:
                _add(archive, "setup.sh", setup_sh().encode(), 0o755)
                _add(archive, "run_autograder", run_autograder().encode(), 0o755)
                _add(archive, "requirements-judge.txt", ("\n".join(judge_lines) + "\n").encode())
                _add(archive, "requirements-runtime.txt", ("\n".join(runtime_lines) + "\n").encode())
                _add(archive, CONFIG, (json.dumps(config, indent=2) + "\n").encode())
                _add(archive, "secret.key", secret, 0o600)
                _add(archive, f"wheels/{wheel.name}", wheel.read_bytes())
                for name, path in _exercise_files(assignment).items():
                    _add(archive, name, path.read_bytes())
                members = tuple(archive.namelist())
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return AutograderExport(output, members, wheel.name, tensorflow)
