# ruff: noqa
"""Decode attack: str and bytes dict keys that share one hash.

The grader's str hash is randomised per process (the worker's PYTHONHASHSEED=0 says nothing about
it), so distinct colliding strings cannot be precomputed; equal ones can: 100,000 copies of one
str key, 100,000 copies of one bytes key (100,000 one-byte buffers), and 100,000 distinct str
keys of 160 characters (16 MiB: legal, failed). Bound 0; protocol violation or failed.
"""


def _dict(keys):
    return b'{"t":"dict","v":[' + b",".join(b"[%s,0]" % k for k in keys) + b"]}"


VARIANTS = [
    lambda: _dict(b'"k"' for _ in range(100_000)),
    lambda: (_dict(b'{"t":"bytes","b":%d}' % i for i in range(100_000)), [b"k"] * 100_000),
    lambda: _dict(b'"%s%08d"' % (b"w" * 150, i) for i in range(100_000)),
]


