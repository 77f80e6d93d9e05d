# ruff: noqa
"""Decode attack: dicts whose int keys all hash alike (Python's int hash is n mod 2**61 - 1).

Built by hand, so the worker never pays for the dict itself: 100,000 keys ``k * (2**61 - 1)``
(the 408 s reply, cut to the entry cap), 200,000 of them (over the entry cap), 900 keys of 4,300
digits that differ by multiples of 2**61 - 1 (each comparison walks 475 digits), and 6,666 dicts
of 15 colliding keys each (below the size where hashes are checked: bounded by the small size).
Bound 0; protocol violation (the last variant is legal data: failed).
"""

P = 2**61 - 1


def _dict(keys):
    return b'{"t":"dict","v":[' + b",".join(b"[%d,0]" % k for k in keys) + b"]}"


VARIANTS = [
    lambda: _dict(k * P for k in range(100_000)),
    lambda: _dict(k * P for k in range(200_000)),
    lambda: _dict(10**4299 + k * P for k in range(900)),
    lambda: b"[" + b",".join(_dict(k * P for k in range(15)) for _ in range(6_666)) + b"]",
]


