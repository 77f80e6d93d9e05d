# ruff: noqa
"""Decode attack: tuple dict keys whose hashes collide (a tuple's hash mixes its items' hashes,
and ``k * (2**61 - 1)`` all hash to 0): ``(k*P,)``, ``((k*P, 0), "x")``, ``(k*P, -k*P)``, and
keys nested 60 tuples deep (over the container cap; 100,000 flat ones are too). Bound 0; protocol violation.
"""

P = 2**61 - 1


def _tuple(*items):
    return b'{"t":"tuple","v":[' + b",".join(items) + b"]}"


def _deep(k):
    key = b"%d" % (k * P)
    for _ in range(60):
        key = _tuple(key)
    return key


def _dict(keys):
    return b'{"t":"dict","v":[' + b",".join(b"[%s,0]" % k for k in keys) + b"]}"


VARIANTS = [
    lambda: _dict(_tuple(b"%d" % (k * P)) for k in range(90_000)),
    lambda: _dict(_tuple(_tuple(b"%d" % (k * P), b"0"), b'"x"') for k in range(100_000)),
    lambda: _dict(_tuple(b"%d" % (k * P), b"%d" % (-k * P)) for k in range(100_000)),
    lambda: _dict(_deep(k) for k in range(5_000)),
]


