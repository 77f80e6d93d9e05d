# ruff: noqa
"""Decode attack: nesting in the header JSON. 8 million brackets deep (16 MiB), 5,000 arrays
each one bracket deeper than any legal tree needs, dicts nested 65 deep (one past the cap), and
tuples nested 64 deep (the deepest legal value, 2,000 times: legal, failed). Bound 0.
"""


def _nest(open_, close, inner, depth):
    return open_ * depth + inner + close * depth


VARIANTS = [
    lambda: _nest(b"[", b"]", b"", 8_000_000),
    lambda: b"[" + b",".join([_nest(b"[", b"]", b"", 199)] * 5_000) + b"]",
    lambda: _nest(b'{"t":"dict","v":[["k",', b"]]}", b"0", 65),
    lambda: b"[" + b",".join([_nest(b'{"t":"tuple","v":[', b"]}", b"0", 63)] * 2_000) + b"]",
]


