"""What ``run_autograder`` runs in the Gradescope container (as root): lock down, pick the sandbox,
grade ``/autograder/submission/<file>`` (the ``.py`` or ``.ipynb`` the exercise names), write
``/autograder/results/results.json``.

``python -m grader.authoring.autograder_run --source DIR --submission DIR --results DIR``;
``--check`` (``setup.sh``'s last step) only proves the installation can grade.
Exit status 0 when results.json was written, whatever the score.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.authoring.autograder_isolation import Isolation, choose_isolation
from grader.authoring.autograder_lockdown import lock_down, write_results_atomically
from grader.core.assignment import AssignmentSpec, load_assignment
from grader.core.grade import grade_one
from grader.core.notebook import NOTEBOOK_SUFFIX
from grader.core.values import Submission
from grader.data.wheels import CATALOGUE, fetch
from grader.outputs.gradescope import gradescope_results
from grader.sandbox import seccomp
from grader.sandbox.worker_env import HARNESS_ROOT

CONFIG = "autograder.json"
#: Gradescope's files next to the submission: metadata about the student, root's alone.
METADATA = "submission_metadata.json"


@dataclass(frozen=True)
class Source:
    """The unzipped autograder: the exercise and the course secret."""

    assignment: AssignmentSpec
    secret: bytes


def load_source(source: Path) -> Source:
    config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
    assignment = load_assignment(source / "exercise" / str(config["exercise"]))
    return Source(assignment, (source / "secret.key").read_bytes())


def find_submission(folder: Path, file: str) -> Path | None:
    """``folder/<file>`` or its notebook, else the only file of either name anywhere below (no links)."""
    names = (file, Path(file).stem + NOTEBOOK_SUFFIX)
    for name in names:
        path = folder / name
        if path.is_file() and not path.is_symlink():
            return path
    found = sorted(p for p in folder.rglob("*") if p.name in names and p.is_file() and not p.is_symlink())
    return found[0] if len(found) == 1 else None


def missing_results(assignment: AssignmentSpec, folder: Path) -> dict[str, Any]:
    """results.json when the file to grade is not in the submission."""
    present = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())[:20]
    stem = Path(assignment.file).stem
    text = (f"No {assignment.file} (or {stem}{NOTEBOOK_SUFFIX}) in your submission, so nothing was graded. "
            f"Files received: {', '.join(present) if present else 'none'}. Submit a file named {assignment.file} "
            f"or {stem}{NOTEBOOK_SUFFIX}.")
    return {"score": 0.0, "max_score": assignment.points, "output": text, "output_format": "text",
            "visibility": "visible", "stdout_visibility": "hidden", "tests": [],
            "extra_data": {"exercise": assignment.id, "status": "missing_file"}}


def failure_results(what: str) -> dict[str, Any]:
    """results.json when the judge itself failed (details go to stderr, for the instructor)."""
    return {"score": 0.0, "output": f"The autograder itself failed ({what}): this is not a grade. "
                                    "Please tell your instructor.", "stdout_visibility": "hidden", "tests": [],
            "extra_data": {"status": "error"}}


def with_isolation(results: dict[str, Any], isolation: Isolation) -> dict[str, Any]:
    """``results`` with the isolation on the summary's first line and in ``extra_data``."""
    line = f"Isolation: {isolation.backend} — {isolation.description}."
    extra = {**results.get("extra_data", {}), "isolation": {
        "backend": isolation.backend, "description": isolation.description,
        "user_namespaces": isolation.user_namespaces, "cgroups": isolation.cgroups}}
    return {**results, "output": line + "\n" + str(results.get("output", "")), "extra_data": extra}


def grade(source: Path, submission_dir: Path, results_dir: Path) -> dict[str, Any]:
    """Lock down, grade, and return results.json's content (never raises for the submission's doing)."""
    loaded = load_source(source)
    assignment = loaded.assignment
    autograder = source.parent
    judge = () if (HARNESS_ROOT / ".git").exists() else (HARNESS_ROOT,)  # never a developer's checkout
    data = (Path(os.environ["MLJUDGE_DATA"]),) if os.environ.get("MLJUDGE_DATA") else ()
    lock_down(private_dirs=(source, *judge, *data, submission_dir),
              private_files=(autograder / METADATA, autograder / "run_autograder"),
              results_dir=results_dir, open_dirs=(autograder,))
    path = find_submission(submission_dir, assignment.file)
    if path is None:
        return missing_results(assignment, submission_dir)
    isolation, lease = choose_isolation(assignment.limits.processes)
    try:
        result = grade_one(assignment=assignment, submission=Submission.from_path(path), sandbox=isolation.sandbox,
                           scope="all", secret=loaded.secret)
    finally:
        if lease is not None:
            lease.release()
    return with_isolation(gradescope_results(result), isolation)


def check(source: Path) -> None:
    """The installation can grade: the exercise loads, the filter builds, the runtime imports what it must,
    and the real data sets the checks read are fetched (``$MLJUDGE_DATA``: grading runs offline)."""
    loaded = load_source(source)
    config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
    for name in config.get("datasets", []):
        print(f"data set {name}: {fetch(CATALOGUE[str(name)])}")
    seccomp.bpf_program(seccomp.LOCAL_SOCKETS_ONLY)
    seccomp.bpf_program()
    modules = ["numpy", *loaded.assignment.preload]
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    subprocess.run([sys.executable, "-I", "-c", code, *modules], check=True, timeout=300)
    print(f"mljudge autograder for {loaded.assignment.id}: ready (runtime {sys.executable})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_autograder")
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--submission", type=Path, default=Path("/autograder/submission"))
    parser.add_argument("--results", type=Path, default=Path("/autograder/results"))
    parser.add_argument("--check", action="store_true", help="only check the installation (setup.sh)")
    args = parser.parse_args(argv)
    if args.check:
        check(args.source)
        return 0
    started = time.monotonic()
    try:
        results = grade(args.source, args.submission, args.results)
    except Exception as exc:
        traceback.print_exc()
        results = failure_results(type(exc).__name__)
        args.results.mkdir(parents=True, exist_ok=True)
    results.setdefault("execution_time", round(time.monotonic() - started, 3))
    write_results_atomically(results, args.results)
    print(f"results written to {args.results / 'results.json'}: {results.get('score')} / {results.get('max_score')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
