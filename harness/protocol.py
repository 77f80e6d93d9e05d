"""Framing and codec for the trust boundary, shared by the worker and the grader.

Only plain data crosses: None, bool, int, float, str, bytes, lists, tuples and dicts of them,
and numpy arrays of numeric, bool or fixed-width string dtypes. Nothing is ever pickled.

A frame is ``u32 header length | u32 buffer count | header JSON | (u64 length | bytes) * count``.
The header is a JSON object; values inside it are *trees*: JSON scalars and lists stand for
themselves, and every JSON object is a tagged value (tuple, dict, bytes, array, handle, ref).
Arrays and bytes travel as raw buffers after the header, so large arrays cost one copy.

Decoding is strict and bounded (``harness.decode``, re-exported here): anything malformed or over
a cap raises ``ProtocolError``, a decode past its deadline ``DecodeTimeout``.
"""

from __future__ import annotations

import json
import math
import os
import select
import struct
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from harness.decode import (
    ARRAY_KINDS,
    MAX_ARRAY_ELEMENTS,
    MAX_CODE_POINT,
    MAX_CONTAINERS,
    MAX_DEPTH,
    MAX_DICT_ENTRIES,
    MAX_ITEMS,
    Decoder,
    DecodeTimeout,
    HandleRef,
    ProtocolError,
    load_header,
)

__all__ = [
    "ARRAY_KINDS", "DEFAULT_MAX_FRAME_BYTES", "MAX_ARRAY_ELEMENTS", "MAX_BUFFERS", "MAX_CODE_POINT",
    "MAX_CONTAINERS", "MAX_DEPTH", "MAX_DICT_ENTRIES", "MAX_HEADER_BYTES", "MAX_INT_BITS", "MAX_ITEMS",
    "ChannelClosed", "ChannelTimeout", "DecodeTimeout", "Decoder", "Encoder", "FrameReader", "HandleRef",
    "ProtocolError", "encode_frame", "pack", "parse_frame", "write_all", "write_with_deadline",
]

MAX_HEADER_BYTES = 16 * 1024 * 1024
MAX_BUFFERS = 100_000
DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024

_PREFIX = struct.Struct(">II")
_BUFLEN = struct.Struct(">Q")

MAX_INT_BITS = 14_284  # below 2**14284 an int has at most 4,300 digits, Python's int/str limit

#: numpy scalar kinds that become Python scalars (numpy's own kinds, long double included).
_SCALAR_KINDS: dict[str, Any] = {"b": bool, "i": int, "u": int, "f": float, "U": str, "S": bytes}


class ChannelClosed(ProtocolError):
    """The other side closed the channel (end of file)."""


class ChannelTimeout(Exception):
    """No complete frame arrived before the deadline."""


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


def parse_frame(frame: bytes, deadline: float | None = None) -> tuple[dict[str, Any], list[bytes]]:
    """Split a frame into its header object and buffers, validating sizes (and the header's cost:
    ``harness.decode.load_header``); DecodeTimeout once ``deadline`` (``time.monotonic()``) passes."""
    if len(frame) < _PREFIX.size:
        raise ProtocolError("frame too short")
    head_len, count = _PREFIX.unpack_from(frame, 0)
    pos = _PREFIX.size
    if head_len > MAX_HEADER_BYTES or count > MAX_BUFFERS:
        raise ProtocolError("frame header too large")
    header = load_header(frame[pos : pos + head_len], deadline)
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
