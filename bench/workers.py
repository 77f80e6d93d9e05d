"""`judge grade DIR` with its default worker count against `--workers 1`, end to end, side by side.

Each run is a fresh `python -m grader grade EXERCISE DIR --course NEW` (start-up, discovery,
gradebook, pool, zygotes, grading, all of it), the modes interleaved rep by rep so that drift
hits them alike. The submissions are the 20 of `bench/warm.py` (12 right, 4 wrong, 2 raising,
2 syntax errors), repeated with a comment to make `--n` distinct files. Prints the median seconds
per submission of each mode and default / one worker (below 1: the default is faster), and the
machine's busy CPU time per submission of each mode (``/proc/stat``: run it on a quiet machine),
with the bound it sets: the default cannot finish faster than its CPU time spread over every core.

Run: `.venv/bin/python bench/workers.py` (20 and 200 submissions, 3 reps), or e.g.
`.venv/bin/python bench/workers.py --n 20 --reps 5 --exercise metrics`.
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
sys.path.insert(0, str(REPO / "bench"))

from warm import submissions  # noqa: E402

from grader.core.assignment import get_assignment  # noqa: E402

MODES: dict[str, list[str]] = {"default": [], "--workers 1": ["--workers", "1"]}
#: Another checkout of the judge (``--baseline PATH``, e.g. ``git archive main | tar -x -C PATH``).
BASELINE: Path | None = None


def make(exercise: str, n: int, folder: Path) -> Path:
    """``n`` distinct submissions under ``folder/subs`` in the 20-mix."""
    assignment = get_assignment(exercise, REPO)
    base = submissions(assignment, folder / "base")
    out = folder / "subs"
    for i in range(n):
        kind, path = base[i % len(base)]
        target = out / f"{kind}-{i:04d}" / path.name
        target.parent.mkdir(parents=True)
        target.write_text(path.read_text() + f"\n# copy {i}\n")
    return out


def busy_cpu_seconds() -> float:
    """The whole machine's busy CPU time so far (``/proc/stat``; every process, sandboxes included)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3]) / os.sysconf("SC_CLK_TCK")  # all but idle


def grade(exercise: str, folder: Path, course: Path, extra: list[str], code: Path = REPO) -> tuple[float, float]:
    """(wall seconds, busy CPU seconds of the machine) of one ``judge grade``: run on a quiet machine."""
    argv = [sys.executable, "-m", "grader", "grade", exercise, str(folder), "--course", str(course), *extra]
    env = {**os.environ, "PYTHONPATH": str(code), "MLJUDGE_HOME": str(code)}
    cpu, started = busy_cpu_seconds(), time.perf_counter()
    done = subprocess.run(argv, cwd=code, env=env, capture_output=True, text=True, timeout=3600, check=False)
    elapsed, cpu = time.perf_counter() - started, busy_cpu_seconds() - cpu
    if done.returncode != 0:
        raise SystemExit(f"judge grade {' '.join(extra)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return elapsed, cpu


def bench(exercise: str, n: int, reps: int) -> None:
    with tempfile.TemporaryDirectory(prefix="mljudge-bench-workers-") as tmp:
        folder = make(exercise, n, Path(tmp))
        grade(exercise, folder, Path(tmp) / "warm-up", [])  # untimed: OS caches, data downloads
        modes = {name: (extra, REPO) for name, extra in MODES.items()}
        if BASELINE is not None:
            modes |= {f"baseline {name}": (extra, BASELINE) for name, extra in MODES.items()}
        times: dict[str, list[float]] = {mode: [] for mode in modes}
        cpus: dict[str, list[float]] = {mode: [] for mode in modes}
        for rep in range(reps):
            for i, (mode, (extra, code)) in enumerate(modes.items()):
                wall, cpu = grade(exercise, folder, Path(tmp) / f"course-{rep}-{i}", extra, code)
                times[mode].append(wall / n)
                cpus[mode].append(cpu / n)
            print(f"  rep {rep + 1}: " + "  ".join(f"{m} {t[-1]:.3f} s/sub" for m, t in times.items()), flush=True)
    med = {mode: statistics.median(t) for mode, t in times.items()}
    cpu_med = {mode: statistics.median(c) for mode, c in cpus.items()}
    cores = os.cpu_count() or 1
    # the default cannot take less than its CPU time spread over every core: one worker's time over that
    # is the most ``one worker / default`` can be with this much work per submission
    print("  busy CPU per submission (whole machine): "
          + ", ".join(f"{m} {c * 1000:.0f} ms" for m, c in cpu_med.items())
          + f"; one worker uses {cpu_med['--workers 1'] / med['--workers 1']:.2f} cores; one worker / default "
          f"is at most {med['--workers 1'] / (cpu_med['default'] / cores):.2f} on {cores} cores", flush=True)
    ratio = f"default / one worker = {med['default'] / med['--workers 1']:.2f}"
    if BASELINE is not None:
        ratio += (f", baseline's {med['baseline default'] / med['baseline --workers 1']:.2f}"
                  f"; baseline default / default = {med['baseline default'] / med['default']:.2f}")
    print(f"{exercise}, {n} submissions, {reps} reps, {os.cpu_count()} cores: "
          + ", ".join(f"{m} {v:.3f} s/sub" for m, v in med.items()) + f"; {ratio}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercise", default="recommender-svd")
    parser.add_argument("--n", type=int, action="append", help="submissions (default: 20 and 200)")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another checkout of the judge, graded side by side")
    args = parser.parse_args()
    global BASELINE
    BASELINE = args.baseline.resolve() if args.baseline else None
    for n in args.n or [20, 200]:
        bench(args.exercise, n, args.reps)


if __name__ == "__main__":
    main()
