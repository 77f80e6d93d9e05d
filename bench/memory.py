"""The grader's peak memory grading 1,000 submissions against 100, side by side in one run.

Each run is a fresh `python -m grader grade EXERCISE DIR --course NEW` with its defaults; a sampler
walks the run's process tree every 20 ms and adds up the resident memory of the grader's own
processes (the CLI parent, the pool's forkserver and grading processes), apart from the
sandboxes (bubblewrap, the warm zygotes and the workers, which run the student's code and come
and go). The submissions are the 20-mix of `bench/warm.py`, repeated with a comment to make them
distinct. Prints each size's peak (the grader's and the whole tree's) and the ratio 1,000 / 100
(the target: at most 1.2: memory must not grow with the class).

Run: `.venv/bin/python bench/memory.py` (100 and 1,000, recommender-svd), or e.g.
`.venv/bin/python bench/memory.py --sizes 100 1000 --exercise metrics`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from workers import make  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
SANDBOX_MARKS = (b"bwrap", b"/opt/mljudge", b"mljudge-owner-", b"harness.worker", b"harness.zygote")


@dataclass(frozen=True)
class Peak:
    """The largest sums seen over one run, in MiB."""

    grader: float
    tree: float
    seconds: float


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_bytes()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree(root: int) -> list[int]:
    kids, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += kids.get(pid, [])
    return found


def _rss_mib(pid: int) -> tuple[float, bool]:
    """(resident MiB, whether it is a sandbox process)."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return 0.0, True
    return pages * PAGE / 2**20, any(mark in cmdline for mark in SANDBOX_MARKS)


def run(exercise: str, folder: Path, course: Path) -> Peak:
    argv = [sys.executable, "-m", "grader", "grade", exercise, str(folder), "--course", str(course)]
    env = {**os.environ, "PYTHONPATH": str(REPO), "MLJUDGE_HOME": str(REPO)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = {"grader": 0.0, "tree": 0.0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            grader = tree = 0.0
            for pid in _tree(proc.pid):
                mib, sandboxed = _rss_mib(pid)
                tree += mib
                grader += 0.0 if sandboxed else mib
            peaks["grader"] = max(peaks["grader"], grader)
            peaks["tree"] = max(peaks["tree"], tree)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate(timeout=7200)
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"judge grade exited {proc.returncode}:\n{err.decode(errors='replace')[-3000:]}")
    return Peak(peaks["grader"], peaks["tree"], time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exercise", default="recommender-svd")
    parser.add_argument("--sizes", type=int, nargs=2, default=[100, 1000], metavar=("SMALL", "LARGE"))
    args = parser.parse_args()
    small, large = args.sizes
    with tempfile.TemporaryDirectory(prefix="mljudge-bench-memory-") as tmp:
        folder = make(args.exercise, large, Path(tmp))
        subset = Path(tmp) / "small"
        subset.mkdir()
        for path in sorted(folder.iterdir())[:small]:
            shutil.copytree(path, subset / path.name)
        run(args.exercise, subset, Path(tmp) / "warm-up")  # untimed: OS caches
        peaks = {n: run(args.exercise, f, Path(tmp) / f"course-{n}") for n, f in ((small, subset), (large, folder))}
    for n, peak in peaks.items():
        print(f"{n:>5} submissions: grader peak {peak.grader:7.1f} MiB, whole tree {peak.tree:7.1f} MiB, "
              f"{peak.seconds:6.1f} s")
    print(f"{args.exercise}, {os.cpu_count()} cores: grader peak {large} / {small} = "
          f"{peaks[large].grader / peaks[small].grader:.2f} (target <= 1.2); whole tree "
          f"{peaks[large].tree / peaks[small].tree:.2f}", flush=True)


if __name__ == "__main__":
    main()
