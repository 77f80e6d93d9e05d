"""The reading half of the protocol: a frame's header JSON and value trees, at bounded cost.

Everything here may come from a hostile worker and is read by the trusted grader, so every step
costs time and memory linear in caps chosen to keep the worst reply under a second:

* **Header JSON.** ``json.loads`` cannot be stopped part-way, so ``load_header`` first counts
  what it would build with a linear numpy scan of the bytes (outside strings): at most
  ``MAX_JSON_VALUES`` values, ``MAX_JSON_CONTAINERS`` arrays and objects, brackets nested at most
  ``MAX_JSON_DEPTH`` deep (what the deepest legal tree needs), no number with more than
  ``MAX_INT_DIGITS`` digits (Python's own int/str limit, enforced even where the grader has lifted
  it), and at most ``MAX_BIG_DIGITS`` digits in all in numbers of 64 digits or more (str-to-int is
  quadratic). The garbage collector is
  paused while the containers are built (it would otherwise walk them again and again).
* **Trees.** At most ``MAX_ITEMS`` items, ``MAX_CONTAINERS`` lists, tuples and dicts and ``MAX_DICT_ENTRIES``
  dict entries per frame, nested at most ``MAX_DEPTH`` deep; a list of JSON scalars is taken as it
  is (one C-level copy).
* **Hash collisions.** Python's int, float and tuple hashes are trivially collidable (``k * (2**61
  - 1)`` all hash to 0) and a dict whose keys share one hash is built in quadratic time: 200,000
  such keys took 408 s. Before a dict is built, the hashes of its keys are sorted (numpy, no
  hashing) and a dict where more than ``MAX_SHARED_HASH`` keys share one hash is refused. Only
  keys with equal full hashes follow the same probe sequence to the end (CPython perturbs the probe
  with every bit of the hash), so this bounds the comparisons to ``MAX_SHARED_HASH`` per key. Real
  data never comes near it (distinct keys with equal hashes are ``-1``/``-2`` or values that differ
  by a multiple of 2**61 - 1), and it holds whatever the grader's str hash seed is. NaN keys hash by
  identity (Python >= 3.10) and ``-0.0``/``0.0`` are one key, as in Python.
* **Deadline.** ``Decoder(deadline=...)`` checks the clock every few thousand items and raises
  ``DecodeTimeout``; the grader gives the decode what is left of the call's time limit.
"""

from __future__ import annotations

import gc
import json
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_DEPTH = 64
MAX_ITEMS = 1_000_000
MAX_CONTAINERS = 100_000
MAX_DICT_ENTRIES = 100_000
MAX_SHARED_HASH = 8
MAX_JSON_VALUES = 1_250_000
MAX_JSON_CONTAINERS = 2 * MAX_CONTAINERS + MAX_DICT_ENTRIES  # a tuple is 2, a dict entry 1 more
MAX_JSON_DEPTH = 3 * (MAX_DEPTH + 1) + 4  # a dict level is 3 JSON levels: {"t":"dict","v":[[k, v]]}
MAX_INT_DIGITS = 4300
MAX_BIG_DIGITS = 4_000_000
ARRAY_KINDS = frozenset("biufcUS")
MAX_ARRAY_ELEMENTS = 1 << 34
MAX_CODE_POINT = 0x10FFFF

_SCALARS = frozenset({type(None), bool, int, float, str})
_CHECK_EVERY = 4096  # items between two looks at the clock
_HASH_CHECK_FROM = 16  # smaller dicts cost at most 16 comparisons per key whatever their hashes


class ProtocolError(Exception):
    """A frame or value that does not follow the protocol."""


class DecodeTimeout(Exception):
    """The deadline passed while a frame was being decoded."""


@dataclass(frozen=True)
class HandleRef:
    """A reference to an object that stays inside the worker."""

    id: int
    type_name: str
    callable: bool


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many containers are built."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_deadline(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise DecodeTimeout()


# --------------------------------------------------------------------------- header JSON


def load_header(head: bytes, deadline: float | None = None) -> Any:
    """``json.loads`` of a header, refused (ProtocolError) before parsing if it would cost too much."""
    if len(head) > MAX_INT_DIGITS:  # anything shorter is cheap whatever it holds
        scan_json(head)
    check_deadline(deadline)
    try:
        with paused_gc():
            header = json.loads(head)
    except (ValueError, RecursionError) as exc:  # ValueError: bad JSON, UTF-8, int/str limit
        raise ProtocolError(f"frame header is not valid JSON: {str(exc)[:200]}") from None
    check_deadline(deadline)
    return header


