"""The frame codec of the trust boundary (harness/protocol.py).

Round trips of every plain type, exact types after decoding, refusals on the trusted encoder,
and the decoder's promise: anything malformed raises ``ProtocolError`` (never another
exception type, never a hang).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import struct
import threading
import time
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from harness.decode import MAX_SHARED_HASH
from harness.protocol import (
    MAX_BUFFERS,
    MAX_CONTAINERS,
    MAX_DEPTH,
    MAX_DICT_ENTRIES,
    MAX_HEADER_BYTES,
    MAX_ITEMS,
    ChannelClosed,
    ChannelTimeout,
    Decoder,
    DecodeTimeout,
    Encoder,
    FrameReader,
    HandleRef,
    ProtocolError,
    encode_frame,
    pack,
    parse_frame,
    write_all,
)

PREFIX = struct.Struct(">II")
BUFLEN = struct.Struct(">Q")


# --------------------------------------------------------------------------- helpers


def roundtrip(value: Any) -> Any:
    """Encode with the trusted encoder, frame, parse and decode."""
    frame = pack({"kind": "result"}, {"value": value}, Encoder())
    header, buffers = parse_frame(frame)
    assert header["kind"] == "result"
    return Decoder(buffers).decode(header["value"])


def decode_tree(tree: Any, buffers: list[bytes] | None = None) -> Any:
    """Put ``tree`` in a frame by hand, parse it and decode it."""
    header, bufs = parse_frame(encode_frame({"value": tree}, list(buffers or [])))
    return Decoder(bufs).decode(header["value"])


def raw_frame(header_bytes: bytes, buffers: list[bytes] = (), count: int | None = None) -> bytes:
    parts = [PREFIX.pack(len(header_bytes), len(buffers) if count is None else count), header_bytes]
    for buf in buffers:
        parts += [BUFLEN.pack(len(buf)), buf]
    return b"".join(parts)


def expected_of(value: Any) -> Any:
    """What ``value`` should look like after crossing: numpy scalars become Python scalars,
    ndarray subclasses become base ndarrays."""
    if isinstance(value, np.ndarray):
        return np.asarray(np.ndarray.view(value, np.ndarray))
    if isinstance(value, np.generic):
        return value.item()
    if type(value) is list:
        return [expected_of(v) for v in value]
    if type(value) is tuple:
        return tuple(expected_of(v) for v in value)
    if type(value) is dict:
        return {expected_of(k): expected_of(v) for k, v in value.items()}
    return value


def assert_same(got: Any, want: Any) -> None:
    """Exact equality: same types all the way down, nan == nan, -0.0 != 0.0, same dtypes."""
    assert type(got) is type(want), (type(got), type(want))
    if type(want) is float:
        if math.isnan(want):
            assert math.isnan(got)
        else:
            assert got == want
            assert math.copysign(1.0, got) == math.copysign(1.0, want)
    elif type(want) in (list, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_same(g, w)
    elif type(want) is dict:
        assert len(got) == len(want)
        for (gk, gv), (wk, wv) in zip(got.items(), want.items(), strict=True):
            assert_same(gk, wk)
            assert_same(gv, wv)
    elif type(want) is np.ndarray:
        assert got.dtype == want.dtype and got.dtype.str == want.dtype.str
        assert got.shape == want.shape
        assert got.flags.writeable
        assert got.flags.c_contiguous
        if want.dtype.kind in "fc":
            assert np.array_equal(got, want, equal_nan=True)
        else:
            assert np.array_equal(got, want)
    else:
        assert got == want


# --------------------------------------------------------------------------- plain values

PLAIN_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**63 - 1,
    2**63,
    -(2**63) - 1,
    2**64,
    3**500,
    -(10**4299),  # the largest magnitude JSON may carry under Python's int/str digit limit
    0.0,
    -0.0,
    1.5,
    -1e-310,  # subnormal
    1.7976931348623157e308,
    5e-324,
    0.1 + 0.2,
    math.inf,
    -math.inf,
    math.nan,
    "",
    "plain",
    "non-ASCII: é ü ß 漢字 🙂 \u2028 \ufeff",
    "with\x00NUL\x00inside",
    'quotes " and \\ backslash and \n newline and \x1b escape',
    b"",
    b"\x00\x01\xff" * 100,
    bytes(range(256)),
    [],
    (),
    {},
    [1, "a", None, [2, [3, [4]]]],
    (1, (2, (3,)), [()], {}),
    {"a": 1, "b": [1, 2], "c": {"d": (1,)}},
    {1: "int key", 2.5: "float key", None: "none key", False: "bool key", (1, "x"): "tuple key", b"k": "bytes"},
    {(): {(): ()}},
    [math.nan, -0.0, math.inf, {"x": -math.inf}],
]


@pytest.mark.parametrize("value", PLAIN_VALUES, ids=lambda v: repr(v)[:40])
def test_plain_values_round_trip_exactly(value: Any) -> None:
    assert_same(roundtrip(value), value)


def test_dict_keys_of_equal_hash_keep_first_key_and_last_value() -> None:
    # {1: .., True: ..} collapses in Python itself; crossing must not change which key survives.
    value = dict([(1, "a"), (True, "b")])
    assert_same(roundtrip(value), value)


def test_decoded_containers_are_exact_builtins() -> None:
    got = roundtrip({"l": [1], "t": (1,), "d": {}, "s": "x", "b": b"y", "f": 1.0, "i": 1, "n": None})
    assert type(got) is dict
    assert type(got["l"]) is list
    assert type(got["t"]) is tuple
    assert type(got["d"]) is dict
    assert type(got["s"]) is str
    assert type(got["b"]) is bytes
    assert type(got["f"]) is float
    assert type(got["i"]) is int
    assert got["n"] is None


def test_decoded_bool_is_bool_not_int() -> None:
    got = roundtrip([True, 1, False, 0])
    assert [type(v) for v in got] == [bool, int, bool, int]


# --------------------------------------------------------------------------- numpy

ALLOWED_DTYPES = [
    "?",  # b
    "i1", "i2", "i4", "i8",  # i
    "u1", "u2", "u4", "u8",  # u
    "f2", "f4", "f8", "g",  # f (g = long double)
    "c8", "c16", "G",  # c
    "U1", "U7",  # U
    "S1", "S7",  # S
]  # fmt: skip


def sample_array(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    dt = np.dtype(dtype)
    n = math.prod(shape)
    rng = np.random.default_rng(0)
    if dt.kind == "b":
        data = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        data = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
    elif dt.kind == "f":
        data = rng.normal(size=n).astype(dt)
        if n >= 4:
            data[:4] = [np.nan, np.inf, -np.inf, -0.0]
    elif dt.kind == "c":
        data = (rng.normal(size=n) + 1j * rng.normal(size=n)).astype(dt)
        if n >= 2:
            data[:2] = [complex(np.nan, 1), complex(-np.inf, 0)]
    elif dt.kind == "U":
        pool = ["", "a", "é", "漢字", "🙂x", "abcdefgh", "nul\x00in"]
        data = np.array([pool[i % len(pool)] for i in range(n)], dtype=dt)
    else:
        pool = [b"", b"a", b"\xff\x00z", b"abcdefgh"]
        data = np.array([pool[i % len(pool)] for i in range(n)], dtype=dt)
    return np.asarray(data, dtype=dt).reshape(shape)


@pytest.mark.parametrize("dtype", ALLOWED_DTYPES)
@pytest.mark.parametrize(
    "shape",
    [
        (),
        (0,),
        (3, 0),
        (5,),
        (2, 3),
        (2, 1, 3),
    ],
    ids=str,
)
def test_arrays_of_every_allowed_dtype_round_trip(dtype: str, shape: tuple[int, ...]) -> None:
    arr = sample_array(dtype, shape)
    got = roundtrip(arr)
    assert type(got) is np.ndarray
    assert_same(got, arr)


@pytest.mark.parametrize("dtype", ["i4", "f8", "c16", "U3", "u2"])
def test_big_endian_arrays_keep_values_and_byte_order(dtype: str) -> None:
    arr = sample_array(dtype, (7,)).astype(np.dtype(dtype).newbyteorder(">"))
    assert arr.dtype.byteorder in (">", "|")
    got = roundtrip(arr)
    assert_same(got, arr)
    # Same values once converted to native order too.
    native = arr.astype(arr.dtype.newbyteorder("="))
    if native.dtype.kind in "fc":
        assert np.array_equal(got.astype(native.dtype), native, equal_nan=True)
    else:
        assert np.array_equal(got.astype(native.dtype), native)


def test_non_contiguous_and_fortran_arrays() -> None:
    base = np.arange(60, dtype=np.float64).reshape(6, 10)
    cases = [
        base[::2, ::3],
        base.T,
        base[:, 3],
        np.asfortranarray(base),
        np.asfortranarray(sample_array("U7", (3, 4))),
        base[::-1],
        np.broadcast_to(np.arange(3), (4, 3)),  # zero strides, read-only
    ]
    for arr in cases:
        got = roundtrip(arr)
        assert type(got) is np.ndarray
        assert got.flags.c_contiguous and got.flags.writeable
        assert got.shape == arr.shape and got.dtype == arr.dtype
        assert np.array_equal(got, arr)


def test_zero_dimensional_arrays_stay_arrays() -> None:
    for arr in (np.array(3.5), np.array(7, dtype=np.int16), np.array("x"), np.array(True)):
        got = roundtrip(arr)
        assert type(got) is np.ndarray and got.shape == () and got.dtype == arr.dtype
        assert got[()] == arr[()]


def test_decoded_arrays_are_writable_copies_not_views_of_the_frame() -> None:
    frame = pack({}, {"a": np.arange(4, dtype=np.int64)}, Encoder())
    header, buffers = parse_frame(frame)
    got = Decoder(buffers).decode(header["a"])
    got[0] = 99
    assert buffers[0][:8] == b"\x00" * 8  # the frame's buffer is untouched
    again = Decoder(buffers).decode(header["a"])
    assert again[0] == 0


def test_ndarray_subclasses_become_base_ndarrays() -> None:
    class Sneaky(np.ndarray):
        def __eq__(self, other):  # type: ignore[no-untyped-def, override]
            return True

    sneaky = np.arange(3.0).view(Sneaky)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        matrix = np.matrix([[1, 2], [3, 4]])
    for arr in (matrix, np.ma.masked_array([1, 2, 3], mask=[0, 1, 0]), sneaky):
        got = roundtrip(arr)
        assert type(got) is np.ndarray
        assert np.array_equal(got, np.ndarray.view(arr, np.ndarray))


@pytest.mark.parametrize(
    ("scalar", "python_type"),
    [
        (np.bool_(True), bool),
        (np.int8(-3), int),
        (np.int64(2**62), int),
        (np.uint8(255), int),
        (np.uint64(2**64 - 1), int),
        (np.float16(1.5), float),
        (np.float32(0.25), float),
        (np.float64(-0.0), float),
        (np.float64(np.nan), float),
        (np.float32(np.inf), float),
    ],
    ids=repr,
)
def test_numpy_scalars_become_python_scalars(scalar: Any, python_type: type) -> None:
    got = roundtrip(scalar)
    assert type(got) is python_type
    assert_same(got, scalar.item())
    nested = roundtrip({"k": [scalar, (scalar,)]})
    assert type(nested["k"][0]) is python_type and type(nested["k"][1][0]) is python_type


def test_numpy_scalar_dict_keys_become_python_scalars() -> None:
    got = roundtrip({np.int64(3): "x", np.float64(0.5): "y"})
    assert [type(k) for k in got] == [int, float]


def test_long_double_scalar_is_converted_or_refused_with_type_error() -> None:
    try:
        got = roundtrip(np.longdouble(1.5))
    except TypeError:
        return
    assert type(got) is float and got == 1.5


def test_int_beyond_str_digit_limit_round_trips_or_is_refused_with_type_error() -> None:
    value = 10**5000
    try:
        got = roundtrip(value)
    except TypeError:
        return
    assert got == value


# --------------------------------------------------------------------------- refusals (trusted encoder)


class Custom:
    def __eq__(self, other: object) -> bool:
        return True


REFUSED = [
    object(),
    Custom(),
    {1, 2},
    frozenset(),
    1 + 2j,
    bytearray(b"x"),
    memoryview(b"x"),
    range(3),
    len,
    type,
    Ellipsis,
    np.array([1, "a"], dtype=object),
    np.array([None]),
    np.zeros(3, dtype=[("a", "i4"), ("b", "f8")]),
    np.zeros(2, dtype="V8"),
    np.zeros(2, dtype="datetime64[s]"),
    np.zeros(2, dtype="timedelta64[s]"),
    np.zeros(3, dtype=[("a", "i4")])[0],  # np.void scalar
    np.datetime64("2020-01-01"),
    np.complex128(1j),  # a complex numpy *scalar* is not plain (only complex arrays are)
]


@pytest.mark.parametrize("value", REFUSED, ids=lambda v: type(v).__name__)
def test_trusted_encoder_refuses_non_plain_values_with_type_error(value: Any) -> None:
    with pytest.raises(TypeError):
        Encoder().encode(value)
    with pytest.raises(TypeError):
        pack({}, {"value": [1, {"k": (value,)}]}, Encoder())


@pytest.mark.parametrize(
    "value",
    [True, 3, 2.5, "s"],
    ids=["bool", "int", "float", "str"],
)
def test_subclasses_of_plain_types_are_refused_on_the_trusted_side(value: Any) -> None:
    import enum

    class Sub(type(value) if type(value) is not bool else int):  # type: ignore[misc]
        pass

    class E(enum.IntEnum):
        A = 1

    for sneaky in (Sub(value), E.A):
        with pytest.raises(TypeError):
            Encoder().encode(sneaky)


def test_subclasses_of_containers_are_refused_on_the_trusted_side() -> None:
    from collections import OrderedDict, namedtuple

    Point = namedtuple("Point", "x y")

    class MyList(list):  # type: ignore[type-arg]
        pass

    for sneaky in (OrderedDict(a=1), Point(1, 2), MyList([1])):
        with pytest.raises(TypeError):
            Encoder().encode(sneaky)


def test_encoder_refuses_values_nested_too_deeply() -> None:
    value: Any = 0
    for _ in range(MAX_DEPTH + 1):
        value = [value]
    with pytest.raises(TypeError):
        Encoder().encode(value)
    ok: Any = 0
    for _ in range(MAX_DEPTH):
        ok = [ok]
    assert roundtrip(ok) == ok


def test_handle_refs_encode_as_refs_and_need_a_resolver() -> None:
    frame = pack({}, {"v": [HandleRef(7, "Model", True)]}, Encoder())
    header, buffers = parse_frame(frame)
    assert header["v"] == [{"t": "ref", "id": 7}]
    assert Decoder(buffers).with_refs(lambda i: ("resolved", i)).decode(header["v"]) == [("resolved", 7)]
    with pytest.raises(ProtocolError):
        Decoder(buffers).decode(header["v"])


def test_handles_only_decode_with_a_handle_factory() -> None:
    tree = {"t": "handle", "id": 3, "type": "Model", "callable": False}
    with pytest.raises(ProtocolError):
        decode_tree(tree)
    header, buffers = parse_frame(encode_frame({"v": tree}, []))
    got = Decoder(buffers, make_handle=lambda ref: ref).decode(header["v"])
    assert got == HandleRef(3, "Model", False)


# --------------------------------------------------------------------------- property: round trips

hashable_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary(max_size=50)
)
hashables = st.recursive(hashable_scalars, lambda inner: st.tuples(inner, inner) | st.tuples(inner), max_leaves=6)

array_dtypes = st.sampled_from([*ALLOWED_DTYPES, ">i4", ">f8", ">c8", ">U3"])


@st.composite
def arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = np.dtype(draw(array_dtypes))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
    arr = draw(hnp.arrays(dtype, shape))
    if draw(st.booleans()) and arr.ndim >= 1:
        arr = arr[::-1] if draw(st.booleans()) else np.asfortranarray(arr)
    return arr


plain_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**200), max_value=2**200)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
    | st.binary(max_size=100)
    | st.sampled_from([np.int32(5), np.float32(1.5), np.bool_(False), np.uint64(7)])
    | arrays()
)
plain_values = st.recursive(
    plain_scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(inner, max_size=5).map(tuple)
        | st.dictionaries(hashables, inner, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_values)
def test_property_plain_values_round_trip_exactly(value: Any) -> None:
    assert_same(roundtrip(value), expected_of(value))


# --------------------------------------------------------------------------- malformed frames


def valid_frame() -> bytes:
    return pack(
        {"kind": "result", "seconds": 0.5},
        {"value": {"arr": np.arange(6, dtype=np.int32).reshape(2, 3), "b": b"raw\x00", "t": (1, 2.5, math.nan)}},
        Encoder(),
    )


def test_valid_frame_parses() -> None:
    header, buffers = parse_frame(valid_frame())
    got = Decoder(buffers).decode(header["value"])
    assert got["b"] == b"raw\x00" and got["arr"].shape == (2, 3)


def test_every_truncation_of_a_valid_frame_is_a_protocol_error() -> None:
    frame = valid_frame()
    for cut in range(len(frame)):
        with pytest.raises(ProtocolError):
            parse_frame(frame[:cut])


def test_trailing_bytes_are_a_protocol_error() -> None:
    frame = valid_frame()
    for extra in (b"\x00", b"x" * 100, frame):
        with pytest.raises(ProtocolError):
            parse_frame(frame + extra)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\x00" * 7,
        b"\x00" * 8,  # empty header: not JSON
        b"\xff" * 64,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        PREFIX.pack(2, 0) + b"\xff\xfe",  # not UTF-8
        PREFIX.pack(3, 0) + b"\xef\xbb\xbf",  # a BOM alone
        PREFIX.pack(2, 0) + b"{",
        PREFIX.pack(5, 0) + b"{} {}",
        PREFIX.pack(4, 0) + b"{}\x00\x00",
        PREFIX.pack(1, 0) + b"{}",  # header length too short: trailing bytes
        PREFIX.pack(10, 0) + b"{}",  # header length past the end
        PREFIX.pack(10_000, 0) + b"{" * 10_000,
        PREFIX.pack(4305, 0) + b'{"a":' + b"9" * 4300 + b"}",  # int past the str digit limit
    ],
    ids=lambda d: repr(d)[:30],
)
def test_garbage_bytes_are_a_protocol_error(data: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_frame(data)


@pytest.mark.parametrize(
    "frame",
    [
        raw_frame(b"{}", [b"abc"], count=2),  # says two buffers, has one
        raw_frame(b"{}", [b"abc"], count=0),  # says none, has one: trailing bytes
        PREFIX.pack(2, 1) + b"{}" + BUFLEN.pack(10) + b"abc",  # buffer shorter than its prefix
        PREFIX.pack(2, 1) + b"{}" + BUFLEN.pack(2**64 - 1) + b"abc",
        PREFIX.pack(2, 1) + b"{}" + BUFLEN.pack(2) + b"abc",  # buffer longer than its prefix
        PREFIX.pack(2, 1) + b"{}" + b"\x00" * 4,  # truncated length prefix
        PREFIX.pack(2, MAX_BUFFERS + 1) + b"{}",
        PREFIX.pack(2, 2**32 - 1) + b"{}",
        PREFIX.pack(MAX_HEADER_BYTES + 1, 0) + b"{}",
        PREFIX.pack(2**32 - 1, 0) + b"{}",
        PREFIX.pack(2**32 - 1, 2**32 - 1),
    ],
    ids=range(11),
)
def test_wrong_buffer_counts_and_sizes_are_a_protocol_error(frame: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_frame(frame)


def test_huge_header_length_prefix_fails_fast() -> None:
    started = time.monotonic()
    with pytest.raises(ProtocolError):
        parse_frame(PREFIX.pack(2**32 - 1, 0) + b"{}")
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("header", [b"[]", b"1", b'"s"', b"null", b"true", b"[{}]", b"1.5", b"NaN"])
def test_non_object_header_is_a_protocol_error(header: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_frame(raw_frame(header))


def test_deeply_nested_json_header_is_a_protocol_error() -> None:
    for depth in (10_000, 100_000):
        body = b'{"v":' + b"[" * depth + b"]" * depth + b"}"
        with pytest.raises(ProtocolError):
            parse_frame(raw_frame(body))
    body = b'{"v":' + b'{"a":' * 10_000 + b"1" + b"}" * 10_000 + b"}"
    with pytest.raises(ProtocolError):
        parse_frame(raw_frame(body))


@pytest.mark.parametrize("kind", ["list", "tuple", "dict-key", "dict-value"])
def test_values_nested_past_max_depth_are_a_protocol_error(kind: str) -> None:
    tree: Any = 1
    for _ in range(MAX_DEPTH + 5):
        if kind == "list":
            tree = [tree]
        elif kind == "tuple":
            tree = {"t": "tuple", "v": [tree]}
        elif kind == "dict-key":
            tree = {"t": "dict", "v": [[{"t": "tuple", "v": [tree]} if isinstance(tree, dict) else tree, 1]]}
        else:
            tree = {"t": "dict", "v": [["k", tree]]}
    with pytest.raises(ProtocolError):
        decode_tree(tree)


def test_too_many_items_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        decode_tree([0] * (MAX_ITEMS + 1))
    with pytest.raises(ProtocolError):
        decode_tree({"t": "tuple", "v": [[0] * 1000] * (MAX_ITEMS // 1000 + 1)})
    assert len(decode_tree([0] * (MAX_ITEMS - 1))) == MAX_ITEMS - 1


@pytest.mark.parametrize(
    "tree",
    [
        {},
        {"t": None},
        {"t": 5},
        {"t": ["tuple"]},
        {"t": "pickle", "v": "gASVAAAAAAAAAC4="},
        {"t": "object"},
        {"t": "TUPLE", "v": []},
        {"t": "tuple"},
        {"t": "tuple", "v": "ab"},
        {"t": "tuple", "v": {"t": "tuple", "v": []}},
        {"t": "dict", "v": {}},
        {"t": "dict", "v": [[1]]},
        {"t": "dict", "v": [[1, 2, 3]]},
        {"t": "dict", "v": ["ab"]},
        {"t": "dict", "v": [[[1], 2]]},  # unhashable key: list
        {"t": "dict", "v": [[{"t": "dict", "v": []}, 2]]},  # unhashable key: dict
        {"t": "dict", "v": [[{"t": "tuple", "v": [[1]]}, 2]]},  # tuple holding a list
        {"t": "float"},
        {"t": "float", "v": "1.5"},
        {"t": "float", "v": "NaN"},
        {"t": "float", "v": "infinity"},
        {"t": "float", "v": 1.5},
        {"t": "bytes"},
        {"t": "bytes", "b": 1},
        {"t": "bytes", "b": -1},
        {"t": "bytes", "b": True},
        {"t": "bytes", "b": 0.0},
        {"t": "bytes", "b": "0"},
        {"t": "handle", "id": 1, "type": "X"},  # no handle factory on this decoder
        {"t": "ref", "id": 0},  # no resolver on this decoder
        [1, {"t": "nope"}],
    ],
    ids=lambda t: json.dumps(t)[:40],
)
def test_unknown_or_malformed_tags_are_a_protocol_error(tree: Any) -> None:
    with pytest.raises(ProtocolError):
        decode_tree(tree, [b"x"])


def nd(dtype: Any, shape: Any, b: Any = 0) -> dict[str, Any]:
    return {"t": "nd", "dtype": dtype, "shape": shape, "b": b}


@pytest.mark.parametrize(
    ("tree", "buffers"),
    [
        (nd("O", [1]), [b"\x00" * 8]),
        (nd("|O", [1]), [b"\x00" * 8]),
        (nd("|V8", [1]), [b"\x00" * 8]),
        (nd("V", [0]), [b""]),
        (nd("garbage", [1]), [b"\x00" * 8]),
        (nd("", [0]), [b""]),
        (nd("i4,i4", [1]), [b"\x00" * 8]),
        (nd("(2,)i4", [1]), [b"\x00" * 8]),
        (nd("M8[s]", [1]), [b"\x00" * 8]),
        (nd("m8[s]", [1]), [b"\x00" * 8]),
        (nd("M8[garbage]", [1]), [b"\x00" * 8]),
        (nd("<U99999999999999999999", [0]), [b""]),
        (nd("S-1", [0]), [b""]),
        (nd(8, [1]), [b"\x00" * 8]),
        (nd(None, [1]), [b"\x00" * 8]),
        (nd(["<f8"], [1]), [b"\x00" * 8]),
        (nd([["a", "<f8"]], [1]), [b"\x00" * 8]),
    ],
    ids=lambda x: json.dumps(x)[:40] if isinstance(x, dict) else "",
)
def test_bad_dtypes_are_a_protocol_error(tree: Any, buffers: list[bytes]) -> None:
    with pytest.raises(ProtocolError):
        decode_tree(tree, buffers)


@pytest.mark.parametrize(
    ("tree", "buffers"),
    [
        (nd("<f8", [-1]), [b""]),
        (nd("<f8", [-1, -8]), [b"\x00" * 64]),
        (nd("<f8", [2**63]), [b""]),
        (nd("<f8", [2**64 + 1]), [b"\x00" * 8]),
        (nd("<f8", [10**30]), [b""]),
        (nd("<f8", [10**30, 10**30]), [b"\x00" * 8]),
        (nd("<f8", [2**32, 2**32]), [b"\x00" * 8]),  # product overflows 64 bits
        (nd("<f8", [1.0]), [b"\x00" * 8]),
        (nd("<f8", [True]), [b"\x00" * 8]),
        (nd("<f8", ["1"]), [b"\x00" * 8]),
        (nd("<f8", [None]), [b"\x00" * 8]),
        (nd("<f8", [[1]]), [b"\x00" * 8]),
        (nd("<f8", 1), [b"\x00" * 8]),
        (nd("<f8", {"t": "tuple", "v": [1]}), [b"\x00" * 8]),
        (nd("<f8", [1] * 33), [b"\x00" * 8]),
        (nd("<f8", None), [b"\x00" * 8]),
    ],
    ids=lambda x: json.dumps(x)[:48] if isinstance(x, dict) else "",
)
def test_negative_huge_or_malformed_shapes_are_a_protocol_error(tree: Any, buffers: list[bytes]) -> None:
    with pytest.raises(ProtocolError):
        decode_tree(tree, buffers)


@pytest.mark.parametrize(
    ("tree", "buffers"),
    [
        (nd("<f8", [3]), [b"\x00" * 16]),
        (nd("<f8", [3]), [b"\x00" * 32]),
        (nd("<f8", [2, 2]), [b"\x00" * 24]),
        (nd("<f8", []), [b""]),  # 0-d needs one item
        (nd("<f8", [0]), [b"\x00"]),
        (nd("<U2", [1]), [b"\x00" * 4]),
        (nd("|S3", [2]), [b"\x00" * 5]),
        (nd("<c16", [1]), [b"\x00" * 8]),
        (nd("<f8", [1], b=1), [b"\x00" * 8]),  # buffer index out of range
        (nd("<f8", [1], b=-1), [b"\x00" * 8]),
        (nd("<f8", [1], b=None), [b"\x00" * 8]),
        (nd("<f8", [1], b=False), [b"\x00" * 8]),
        ({"t": "nd", "dtype": "<f8", "shape": [1]}, [b"\x00" * 8]),
    ],
    ids=lambda x: json.dumps(x)[:48] if isinstance(x, dict) else "",
)
def test_shape_and_buffer_mismatch_is_a_protocol_error(tree: Any, buffers: list[bytes]) -> None:
    with pytest.raises(ProtocolError):
        decode_tree(tree, buffers)


@pytest.mark.parametrize("shape", [[0, 2**70], [0, 2**62, 2**62], [2**63, 0]])
def test_zero_sized_arrays_with_huge_dimensions_are_a_protocol_error(shape: list[int]) -> None:
    with pytest.raises(ProtocolError):
        decode_tree(nd("<f8", shape), [b""])


@pytest.mark.parametrize(("dtype", "shape"), [("|S0", [10**18]), ("<U0", [2**70]), ("|S0", [10**9])])
def test_zero_itemsize_dtypes_with_huge_shapes_are_a_protocol_error(dtype: str, shape: list[int]) -> None:
    with pytest.raises(ProtocolError):
        decode_tree(nd(dtype, shape), [b""])


def test_unicode_arrays_with_invalid_code_points_are_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        got = decode_tree(nd("<U1", [1]), [b"\xff\xff\xff\xff"])
        got.tolist()  # what a checker would do; must not raise SystemError


# --------------------------------------------------------------------------- property: garbage in, ProtocolError out


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300))
def test_property_random_bytes_to_parse_frame(data: bytes) -> None:
    try:
        header, buffers = parse_frame(data)
    except ProtocolError:
        return
    for value in header.values():
        with contextlib.suppress(ProtocolError):
            Decoder(buffers).decode(value)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_property_mutated_valid_frames(data: st.DataObject) -> None:
    frame = bytearray(valid_frame())
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(frame) - 1))
        frame[pos] = data.draw(st.integers(0, 255))
    try:
        header, buffers = parse_frame(bytes(frame))
    except ProtocolError:
        return
    for value in header.values():
        with contextlib.suppress(ProtocolError):
            Decoder(buffers).decode(value)


json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
TAGS = ["tuple", "dict", "float", "bytes", "nd", "handle", "ref", "bogus", ""]
DTYPES = ["<f8", ">i4", "|b1", "<U2", "|S3", "<c8", "O", "|V8", "garbage", "M8[s]", "f8,i4", "g", "?"]


def tagged(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    field_values = children | st.lists(children, max_size=3)
    shapes = st.lists(st.integers(min_value=-2, max_value=2**65) | st.booleans() | st.none(), max_size=4)
    return st.fixed_dictionaries(
        {"t": st.sampled_from(TAGS)},
        optional={
            "v": field_values | st.sampled_from(["nan", "inf", "-inf", "1"]),
            "b": st.integers(min_value=-1, max_value=3) | st.booleans(),
            "dtype": st.sampled_from(DTYPES) | st.text(max_size=5),
            "shape": shapes,
            "id": st.integers(min_value=-1, max_value=3),
            "type": st.text(max_size=5),
        },
    )


json_trees = st.recursive(json_leaves, lambda inner: st.lists(inner, max_size=4) | tagged(inner), max_leaves=20)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(json_trees, st.lists(st.binary(max_size=24), max_size=3))
def test_property_random_trees_decode_or_raise_protocol_error(tree: Any, buffers: list[bytes]) -> None:
    frame = encode_frame({"value": tree}, buffers)
    header, bufs = parse_frame(frame)
    for decoder in (
        Decoder(bufs),
        Decoder(bufs, make_handle=lambda ref: ref).with_refs(lambda i: i),
    ):
        with contextlib.suppress(ProtocolError):
            decoder.decode(header["value"])


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000), st.integers(min_value=1, max_value=4096))
def test_property_random_bytes_to_frame_reader(data: bytes, cap: int) -> None:
    r, w = os.pipe()
    try:
        write_all(w, data)  # well under the pipe buffer: never blocks
        os.close(w)
        w = -1
        reader = FrameReader(r, max_frame_bytes=cap)
        for _ in range(len(data) + 2):  # each frame consumes at least 8 bytes: must end
            try:
                frame = reader.read(timeout=2.0)
            except (ChannelClosed, ProtocolError):
                return
            try:
                header, buffers = parse_frame(frame)
                for value in header.values():
                    Decoder(buffers).decode(value)
            except ProtocolError:
                pass
        pytest.fail("FrameReader kept returning frames past the end of the data")
    finally:
        os.close(r)
        if w != -1:
            os.close(w)


# --------------------------------------------------------------------------- FrameReader


@pytest.fixture
def pipe() -> Any:
    r, w = os.pipe()
    fds = {"r": r, "w": w}
    yield fds
    for fd in fds.values():
        if fd != -1:
            with contextlib.suppress(OSError):
                os.close(fd)


def close_writer(fds: dict[str, int]) -> None:
    os.close(fds["w"])
    fds["w"] = -1


def some_frames() -> list[bytes]:
    return [
        pack({"kind": "a"}, {"v": 1}),
        pack({"kind": "b"}, {"v": np.arange(1000, dtype=np.float64), "w": b"\x00" * 17}),
        pack({"kind": "c"}, {}),
        pack({"kind": "d"}, {"v": [b"", b"x", (b"yy",)]}),
    ]


def test_frame_reader_reassembles_frames_split_across_many_small_writes(pipe: dict[str, int]) -> None:
    frames = some_frames()
    stream = b"".join(frames)

    def writer() -> None:
        pos, step = 0, 1
        while pos < len(stream):
            write_all(pipe["w"], stream[pos : pos + step])
            pos += step
            step = step % 13 + 1
            if pos % 97 < 13:
                time.sleep(0.001)

    thread = threading.Thread(target=writer)
    thread.start()
    reader = FrameReader(pipe["r"])
    got = [reader.read(timeout=5.0) for _ in frames]
    thread.join()
    assert got == frames
    with pytest.raises(ChannelTimeout):
        reader.read(timeout=0.05)


def test_frame_reader_large_frame_from_a_thread(pipe: dict[str, int]) -> None:
    frame = pack({"kind": "big"}, {"v": np.arange(2_000_000, dtype=np.float64)})  # 16 MB, many pipe fills
    thread = threading.Thread(target=write_all, args=(pipe["w"], frame))
    thread.start()
    got = FrameReader(pipe["r"]).read(timeout=10.0)
    thread.join()
    header, buffers = parse_frame(got)
    assert np.array_equal(Decoder(buffers).decode(header["v"]), np.arange(2_000_000, dtype=np.float64))


def test_frame_reader_returns_several_frames_from_one_write(pipe: dict[str, int]) -> None:
    frames = some_frames()
    write_all(pipe["w"], b"".join(frames))
    reader = FrameReader(pipe["r"])
    assert [reader.read(timeout=1.0) for _ in frames] == frames
    close_writer(pipe)
    with pytest.raises(ChannelClosed):
        reader.read(timeout=1.0)


def test_frame_reader_times_out_when_nothing_arrives(pipe: dict[str, int]) -> None:
    reader = FrameReader(pipe["r"])
    started = time.monotonic()
    with pytest.raises(ChannelTimeout):
        reader.read(timeout=0.2)
    elapsed = time.monotonic() - started
    assert 0.15 <= elapsed < 2.0
    assert not isinstance(ChannelTimeout(), ProtocolError)  # a timeout is not the submission's malformed frame


def test_frame_reader_timeout_keeps_a_partial_frame(pipe: dict[str, int]) -> None:
    frame = some_frames()[1]
    write_all(pipe["w"], frame[:100])
    reader = FrameReader(pipe["r"])
    with pytest.raises(ChannelTimeout):
        reader.read(timeout=0.1)
    write_all(pipe["w"], frame[100:])
    assert reader.read(timeout=1.0) == frame


def test_frame_reader_eof_is_channel_closed(pipe: dict[str, int]) -> None:
    close_writer(pipe)
    reader = FrameReader(pipe["r"])
    with pytest.raises(ChannelClosed):
        reader.read(timeout=1.0)
    with pytest.raises(ChannelClosed):
        reader.read(timeout=None)  # no deadline: still returns at EOF


def test_frame_reader_eof_in_the_middle_of_a_frame_is_channel_closed(pipe: dict[str, int]) -> None:
    frame = some_frames()[1]
    write_all(pipe["w"], frame[: len(frame) // 2])
    close_writer(pipe)
    with pytest.raises(ChannelClosed):
        FrameReader(pipe["r"]).read(timeout=1.0)


def test_frame_reader_enforces_max_frame_bytes(pipe: dict[str, int]) -> None:
    small = pack({"kind": "ok"}, {"v": b"x" * 10})
    big = pack({"kind": "big"}, {"v": b"x" * 2000})
    write_all(pipe["w"], small + big)
    reader = FrameReader(pipe["r"], max_frame_bytes=1000)
    assert reader.read(timeout=1.0) == small
    with pytest.raises(ProtocolError) as excinfo:
        reader.read(timeout=1.0)
    assert not isinstance(excinfo.value, ChannelClosed)


def test_frame_reader_exact_cap_is_allowed(pipe: dict[str, int]) -> None:
    frame = pack({"kind": "ok"}, {"v": b"x" * 100})
    write_all(pipe["w"], frame)
    assert FrameReader(pipe["r"], max_frame_bytes=len(frame)).read(timeout=1.0) == frame


@pytest.mark.parametrize(
    "prefix",
    [
        PREFIX.pack(2, 1) + b"{}" + BUFLEN.pack(2**40),  # a declared 1 TB buffer
        PREFIX.pack(2, 1) + b"{}" + BUFLEN.pack(2**64 - 1),
        PREFIX.pack(100_000, 0),  # a header bigger than the cap
        PREFIX.pack(2, 2) + b"{}" + BUFLEN.pack(900) + b"x" * 900 + BUFLEN.pack(900),
    ],
    ids=["1TB-buffer", "u64max-buffer", "big-header", "sum-over-cap"],
)
def test_frame_reader_refuses_oversized_frames_before_they_arrive(pipe: dict[str, int], prefix: bytes) -> None:
    write_all(pipe["w"], prefix)  # the rest never comes: the reader must not wait for it
    started = time.monotonic()
    with pytest.raises(ProtocolError) as excinfo:
        FrameReader(pipe["r"], max_frame_bytes=1000).read(timeout=5.0)
    assert not isinstance(excinfo.value, ChannelClosed)
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize(
    "prefix", [PREFIX.pack(2**32 - 1, 0), PREFIX.pack(MAX_HEADER_BYTES + 1, 0), PREFIX.pack(2, MAX_BUFFERS + 1)]
)
def test_frame_reader_huge_header_length_prefix(pipe: dict[str, int], prefix: bytes) -> None:
    write_all(pipe["w"], prefix)
    started = time.monotonic()
    with pytest.raises(ProtocolError):
        FrameReader(pipe["r"]).read(timeout=5.0)
    assert time.monotonic() - started < 1.0


# --------------------------------------------------------------------------- bounded decoding (issue 12)

P61 = 2**61 - 1


def test_dict_keys_sharing_one_hash_are_a_protocol_error() -> None:
    for keys in ([k * P61 for k in range(1000)], [(k * P61,) for k in range(1000)], ["k"] * 1000, [0.0, -0.0] * 500):
        tree = {"t": "dict", "v": [[Encoder().encode(k), 0] for k in keys]}
        started = time.monotonic()
        with pytest.raises(ProtocolError, match="share one hash"):
            decode_tree(tree)
        assert time.monotonic() - started < 0.5


def test_dicts_with_a_few_keys_per_hash_and_normal_dicts_decode() -> None:
    few = {g + j * P61: float(j) for g in range(1000) for j in range(MAX_SHARED_HASH)}
    assert roundtrip(few) == few
    vocabulary = {f"word{i}": i for i in range(50_000)}
    assert roundtrip(vocabulary) == vocabulary
    floats = {i: i / 3 for i in range(50_000)}
    assert roundtrip(floats) == floats
    nans = roundtrip({float("nan"): 1, float("nan"): 2})  # two distinct NaN keys
    assert len(nans) == 2
    small = [{k * P61: k for k in range(15)}] * 100  # below the size where hashes are checked
    assert roundtrip(small) == small


def test_dict_entries_and_containers_are_capped() -> None:
    with pytest.raises(ProtocolError, match="dict entries"):
        decode_tree({"t": "dict", "v": [[k, 0] for k in range(MAX_DICT_ENTRIES + 1)]})
    with pytest.raises(ProtocolError, match="lists, tuples and dicts"):
        decode_tree([[]] * MAX_CONTAINERS)
    assert len(decode_tree([[]] * (MAX_CONTAINERS - 1))) == MAX_CONTAINERS - 1


@pytest.mark.parametrize(
    "value",
    [
        b"[" + b",".join([b"0"] * 1_300_000) + b"]",  # too many JSON values
        b"[" + b",".join([b"[" * 200 + b"]" * 200] * 20) + b"]",  # nested past the JSON depth cap
        b"1" + b"0" * 5000,  # more digits than Python's int/str limit
        b"[" + b",".join([b"9" * 4300] * 1000) + b"]",  # too many digits in long numbers
        b"[" + b"1" * 5000 + b"]]" + b" " * 5000,  # unbalanced brackets
    ],
    ids=["values", "depth", "digits", "long-numbers", "unbalanced"],
)
def test_costly_headers_are_refused_before_json_loads(value: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(ProtocolError):
        parse_frame(raw_frame(b'{"value":' + value + b"}"))
    assert time.monotonic() - started < 0.5


def test_brackets_and_digits_inside_strings_do_not_count() -> None:
    text = "[[[[" * 5000 + "9" * 10_000 + '\\"' + ",,,," * 400_000
    assert roundtrip({"s": text}) == {"s": text}


def test_decoding_past_the_deadline_raises_decode_timeout() -> None:
    frame = pack({"kind": "result"}, {"value": [[i] for i in range(50_000)]}, Encoder())
    with pytest.raises(DecodeTimeout):
        parse_frame(frame, time.monotonic() - 1)
    header, buffers = parse_frame(frame, time.monotonic() + 60)
    with pytest.raises(DecodeTimeout):
        Decoder(buffers, deadline=time.monotonic() - 1).decode(header["value"])
    assert len(Decoder(buffers, deadline=time.monotonic() + 60).decode(header["value"])) == 50_000
