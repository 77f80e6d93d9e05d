"""A student's single file: `judge grade FILE` and `judge check FILE` against a bare
`python -c "import numpy, sklearn"` (what the exercise's checks need anyway), side by side.

The exercise is `bench/anchor_home`'s svd-accuracy (its hidden check imports scikit-learn), the
file its reference. Commands are interleaved rep by rep; medians and the judge's time above the
bare imports are printed. `--baseline PATH` adds another checkout of the judge.

Run: `.venv/bin/python bench/single_file.py` (7 reps), or `--reps 11 --baseline /tmp/main`.
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
HOME = REPO / "bench" / "anchor_home"
FILE = HOME / "solutions" / "svd-accuracy" / "solution.py"


def timed(argv: list[str], code: Path, ok: tuple[int, ...] = (0,)) -> float:
    env = {**os.environ, "PYTHONPATH": str(code), "MLJUDGE_HOME": str(HOME), "MLJUDGE_SECRET": "single-file"}
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=code, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--sandbox", default="bwrap")
    parser.add_argument("--baseline", type=Path, help="another checkout of the judge, timed side by side")
    args = parser.parse_args()
    judge = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory(prefix="mljudge-single-") as course:
        commands: dict[str, tuple[list[str], Path]] = {
            "python -c 'import numpy, sklearn'": ([sys.executable, "-c", "import numpy, sklearn"], REPO)}
        for label, code in [("", REPO), *([("baseline ", args.baseline.resolve())] if args.baseline else [])]:
            commands[f"{label}judge grade FILE"] = (
                [*judge, "grade", "svd-accuracy", str(FILE), "--sandbox", args.sandbox, "--course", course], code)
            commands[f"{label}judge check FILE"] = (
                [*judge, "check", "svd-accuracy", str(FILE), "--sandbox", args.sandbox], code)
        for argv, code in commands.values():  # untimed: OS caches, the course secret
            timed(argv, code)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.reps):
            for name, (argv, code) in commands.items():
                times[name].append(timed(argv, code))
    med = {name: statistics.median(t) for name, t in times.items()}
    bare = med["python -c 'import numpy, sklearn'"]
    print(f"{args.reps} reps, sandbox {args.sandbox}, {os.cpu_count()} cores; median seconds:")
    for name, value in med.items():
        print(f"  {name:36} {value:6.3f} s   {value - bare:+6.3f} s over the bare imports")


if __name__ == "__main__":
    main()