def scan_json(head: bytes) -> None:
    """Count the values, nesting and digits of a JSON text outside its strings (linear, numpy)."""
    text = head.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b"\\" in head else head
    a = np.frombuffer(text, dtype=np.uint8)
    outside = (np.cumsum(a == 34, dtype=np.uint8) & 1) == 0  # an even number of quotes before
    opens = ((a == 91) | (a == 123)) & outside
    closes = ((a == 93) | (a == 125)) & outside
    n_open, n_close = int(np.count_nonzero(opens)), int(np.count_nonzero(closes))
    if n_open > MAX_JSON_CONTAINERS:
        raise ProtocolError(f"frame header has more than {MAX_JSON_CONTAINERS} JSON arrays and objects")
    if n_open + int(np.count_nonzero((a == 44) & outside)) > MAX_JSON_VALUES:
        raise ProtocolError(f"frame header has more than {MAX_JSON_VALUES} JSON values")
    if n_close != n_open:
        raise ProtocolError("frame header is not valid JSON: unbalanced brackets")
    if n_open > MAX_JSON_DEPTH:
        is_open = opens[np.flatnonzero(opens | closes)]  # each bracket in order: opening or not
        depth = 2 * np.cumsum(is_open, dtype=np.int32) - np.arange(1, is_open.size + 1, dtype=np.int32)
        if int(depth.max()) > MAX_JSON_DEPTH:
            raise ProtocolError(f"frame header nested deeper than {MAX_JSON_DEPTH}")
    digits = (a >= 48) & (a <= 57) & outside
    if int(np.count_nonzero(digits)) > MAX_INT_DIGITS:
        edges = np.flatnonzero(np.diff(digits.view(np.int8), prepend=np.int8(0), append=np.int8(0)))
        runs = edges[1::2] - edges[0::2]
        if int(runs.max()) > MAX_INT_DIGITS:
            raise ProtocolError(f"frame header has a number of more than {MAX_INT_DIGITS} digits")
        if int(runs[runs >= 64].sum()) > MAX_BIG_DIGITS:
            raise ProtocolError(f"frame header has more than {MAX_BIG_DIGITS} digits in long numbers")


# --------------------------------------------------------------------------- value trees


