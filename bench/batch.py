"""Batch grading throughput: N generated recommender submissions (mixed verdicts), graded with the
local process pool at 1 worker and at all cores, side by side in one run.

Run: `.venv/bin/python bench/batch.py` (default 200 submissions; `--n 40` for a quick look).
Submissions are copies of the exercise's examples, the reference and the stub, each made unique by
a comment, in a fixed mix: mostly ordinary (passed / partial / failed / raises / syntax error)
plus 1% infinite loops (each costs the full wall-time budget).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.core.assignment import get_assignment  # noqa: E402
from grader.core.values import Submission  # noqa: E402
from grader.course.batch import Task, default_executor, grade_batch  # noqa: E402
from grader.sandbox import get_sandbox  # noqa: E402

EXAMPLES = REPO / "assignments" / "recommender-svd" / "examples"
SOURCES = {
    "reference": REPO / "solutions" / "recommender-svd" / "solution.py",
    "stub": REPO / "assignments" / "recommender-svd" / "stub.py",
    **{p.name: p / "solution.py" for p in sorted(EXAMPLES.iterdir()) if (p / "solution.py").is_file()},
}
#: Out of every 100 submissions (the rest of the 100 are references).
MIX = {"global-mean-centred": 20, "zeros-for-missing": 15, "wrong": 10, "raises": 8, "syntax-error": 6,
       "stub": 6, "infinite-loop": 1}


def generate(n: int, folder: Path) -> list[Task]:
    kinds: list[str] = []
    for name, share in MIX.items():
        kinds += [name] * share
    kinds += ["reference"] * (100 - len(kinds))
    tasks = []
    for i in range(n):
        kind = kinds[(i * 37) % 100]  # spread the kinds over the batch
        path = folder / f"student{i:04d}" / "solution.py"
        path.parent.mkdir(parents=True)
        path.write_text(SOURCES[kind].read_text() + f"\n# generated submission {i} ({kind})\n")
        sub = Submission.from_path(path, student=path.parent.name)
        tasks.append(Task(i, path.parent.name, path, sub.sha256))
    return tasks


def run(tasks: list[Task], workers: int, sandbox: str) -> tuple[float, Counter[str]]:
    assignment = get_assignment("recommender-svd", REPO)
    executor = default_executor(workers)
    try:
        # warm-up, untimed: start the pool's processes and fill the OS caches
        grade_batch(assignment=assignment, tasks=tasks[:workers], sandbox_name=sandbox, executor=executor,
                    workers=workers)
        started = time.perf_counter()
        outcome = grade_batch(assignment=assignment, tasks=tasks, sandbox_name=sandbox, executor=executor,
                              workers=workers, progress=sys.stderr.isatty())
        elapsed = time.perf_counter() - started
    finally:
        executor.shutdown()
    return elapsed, outcome.counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--sandbox", default="auto", help="auto (warm workers where they work), bwrap, …")
    args = parser.parse_args()
    sandbox = get_sandbox(args.sandbox, batch=True).name  # auto: warm workers where they work
    with tempfile.TemporaryDirectory() as tmp:
        tasks = generate(args.n, Path(tmp))
        print(f"{args.n} submissions, sandbox {sandbox}, {os.cpu_count()} cores", flush=True)
        rows = []
        for workers in sorted({1, args.workers}):
            seconds, counts = run(tasks, workers, sandbox)
            rows.append((workers, seconds, counts))
            print(f"  {workers:2d} worker(s): {seconds:7.1f} s  {60 * args.n / seconds:6.1f} submissions/min  "
                  + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), flush=True)
    if len(rows) == 2:
        (_, one, c1), (w, many, c2) = rows
        print(f"speed-up with {w} workers: {one / many:.2f}x (ideal {w}x)")
        if c1 != c2:
            print(f"WARNING: verdict counts differ between runs: {dict(c1)} vs {dict(c2)}")


if __name__ == "__main__":
    main()
