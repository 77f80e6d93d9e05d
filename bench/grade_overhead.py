"""Median wall time of `judge grade` on the reference solution next to a bare `import numpy`.

Run: `make bench` (or `.venv/bin/python bench/grade_overhead.py --runs 9`). Everything is
measured in one run, side by side, and reported as medians and ratios.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
JUDGE = str(Path(sys.executable).with_name("judge"))
SOLUTION = REPO / "solutions" / "recommender-svd" / "solution.py"


def timed(argv: list[str], ok_codes: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok_codes:
        raise SystemExit(f"{argv} exited {proc.returncode}:\n{proc.stderr.decode()[-2000:]}")
    return elapsed


def in_process_grade_seconds() -> float:
    from grader.core.assignment import get_assignment
    from grader.core.grade import grade_one
    from grader.core.values import Submission
    from grader.sandbox import get_sandbox

    assignment = get_assignment("recommender-svd", REPO)
    started = time.perf_counter()
    grade = grade_one(assignment=assignment, submission=Submission.from_path(SOLUTION), sandbox=get_sandbox("process"))
    assert grade.score == grade.max_score, grade
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    cases = {
        "python -c 'import numpy'": lambda: timed([sys.executable, "-c", "import numpy"]),
        "judge grade (CLI, process sandbox)": lambda: timed(
            [JUDGE, "grade", "recommender-svd", str(SOLUTION), "--sandbox", "process", "--home", str(REPO)]
        ),
        "grade_one() in a warm grader process": in_process_grade_seconds,
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):  # interleaved, so drift hits every case alike
        for name, run in cases.items():
            samples[name].append(run())
    base = statistics.median(samples["python -c 'import numpy'"])
    print(f"{'case':40} {'median s':>9} {'min s':>7} {'x import numpy':>15}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:40} {median:9.3f} {min(values):7.3f} {median / base:15.2f}")
    print(f"({args.runs} runs each, interleaved; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
