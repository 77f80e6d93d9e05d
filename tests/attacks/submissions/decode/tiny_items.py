# ruff: noqa
"""Decode attack: 16 MiB headers of tiny items (8 million zeros, 5.5 million empty lists or
objects, 4 million empty strings): json.loads alone would take seconds and a gigabyte. Bound 0;
protocol violation.
"""


def _many(item, n):
    return b"[" + b",".join([item] * n) + b"]"


VARIANTS = [
    lambda: _many(b"0", 8_300_000),
    lambda: _many(b"[]", 5_500_000),
    lambda: _many(b"{}", 5_500_000),
    lambda: _many(b'""', 5_500_000),
]


