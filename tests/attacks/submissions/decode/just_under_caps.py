# ruff: noqa
"""Decode attack: replies just under every cap, legal data that must still decode fast: 999,999
floats, 100,000 int keys in groups of 8 sharing a hash, 99,998 empty tuples, 930 ints of 4,300
digits. Bound 0 (none of it is an answer); failed.
"""

P = 2**61 - 1

VARIANTS = [
    lambda: b"[" + b",".join([b"0.1"] * 999_999) + b"]",
    lambda: b'{"t":"dict","v":[' + b",".join(b"[%d,0]" % (g + j * P) for g in range(12_500) for j in range(8)) + b"]}",
    lambda: b"[" + b",".join([b'{"t":"tuple","v":[]}'] * 99_998) + b"]",
    lambda: b"[" + b",".join([b"9" * 4300] * 930) + b"]",
]


