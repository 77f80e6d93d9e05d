# ruff: noqa
"""Decode attack: float dict keys. 100,000 NaN keys (each NaN is its own key, hashed by identity:
legal, failed), 100,000 alternating 0.0/-0.0 keys (one key in Python; the frame repeats it: refused,
they share one hash), 100,000 ``(nan, k)`` tuple keys (legal), and 100,000 keys 1.0, 1, true
repeated. Bound 0; protocol violation or failed.
"""

NAN = b'{"t":"float","v":"nan"}'


def _dict(keys):
    return b'{"t":"dict","v":[' + b",".join(b"[%s,0]" % k for k in keys) + b"]}"


VARIANTS = [
    lambda: _dict(b"-0.0" if k % 2 else b"0.0" for k in range(100_000)),
    lambda: _dict(NAN for _ in range(100_000)),
    lambda: _dict(b'{"t":"tuple","v":[%s,%d]}' % (NAN, k) for k in range(100_000)),
    lambda: _dict((b"1.0", b"1", b"true")[k % 3] for k in range(100_000)),
]


