"""Warm workers against cold workers against the naive way, side by side in one run (issue 7).

For each exercise, the same 20 mixed submissions (12 correct = the reference, 4 wrong = examples
that fail checks, 2 raising = the ``raises`` example or the stub, 2 syntax errors = the reference
with a broken line) are graded by:

  (a) naive: a fresh ``python -m pytest`` process per submission, the checks and the submission in
      one process (``bench/naive/conftest.py``: ``submission`` is the imported module);
  (b) this judge, cold workers: ``grade_one`` in this (warm, trusted) process, ``bwrap`` sandbox;
  (c) this judge, warm workers: ``grade_one`` with the ``bwrap-warm`` sandbox, the exercise's heavy
      imports (``preload`` in its assignment.toml) preloaded once per pool.

Modes are interleaved submission by submission (drift hits them alike); one untimed grade per
mode first (pytest, data downloads, the zygote's start — reported apart). Prints the median
seconds per submission, the ratios a/c and b/c, and for every judge mode its overhead: the
per-submission time minus the student's own time measured inside the worker
(``Grade.resources.student_seconds``).

Run: ``.venv/bin/python bench/warm.py`` (both exercises), or e.g.
``.venv/bin/python bench/warm.py --exercise recommender-svd --count 20``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.core.assignment import AssignmentSpec, get_assignment  # noqa: E402
from grader.core.grade import grade_one  # noqa: E402
from grader.core.values import Submission  # noqa: E402
from grader.sandbox import get_sandbox  # noqa: E402
from grader.sandbox.warm import WarmBwrapSandbox  # noqa: E402

NAIVE = REPO / "bench" / "naive"
DEFAULT_EXERCISES = ("recommender-svd", "image-recognition")
MIX = (("correct", 12), ("wrong", 4), ("raising", 2), ("syntax", 2))


def submissions(assignment: AssignmentSpec, folder: Path) -> list[tuple[str, Path]]:
    """The 20 mixed submissions, written under ``folder`` (each its own file)."""
    reference = assignment.solution.read_text()
    failing = [e.path for e in assignment.examples if e.verdict is not None and e.verdict.value == "failed"
               and e.name != "raises"]
    raises = [e.path for e in assignment.examples if e.name == "raises"] or [assignment.stub]
    sources = {
        "correct": [reference + f"\n# copy {i}\n" for i in range(12)],
        "wrong": [failing[i % len(failing)].read_text() if failing else assignment.stub.read_text() for i in range(4)],
        "raising": [raises[i % len(raises)].read_text() for i in range(2)],
        "syntax": [reference + f"\n\ndef broken_{i}(:\n    pass\n" for i in range(2)],
    }
    out = []
    for kind, count in MIX:
        for i in range(count):
            path = folder / f"{kind}-{i}" / assignment.file
            path.parent.mkdir(parents=True)
            path.write_text(sources[kind][i])
            out.append((kind, path))
    return out


def naive_seconds(assignment: AssignmentSpec, path: Path) -> float:
    checks = [str(assignment.public_checks)]
    if assignment.hidden_checks.is_dir():
        checks.append(str(assignment.hidden_checks))
    env = {**os.environ, "NAIVE_SUBMISSION": str(path), "NAIVE_EXERCISE": assignment.id,
           "NAIVE_ROOT": str(assignment.root), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", "-c", os.devnull,
            f"--rootdir={assignment.root}", "--import-mode=importlib", "-o", "python_files=test_*.py", *checks]
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=NAIVE, env=env, capture_output=True, timeout=900, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some checks failed (wrong submissions)
        raise SystemExit(f"naive pytest exited {done.returncode}:\n{done.stdout.decode()[-3000:]}")
    return elapsed


def judge(assignment: AssignmentSpec, path: Path, backend: str) -> tuple[float, float, str]:
    started = time.perf_counter()
    grade = grade_one(assignment=assignment, submission=Submission.from_path(path), sandbox=get_sandbox(backend))
    elapsed = time.perf_counter() - started
    if grade.status != "ok":
        raise SystemExit(f"{backend}: judge error on {path}: {grade.notes}")
    return elapsed, grade.resources.student_seconds, f"{grade.verdict.value} {grade.score:g}"


def bench(exercise: str, count: int) -> None:
    assignment = get_assignment(exercise, REPO)  # warm workers preload what its [limits] preload lists
    with tempfile.TemporaryDirectory(prefix="mljudge-bench-") as tmp:
        subs = submissions(assignment, Path(tmp))
        if count < len(subs):  # keep the mix: every n-th submission
            subs = subs[:: max(1, len(subs) // count)][:count]
        first = subs[0][1]
        started = time.perf_counter()
        judge(assignment, first, "bwrap-warm")
        zygote_start = time.perf_counter() - started
        judge(assignment, first, "bwrap")
        naive_seconds(assignment, first)
        times: dict[str, list[float]] = {"naive": [], "cold": [], "warm": []}
        student: dict[str, list[float]] = {"cold": [], "warm": []}
        mismatches = []
        for kind, path in subs:
            times["naive"].append(naive_seconds(assignment, path))
            seconds, own, cold_result = judge(assignment, path, "bwrap")
            times["cold"].append(seconds)
            student["cold"].append(own)
            seconds, own, warm_result = judge(assignment, path, "bwrap-warm")
            times["warm"].append(seconds)
            student["warm"].append(own)
            if cold_result != warm_result:
                mismatches.append(f"{kind} {path.parent.name}: cold {cold_result}, warm {warm_result}")
            print(f"  {exercise} {path.parent.name:10} naive {times['naive'][-1]:6.2f} s"
                  f"  cold {times['cold'][-1]:6.2f} s"
                  f"  warm {times['warm'][-1]:6.2f} s  ({warm_result})", flush=True)
    WarmBwrapSandbox.close_all()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{exercise}: {len(subs)} submissions ({', '.join(f'{n} {k}' for k, n in MIX)} of 20), "
          f"median seconds per submission")
    print(f"  (a) naive pytest process     {med['naive']:7.3f} s")
    print(f"  (b) judge, cold bwrap         {med['cold']:7.3f} s")
    print(f"  (c) judge, warm bwrap-warm    {med['warm']:7.3f} s   (zygote start, once per pool: {zygote_start:.2f} s)")
    print(f"  a/c = {med['naive'] / med['warm']:.2f}   b/c = {med['cold'] / med['warm']:.2f}")
    for mode in ("cold", "warm"):
        overhead = statistics.median(t - s for t, s in zip(times[mode], student[mode], strict=True))
        print(f"  judge overhead ({mode}): median {overhead:.3f} s per submission "
              f"(time minus the student's own {statistics.median(student[mode]):.3f} s)")
    print("  grades identical cold/warm" if not mismatches else "  MISMATCHES:\n    " + "\n    ".join(mismatches))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercise", action="append", help=f"default: {', '.join(DEFAULT_EXERCISES)}")
    parser.add_argument("--count", type=int, default=20, help="submissions per exercise (the mix is kept)")
    args = parser.parse_args()
    for exercise in args.exercise or DEFAULT_EXERCISES:
        bench(exercise, args.count)
    print(f"(python {sys.version.split()[0]}, {os.cpu_count()} cores; one grader process, sequential)")


if __name__ == "__main__":
    main()
