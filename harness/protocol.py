"""Framing and codec for the trust boundary, shared by the worker and the grader.

Only plain data crosses: None, bool, int, float, str, bytes, lists, tuples and dicts of them,
and numpy arrays of numeric, bool or fixed-width string dtypes. Nothing is ever pickled.

A frame is ``u32 header length | u32 buffer count | header JSON | (u64 length | bytes) * count``.
The header is a JSON object; values inside it are *trees*: JSON scalars and lists stand for
themselves, and every JSON object is a tagged value (tuple, dict, bytes, array, handle, ref).
Arrays and bytes travel as raw buffers after the header, so large arrays cost one copy.

Decoding is strict and bounded: anything malformed raises ``ProtocolError``.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BUFFERS = 100_000
MAX_DEPTH = 64
MAX_ITEMS = 1_000_000
DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024

_PREFIX = struct.Struct(">II")
_BUFLEN = struct.Struct(">Q")

#: numpy dtype kinds allowed across the boundary: bool, ints, unsigned, float, complex, str, bytes.
ARRAY_KINDS = frozenset("biufcUS")
MAX_INT_BITS = 14_284  # below 2**14284 an int has at most 4,300 digits, Python's int/str limit
MAX_ARRAY_ELEMENTS = 1 << 34
MAX_CODE_POINT = 0x10FFFF

#: numpy scalar kinds that become Python scalars (numpy's own kinds, long double included).
_SCALAR_KINDS: dict[str, Any] = {"b": bool, "i": int, "u": int, "f": float, "U": str, "S": bytes}


class ProtocolError(Exception):
    """A frame or value that does not follow the protocol."""


class ChannelClosed(ProtocolError):
    """The other side closed the channel (end of file)."""


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


@dataclass(frozen=True)
class HandleRef:
    """A reference to an object that stays inside the worker."""

    id: int
    type_name: str
    callable: bool


# --------------------------------------------------------------------------- encoding


class Encoder:
    """Turns a value into a JSON tree plus raw buffers.

    ``on_other`` decides what happens to a value that is not plain data: the worker turns it
    into a handle; the grader passes ``None`` and gets a ``TypeError``.
    """

    def __init__(self, on_other: Any = None) -> None:
        self.buffers: list[bytes] = []
        self._on_other = on_other

    def encode(self, value: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise TypeError("value nested too deeply to cross the sandbox boundary")
        t = type(value)
        if value is None or t is bool or t is str:
            return value
        if t is int:
            if value.bit_length() > MAX_INT_BITS:
                raise TypeError("integer too large to cross the sandbox boundary")
            return value
        if t is float:
            if math.isfinite(value):
                return value
            return {"t": "float", "v": repr(value)}
        if t is list:
            return [self.encode(v, depth + 1) for v in value]
        if t is tuple:
            return {"t": "tuple", "v": [self.encode(v, depth + 1) for v in value]}
        if t is dict:
            return {
                "t": "dict",
                "v": [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in value.items()],
            }
        if t is bytes:
            return {"t": "bytes", "b": self._add(value)}
        if t is HandleRef:
            return {"t": "ref", "id": value.id}
        if isinstance(value, np.ndarray):
            return self._array(value)
        if isinstance(value, np.generic) and value.dtype.kind in _SCALAR_KINDS:
            return self.encode(_SCALAR_KINDS[value.dtype.kind](value), depth)
        if self._on_other is not None:
            return self._on_other(value, self, depth)
        raise TypeError(f"a {t.__name__} object cannot cross the sandbox boundary; pass plain data")

    def _add(self, data: bytes) -> int:
        self.buffers.append(data)
        return len(self.buffers) - 1

    def _array(self, value: np.ndarray) -> Any:
        base = np.ndarray.view(value, np.ndarray)
        if base.dtype.kind not in ARRAY_KINDS or base.dtype.fields is not None:
            raise TypeError(f"arrays of dtype {base.dtype} cannot cross the sandbox boundary")
        return {
            "t": "nd",
            "dtype": base.dtype.str,
            "shape": list(base.shape),
            "b": self._add(base.tobytes(order="C")),
        }


def encode_frame(header: dict[str, Any], buffers: list[bytes]) -> bytes:
    """Serialise a header and its buffers into one frame."""
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    parts = [_PREFIX.pack(len(head), len(buffers)), head]
    for buf in buffers:
        parts.append(_BUFLEN.pack(len(buf)))
        parts.append(buf)
    return b"".join(parts)


def pack(header: dict[str, Any], values: dict[str, Any], encoder: Encoder | None = None) -> bytes:
    """Encode ``values`` into ``header`` (as trees) and build the frame."""
    enc = encoder or Encoder()
    full = dict(header)
    for key, value in values.items():
        full[key] = enc.encode(value)
    return encode_frame(full, enc.buffers)


# --------------------------------------------------------------------------- decoding


class Decoder:
    """Turns a JSON tree and its buffers back into exact builtins and base ndarrays."""

    def __init__(self, buffers: list[bytes], make_handle: Any = None) -> None:
        self._buffers: list[bytes] = buffers
        self._make_handle = make_handle
        self._resolve_ref: Any = None
        self._items = 0

    def with_refs(self, resolve: Any) -> Decoder:
        self._resolve_ref = resolve
        return self

    def decode(self, tree: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ProtocolError("value nested too deeply")
        self._items += 1
        if self._items > MAX_ITEMS:
            raise ProtocolError("value has too many items")
        t = type(tree)
        if tree is None or t is bool or t is int or t is str:
            return tree
        if t is float:
            return tree
        if t is list:
            return [self.decode(v, depth + 1) for v in tree]
        if t is dict:
            return self._tagged(tree, depth)
        raise ProtocolError(f"unexpected JSON value of type {t.__name__}")

    def _tagged(self, tree: dict[str, Any], depth: int) -> Any:
        tag = tree.get("t")
        if tag == "tuple":
            items = _expect(tree, "v", list)
            return tuple(self.decode(v, depth + 1) for v in items)
        if tag == "dict":
            out: dict[Any, Any] = {}
            for pair in _expect(tree, "v", list):
                if type(pair) is not list or len(pair) != 2:
                    raise ProtocolError("malformed dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    out[key] = self.decode(pair[1], depth + 1)
                except TypeError as exc:  # unhashable key
                    raise ProtocolError(f"unhashable dict key: {exc}") from None
            return out
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


def _expect(tree: dict[str, Any], key: str, kind: type) -> Any:
    value = tree.get(key)
    if type(value) is not kind:
        raise ProtocolError(f"field {key!r} should be {kind.__name__}")
    return value


def parse_frame(frame: bytes) -> tuple[dict[str, Any], list[bytes]]:
    """Split a frame into its header object and buffers, validating sizes."""
    if len(frame) < _PREFIX.size:
        raise ProtocolError("frame too short")
    head_len, count = _PREFIX.unpack_from(frame, 0)
    pos = _PREFIX.size
    if head_len > MAX_HEADER_BYTES or count > MAX_BUFFERS:
        raise ProtocolError("frame header too large")
    try:
        header = json.loads(frame[pos : pos + head_len])
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"frame header is not valid JSON: {str(exc)[:200]}") from None
    if type(header) is not dict:
        raise ProtocolError("frame header is not an object")
    pos += head_len
    buffers: list[bytes] = []
    for _ in range(count):
        if pos + _BUFLEN.size > len(frame):
            raise ProtocolError("truncated frame")
        (size,) = _BUFLEN.unpack_from(frame, pos)
        pos += _BUFLEN.size
        if pos + size > len(frame):
            raise ProtocolError("truncated frame")
        buffers.append(frame[pos : pos + size])
        pos += size
    if pos != len(frame):
        raise ProtocolError("trailing bytes after frame")
    return header, buffers


# --------------------------------------------------------------------------- transport


class FrameReader:
    """Reads whole frames from a file descriptor, with a size cap and an optional deadline."""

    def __init__(self, fd: int, max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES) -> None:
        self.fd = fd
        self.max_frame_bytes = max_frame_bytes
        self._buf = bytearray()

    def read(self, timeout: float | None = None) -> bytes:
        """Return the next complete frame; raise ChannelTimeout, ChannelClosed or ProtocolError."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            frame = self._take()
            if frame is not None:
                return frame
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ChannelTimeout()
                ready, _, _ = select.select([self.fd], [], [], left)
                if not ready:
                    raise ChannelTimeout()
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise ChannelClosed("channel closed")
            self._buf += chunk

    def _take(self) -> bytes | None:
        buf = self._buf
        if len(buf) < _PREFIX.size:
            return None
        head_len, count = _PREFIX.unpack_from(buf, 0)
        if head_len > MAX_HEADER_BYTES or count > MAX_BUFFERS:
            raise ProtocolError("frame header too large")
        need = _PREFIX.size + head_len
        pos = need
        for _ in range(count):
            if len(buf) < pos + _BUFLEN.size:
                self._check_cap(pos + _BUFLEN.size)
                return None
            (size,) = _BUFLEN.unpack_from(buf, pos)
            pos += _BUFLEN.size + size
            self._check_cap(pos)
            if len(buf) < pos:
                return None
        self._check_cap(pos)
        if len(buf) < pos:
            return None
        frame = bytes(buf[:pos])
        del buf[:pos]
        return frame

    def _check_cap(self, size: int) -> None:
        if size > self.max_frame_bytes:
            raise ProtocolError(f"frame larger than {self.max_frame_bytes} bytes")


def write_with_deadline(target: Any, data: bytes, timeout: float,
                        write: Callable[[memoryview], int] | None = None) -> None:
    """Write every byte to a non-blocking file descriptor ``target`` (or, with ``write``, whatever
    ``target`` is that ``select`` can wait for) before ``timeout`` seconds pass (ChannelTimeout), or
    raise ChannelClosed when the reading end is gone."""
    put = write if write is not None else (lambda chunk: os.write(target, chunk))
    view = memoryview(data)
    deadline = time.monotonic() + timeout
    while view:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ChannelTimeout()
        try:
            _, ready, _ = select.select([], [target], [], left)
        except (OSError, ValueError) as exc:
            raise ChannelClosed(str(exc)) from None
        if not ready:
            continue
        try:
            view = view[put(view) :]
        except BlockingIOError:
            continue
        except OSError as exc:
            raise ChannelClosed(str(exc)) from None


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd``."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]