class Decoder:
    """Turns a JSON tree and its buffers back into exact builtins and base ndarrays."""

    def __init__(self, buffers: list[bytes], make_handle: Any = None, deadline: float | None = None) -> None:
        self._buffers: list[bytes] = buffers
        self._make_handle = make_handle
        self._resolve_ref: Any = None
        self._deadline = deadline
        self._items = 0
        self._containers = 0
        self._entries = 0
        self._next_check = min(_CHECK_EVERY, MAX_ITEMS + 1)

    def with_refs(self, resolve: Any) -> Decoder:
        self._resolve_ref = resolve
        return self

    def decode(self, tree: Any, depth: int = 0) -> Any:
        """Decode ``tree``; ProtocolError if it is malformed or over a cap, DecodeTimeout if late."""
        with paused_gc():
            return self._decode(tree, depth)

    def _count(self, items: int, containers: int = 0) -> None:
        self._items += items
        self._containers += containers
        if self._items >= self._next_check or self._containers > MAX_CONTAINERS:
            self._tick()

    def _tick(self) -> None:
        """Every few thousand items (and at each cap): the caps and the clock."""
        if self._items > MAX_ITEMS:
            raise ProtocolError("value has too many items")
        if self._containers > MAX_CONTAINERS:
            raise ProtocolError(f"value has more than {MAX_CONTAINERS} lists, tuples and dicts")
        self._next_check = min(self._items + _CHECK_EVERY, MAX_ITEMS + 1)
        check_deadline(self._deadline)

    def _decode(self, tree: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        t = type(tree)
        if t in _SCALARS:
            self._items += 1
            if self._items >= self._next_check:
                self._tick()
            return tree
        if t is list:
            self._count(1, 1)
            return self._sequence(tree, depth)
        if t is dict:
            self._count(1)
            return self._tagged(tree, depth)
        raise ProtocolError(f"unexpected JSON value of type {t.__name__}")

    def _sequence(self, items: list[Any], depth: int) -> list[Any]:
        """The items of a list or tuple; JSON scalars are taken as they are (one C-level copy)."""
        if depth < MAX_DEPTH and set(map(type, items)) <= _SCALARS:
            self._count(len(items))
            return list(items)
        return [self._decode(v, depth + 1) for v in items]

    def _tagged(self, tree: dict[str, Any], depth: int) -> Any:
        tag = tree.get("t")
        if tag == "tuple":
            self._count(0, 1)
            return tuple(self._sequence(_expect(tree, "v", list), depth))
        if tag == "dict":
            self._count(0, 1)
            return self._dict(_expect(tree, "v", list), depth)
        if tag == "float":
            text = _expect(tree, "v", str)
            if text not in ("nan", "inf", "-inf"):
                raise ProtocolError("malformed special float")
            return float(text)
        if tag == "bytes":
            return bytes(self._buffer(tree))
        if tag == "nd":
            return self._array(tree)
        if tag == "handle" and self._make_handle is not None:
            hid = _expect(tree, "id", int)
            name = _expect(tree, "type", str)[:200]
            return self._make_handle(HandleRef(hid, name, bool(tree.get("callable"))))
        if tag == "ref" and self._resolve_ref is not None:
            return self._resolve_ref(_expect(tree, "id", int))
        raise ProtocolError(f"unknown or misplaced tag {tag!r}")

    def _dict(self, pairs: list[Any], depth: int) -> dict[Any, Any]:
        self._entries += len(pairs)
        if self._entries > MAX_DICT_ENTRIES:
            raise ProtocolError(f"value has more than {MAX_DICT_ENTRIES} dict entries")
        keys: list[Any] = []
        values: list[Any] = []
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("malformed dict entry")
            keys.append(self._decode(pair[0], depth + 1))
            values.append(self._decode(pair[1], depth + 1))
        if len(keys) >= _HASH_CHECK_FROM:
            refuse_colliding_keys(keys)
        try:
            return dict(zip(keys, values, strict=True))  # equal keys: the first key stays, the last value wins
        except TypeError as exc:
            raise ProtocolError(f"unhashable dict key: {exc}") from None

    def _buffer(self, tree: dict[str, Any]) -> bytes:
        index: int = _expect(tree, "b", int)
        if not 0 <= index < len(self._buffers):
            raise ProtocolError("buffer index out of range")
        return self._buffers[index]

    def _array(self, tree: dict[str, Any]) -> np.ndarray:
        try:
            dtype = np.dtype(_expect(tree, "dtype", str))
        except ProtocolError:
            raise
        except Exception as exc:  # numpy raises TypeError, ValueError, even SyntaxError here
            raise ProtocolError(f"bad dtype: {exc}") from None
        if dtype.kind not in ARRAY_KINDS or dtype.fields is not None or dtype.hasobject or dtype.itemsize == 0:
            raise ProtocolError(f"dtype {dtype} may not cross the boundary")
        shape = _expect(tree, "shape", list)
        if len(shape) > 32 or any(type(n) is not int or not 0 <= n <= MAX_ARRAY_ELEMENTS for n in shape):
            raise ProtocolError("malformed array shape")
        data = self._buffer(tree)
        count = math.prod(shape)
        if count > MAX_ARRAY_ELEMENTS or count * dtype.itemsize != len(data):
            raise ProtocolError("array buffer size does not match its shape and dtype")
        try:
            array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        except (ValueError, MemoryError) as exc:
            raise ProtocolError(f"cannot build the array: {exc}") from None
        codes = np.frombuffer(data, dtype=">u4" if dtype.byteorder == ">" else "<u4") if dtype.kind == "U" else None
        if codes is not None and codes.size and int(codes.max()) > MAX_CODE_POINT:
            raise ProtocolError("string array holds invalid code points")
        return array


def refuse_colliding_keys(keys: list[Any]) -> None:
    """ProtocolError if a key is unhashable or more than MAX_SHARED_HASH keys share one hash."""
    try:
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
    except TypeError as exc:
        raise ProtocolError(f"unhashable dict key: {exc}") from None
    hashes.sort()
    starts = np.concatenate(([0], np.flatnonzero(hashes[1:] != hashes[:-1]) + 1, [hashes.size]))
    longest = int(np.diff(starts).max())
    if longest > MAX_SHARED_HASH:
        raise ProtocolError(f"{longest} dict keys share one hash (at most {MAX_SHARED_HASH} may)")


def _expect(tree: dict[str, Any], key: str, kind: type) -> Any:
    value = tree.get(key)
    if type(value) is not kind:
        raise ProtocolError(f"field {key!r} should be {kind.__name__}")
    return value
