"""Per sandbox backend, side by side in one run: the median time from "start the sandbox" to
"first call answered", and of a whole grade of the reference recommender solution.

Run: `.venv/bin/python bench/sandboxes.py --runs 10`. Backends that do not work here are listed
as unavailable rather than skipped silently.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from grader.core.assignment import get_assignment  # noqa: E402
from grader.core.grade import grade_one  # noqa: E402
from grader.core.remote import WorkerSession  # noqa: E402
from grader.core.values import Limits, Submission  # noqa: E402
from grader.sandbox import BACKENDS  # noqa: E402
from grader.sandbox.base import Sandbox, WorkerSpec  # noqa: E402

FIRST_CALL_SOURCE = "import numpy as np\n\ndef f(x):\n    return np.asarray(x) * 2\n"


def first_call_seconds(sandbox: Sandbox, source: Path) -> float:
    started = time.perf_counter()
    session = WorkerSession(sandbox, WorkerSpec(source, "solution", ("f",), Limits()))
    try:
        session.module().f([1.0, 2.0])
        return time.perf_counter() - started
    finally:
        session.close()


def grade_seconds(sandbox: Sandbox) -> float:
    assignment = get_assignment("recommender-svd", REPO)
    started = time.perf_counter()
    grade = grade_one(assignment=assignment, submission=Submission.from_path(assignment.solution), sandbox=sandbox)
    if grade.score != grade.max_score:
        raise SystemExit(f"reference did not score full marks on {sandbox.name}: {grade.notes}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    sandboxes = {name: cls() for name, cls in BACKENDS.items() if cls.available()}
    unavailable = [name for name, cls in BACKENDS.items() if not cls.available()]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "solution.py"
        source.write_text(FIRST_CALL_SOURCE)
        first: dict[str, list[float]] = {name: [] for name in sandboxes}
        whole: dict[str, list[float]] = {name: [] for name in sandboxes}
        for _ in range(args.runs):  # interleaved, so load drift hits every backend alike
            for name, sandbox in sandboxes.items():
                first[name].append(first_call_seconds(sandbox, source))
                whole[name].append(grade_seconds(sandbox))
    base_first = statistics.median(first["process"])
    base_whole = statistics.median(whole["process"])
    print(f"{'backend':10} {'start→first call':>17} {'x process':>10} {'whole grade':>12} {'x process':>10}")
    for name in sandboxes:
        f, w = statistics.median(first[name]), statistics.median(whole[name])
        print(f"{name:10} {f:15.3f} s {f / base_first:10.2f} {w:10.3f} s {w / base_whole:10.2f}")
    if unavailable:
        print("unavailable here:", ", ".join(unavailable))
    print(f"(median of {args.runs} interleaved runs each; grade = reference recommender-svd, all checks)")


if __name__ == "__main__":
    main()
