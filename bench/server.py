"""The course server against a batch, side by side in one run: a burst of N uploads over the JSON
API to `judge serve` (embedded worker, all cores), and `judge grade` of the same N files.

Reports: acknowledgement latency p50/p95 of the uploads under the burst, time from upload to graded
p50/p95, and the server's throughput (first upload sent → last result recorded) as a ratio of the
batch's (`judge grade` wall time). Targets (issue 16): ratio ≥ 0.9, p95 acknowledgement < 100 ms.

Run: `.venv/bin/python bench/server.py` (default 100 uploads of the metrics exercise, SQLite;
`--db postgresql+psycopg://…` for PostgreSQL, `--exercise`, `--n`, `--workers`).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from tests.server.serverproc import free_port, start_server, students_with_tokens  # noqa: E402


def sources(exercise: str) -> list[Path]:
    examples = REPO / "assignments" / exercise / "examples"
    found = [REPO / "solutions" / exercise / "solution.py"]
    found += [p / "solution.py" for p in sorted(examples.iterdir())
              if (p / "solution.py").is_file() and p.name != "infinite-loop"]
    return found


def files(exercise: str, n: int) -> dict[str, bytes]:
    """student id -> a file made unique by a comment; mostly references, every kind present."""
    kinds = sources(exercise)
    return {f"st{i:03d}": (kinds[0] if i % 2 == 0 else kinds[i % len(kinds)]).read_bytes()
            + f"\n# submission {i}\n".encode() for i in range(n)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def run_batch(exercise: str, subs: dict[str, bytes], workers: int, tmp: Path) -> float:
    folder = tmp / "batch-subs"
    for student, data in subs.items():
        (folder / student).mkdir(parents=True)
        (folder / student / "solution.py").write_bytes(data)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "grader", "grade", exercise, str(folder), "--course", str(tmp / "batch"),
                    "--home", str(REPO), "--workers", str(workers)], check=False, capture_output=True, timeout=3600)
    return time.perf_counter() - started


async def burst(base: str, exercise: str, subs: dict[str, bytes], tokens: dict[str, str],
                spread: float = 0.0) -> tuple[list[float], float]:
    """Send every upload at once (``spread`` 0) or evenly over ``spread`` seconds; their latencies."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=len(subs), max_keepalive_connections=len(subs))
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        async def one(position: int, student: str) -> None:
            await asyncio.sleep(spread * position / len(subs))
            begun = time.perf_counter()
            reply = await client.post(f"{base}/api/v1/exercises/{exercise}/submissions",
                                      headers={"Authorization": f"Bearer {tokens[student]}"},
                                      files={"file": ("solution.py", subs[student], "text/x-python")})
            latencies.append(time.perf_counter() - begun)
            if reply.status_code not in (200, 201):
                raise SystemExit(f"upload refused: {reply.status_code} {reply.text}")

        started = time.time()
        await asyncio.gather(*(one(i, s) for i, s in enumerate(subs)))
    return latencies, started


def wait_graded(url: str, n: int, timeout: float = 3600) -> list[tuple[dt.datetime, dt.datetime]]:
    engine = create_engine(url, poolclass=NullPool)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as con:
                rows = con.execute(text("select s.submitted_at, r.graded_at from results r join submissions s "
                                        "on s.id = r.submission_id")).all()
            if len(rows) >= n:
                return [(_utc(a), _utc(b)) for a, b in rows]
            time.sleep(0.2)
    finally:
        engine.dispose()
    raise SystemExit("the server did not grade everything in time")


def _utc(value: object) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="metrics")
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--db", default=None, help="gradebook URL (default: SQLite in a temporary course)")
    parser.add_argument("--spread", type=float, default=1.0,
                        help="also send a second class's N uploads evenly over this many seconds (0: skip)")
    args = parser.parse_args()
    subs = files(args.exercise, args.n)
    with tempfile.TemporaryDirectory(prefix="bench-server-") as name:
        tmp = Path(name)
        batch_seconds = run_batch(args.exercise, subs, args.workers, tmp)
        course = tmp / "course"
        url = args.db or f"sqlite:///{course / 'gradebook.sqlite'}"
        tokens = students_with_tokens(url, course, 2 * args.n if args.spread else args.n)
        port = free_port()
        server = start_server(course=course, db=url, home=REPO, port=port, workers=args.workers,
                              log=tmp / "server.log")
        try:
            time.sleep(2)  # the embedded worker's pool is up (its first grading still warms its sandbox)
            latencies, started = asyncio.run(burst(f"http://127.0.0.1:{port}", args.exercise, subs, tokens))
            rows = wait_graded(url, args.n)
            spread_ms: list[float] = []
            if args.spread:  # the same files from other students, arriving over `spread` seconds
                later = {f"st{int(k[2:]) + args.n:03d}": v + b"# again\n" for k, v in subs.items()}
                spread_ms = [x * 1000 for x in asyncio.run(burst(f"http://127.0.0.1:{port}", args.exercise, later,
                                                                 tokens, args.spread))[0]]
        finally:
            server.stop()
    last = max(graded for _, graded in rows)
    server_seconds = (last - dt.datetime.fromtimestamp(started, dt.UTC)).total_seconds()
    to_graded = [(graded - submitted).total_seconds() for submitted, graded in rows]
    ms = [x * 1000 for x in latencies]
    print(f"{args.n} uploads of {args.exercise}, {args.workers} grading slot(s), "
          f"{'PostgreSQL' if args.db else 'SQLite'}")
    print(f"  acknowledgement under a burst of {args.n}: p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, "
          f"max {max(ms):.1f} ms (target p95 < 100 ms)")
    if spread_ms:
        print(f"  acknowledgement, {args.n} uploads over {args.spread:g} s: p50 {pct(spread_ms, 50):.1f} ms, "
              f"p95 {pct(spread_ms, 95):.1f} ms, max {max(spread_ms):.1f} ms")
    print(f"  upload to graded: p50 {pct(to_graded, 50):.1f} s, p95 {pct(to_graded, 95):.1f} s, "
          f"mean {statistics.mean(to_graded):.1f} s")
    print(f"  batch `judge grade` of the same files: {batch_seconds:.1f} s ({args.n / batch_seconds:.2f}/s)")
    print(f"  server, first upload to last result:   {server_seconds:.1f} s ({args.n / server_seconds:.2f}/s)")
    print(f"  server throughput / batch throughput:  {batch_seconds / server_seconds:.2f} (target ≥ 0.9)")


if __name__ == "__main__":
    main()
