"""The worst reply each decode cap allows, decoded on the trusted side (issue 12).

For each family, a reply at (or just past) the caps of ``harness.decode`` is framed by hand, then
``parse_frame`` (the header scan and ``json.loads``) and ``Decoder.decode`` run on it as the grader
does; the table shows the frame's size, the best of ``--repeat`` runs of each step, and the outcome
(``ok`` or the ProtocolError). The goal: every row under one second in all.

Run: ``.venv/bin/python bench/decode.py`` (``--repeat 3``; ``--only tuple`` for one family).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.decode import (
    MAX_BIG_DIGITS,
    MAX_CONTAINERS,
    MAX_DICT_ENTRIES,
    MAX_INT_DIGITS,
    MAX_ITEMS,
    MAX_JSON_CONTAINERS,
    MAX_JSON_DEPTH,
    MAX_JSON_VALUES,
    MAX_SHARED_HASH,
)
from harness.protocol import MAX_HEADER_BYTES, Decoder, ProtocolError, parse_frame

P = 2**61 - 1
MIB = 1 << 20


def _dict(entries: list[bytes]) -> bytes:
    return b'{"t":"dict","v":[' + b",".join(entries) + b"]}"


def _list(items: list[bytes]) -> bytes:
    return b"[" + b",".join(items) + b"]"


def _tuple(inner: bytes) -> bytes:
    return b'{"t":"tuple","v":[' + inner + b"]}"


def _deep_tuple(k: int, depth: int) -> bytes:
    key = b"%d" % (k * P)
    for _ in range(depth):
        key = _tuple(key)
    return key


#: family -> value JSON (bytes), built lazily
CASES: dict[str, Callable[[], bytes]] = {
    "int keys, 8 per hash (cap)": lambda: _dict(
        [b"[%d,0]" % (g + j * P) for g in range(MAX_DICT_ENTRIES // MAX_SHARED_HASH) for j in range(MAX_SHARED_HASH)]
    ),
    "int keys, all one hash (refused)": lambda: _dict([b"[%d,0]" % (k * P) for k in range(MAX_DICT_ENTRIES)]),
    "big int keys, one hash (refused)": lambda: _dict(
        [b"[%d,0]" % (10 ** (MAX_INT_DIGITS - 1) + k * P) for k in range(MAX_BIG_DIGITS // MAX_INT_DIGITS)]
    ),
    "str keys, 100k distinct, 16 MiB": lambda: _dict(
        [b'["%s%08d",0]' % (b"w" * 150, i) for i in range(MAX_DICT_ENTRIES)]
    ),
    "str key repeated (refused)": lambda: _dict([b'["k",0]'] * MAX_DICT_ENTRIES),
    "tuple keys, one hash (refused)": lambda: _dict(
        [b"[%s,0]" % _tuple(b"%d" % (k * P)) for k in range(MAX_CONTAINERS - 2)]
    ),
    "NaN keys, 100k": lambda: _dict([b'[{"t":"float","v":"nan"},0]'] * MAX_DICT_ENTRIES),
    "-0.0/0.0 repeated (refused)": lambda: _dict([b"[-0.0,0]", b"[0.0,0]"] * (MAX_DICT_ENTRIES // 2)),
    "floats, items cap": lambda: _list([b"0.1"] * (MAX_ITEMS - 1)),
    "empty tuples, container cap": lambda: _list([b'{"t":"tuple","v":[]}'] * (MAX_CONTAINERS - 2)),
    "tuples 60 deep, JSON containers cap (refused)": lambda: _list(
        [_deep_tuple(k, 60) for k in range(MAX_JSON_CONTAINERS // 120 - 1)]
    ),
    "tuples 60 deep, 16 MiB (refused)": lambda: _list([_deep_tuple(k, 60) for k in range(MAX_JSON_VALUES // 240)]),
    "ints of 4,300 digits, digit cap": lambda: _list([b"9" * MAX_INT_DIGITS] * (MAX_BIG_DIGITS // MAX_INT_DIGITS)),
    "ints of 4,300 digits, 16 MiB (refused)": lambda: _list([b"9" * MAX_INT_DIGITS] * 3_900),
    "int of 100,000 digits (refused)": lambda: b"1" + b"0" * 100_000,
    "JSON nested past the cap, x1000 (refused)": lambda: _list([b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH] * 1_000),
    "8M brackets deep, 16 MiB (refused)": lambda: b"[" * 8_000_000 + b"]" * 8_000_000,
    "16 MiB of zeros (refused)": lambda: _list([b"0"] * 8_300_000),
    "16 MiB of [] (refused)": lambda: _list([b"[]"] * 5_500_000),
    "[] at the JSON containers cap (refused)": lambda: _list([b"[]"] * (MAX_JSON_CONTAINERS - 3)),
    "16 MiB string with escapes": lambda: b'"' + b'ab\\"c' * (MAX_HEADER_BYTES // 6 - 10) + b'"',
}


def frame(value: bytes) -> bytes:
    head = b'{"kind":"result","seconds":0.0,"value":' + value + b"}"
    return len(head).to_bytes(4, "big") + (0).to_bytes(4, "big") + head


def measure(data: bytes, repeat: int) -> tuple[float, float, str]:
    """Best parse and decode seconds over ``repeat`` runs, and the outcome."""
    best_parse = best_decode = float("inf")
    outcome = ""
    for _ in range(repeat):
        started = time.perf_counter()
        parsed = decoded = started
        try:
            header, buffers = parse_frame(data)
            parsed = time.perf_counter()
            Decoder(buffers).decode(header["value"])
            decoded = time.perf_counter()
            outcome = "ok"
        except ProtocolError as exc:
            parsed = parsed if parsed > started else time.perf_counter()
            decoded = time.perf_counter()
            outcome = str(exc)[:60]
        best_parse = min(best_parse, parsed - started)
        best_decode = min(best_decode, decoded - parsed)
    return best_parse, best_decode, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="families whose name contains this")
    args = parser.parse_args(argv)
    print(f"command: python bench/decode.py --repeat {args.repeat}" + (f" --only {args.only!r}" if args.only else ""))
    print(f"{'family':46s} {'MiB':>6s} {'parse s':>8s} {'decode s':>8s} {'total s':>8s}  outcome")
    worst = 0.0
    for name, build in CASES.items():
        if args.only not in name:
            continue
        data = frame(build())
        parse_s, decode_s, outcome = measure(data, args.repeat)
        worst = max(worst, parse_s + decode_s)
        print(f"{name:46s} {len(data) / MIB:6.2f} {parse_s:8.3f} {decode_s:8.3f} {parse_s + decode_s:8.3f}  {outcome}")
    print(f"worst total: {worst:.3f} s")
    return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
