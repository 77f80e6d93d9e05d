# ruff: noqa
"""Decode attack: numbers in the header JSON. An int of 100,000 digits (Python's int/str limit, or
quadratic parsing where the grader lifted it), 3,900 ints of 4,300 digits (each legal, together
0.4 s of parsing), a float of a million digits, and 1e999999 (JSON for inf: legal, failed).
Bound 0; protocol violation or failed.
"""

VARIANTS = [
    lambda: b"1" + b"0" * 100_000,
    lambda: b"[" + b",".join([b"9" * 4300] * 3_900) + b"]",
    lambda: b"0." + b"0" * 1_000_000 + b"1",
    lambda: b"1e999999",
]


