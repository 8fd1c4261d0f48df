"""Binary FBX 7.4 encoding: node records and typed properties, nothing about scenes.

Why our own: the FBX SDK is closed and heavy; 7.4 binary is a simple tree. A node record is
end offset (uint32, absolute), property count, property bytes, name length (uint8), name, the
properties, nested records, and a 13-byte null record closing any nested list. Properties are a
type code and a value: Y int16, C bool, I int32, F float32, D float64, L int64, S string, R raw,
and arrays f/d/l/i/b (count, encoding 0 raw / 1 zlib, byte length, data). Names with a class
(``"Hips\\x00\\x01Model"``) use FBX's binary separator.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

import numpy as np

MAGIC = b"Kaydara FBX Binary  \x00\x1a\x00"
VERSION = 7400
NULL_RECORD = b"\x00" * 13
COMPRESS_OVER = 128  # bytes; smaller arrays are stored raw (zlib's overhead would outweigh it)
FOOT_ID = bytes.fromhex("fabcab09d0c8d466b176fb831cf7267e")
FOOT_MAGIC = bytes.fromhex("f85a8c6adef5d97eece90ce3758f290b")
SEP = "\x00\x01"

_ARRAY_CODES = {"f": np.float32, "d": np.float64, "l": np.int64, "i": np.int32, "b": np.int8}


class Arr:
    """An array property with an explicit FBX type code (numpy dtypes alone are ambiguous for 'b')."""

    def __init__(self, code: str, values):
        self.code, self.values = code, np.ascontiguousarray(values, dtype=_ARRAY_CODES[code]).ravel()


class Raw(bytes):
    """An 'R' (raw bytes) property."""


def cls_name(name: str, cls: str) -> str:
    return f"{name}{SEP}{cls}"


@dataclass
class Node:
    name: str
    props: list = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def add(self, name: str, *props, children=None) -> Node:
        n = Node(name, list(props), list(children or []))
        self.children.append(n)
        return n


def encode_property(v) -> bytes:
    """One typed property: Python bool -> C, int -> I (L past 32 bits), float -> D, str -> S,
    Raw -> R, Arr / numpy arrays -> arrays, a (code, value) tuple forces a scalar code."""
    if isinstance(v, tuple):
        code, val = v
        return code.encode() + struct.pack({"Y": "<h", "C": "<?", "I": "<i", "F": "<f", "D": "<d", "L": "<q"}[code], val)
    if isinstance(v, (bool, np.bool_)):
        return b"C" + struct.pack("<?", bool(v))
    if isinstance(v, (int, np.integer)):
        v = int(v)
        return b"I" + struct.pack("<i", v) if -2**31 <= v < 2**31 else b"L" + struct.pack("<q", v)
    if isinstance(v, (float, np.floating)):
        return b"D" + struct.pack("<d", float(v))
    if isinstance(v, Raw):
        return b"R" + struct.pack("<I", len(v)) + bytes(v)
    if isinstance(v, str):
        s = v.encode("utf-8")
        return b"S" + struct.pack("<I", len(s)) + s
    if isinstance(v, np.ndarray):
        code = {np.dtype(np.float32): "f", np.dtype(np.float64): "d", np.dtype(np.int64): "l",
                np.dtype(np.int32): "i"}[v.dtype]
        v = Arr(code, v)
    if isinstance(v, Arr):
        data = v.values.tobytes()
        enc = 0
        if len(data) > COMPRESS_OVER:
            data, enc = zlib.compress(data, 1), 1   # fast: exports are timed, the size gain of 6 is small
        return v.code.encode() + struct.pack("<3I", len(v.values), enc, len(data)) + data
    raise TypeError(f"FBX: cannot encode a {type(v).__name__} property")


def _encode_node(node: Node, offset: int, out: bytearray) -> None:
    props = b"".join(encode_property(p) for p in node.props)
    name = node.name.encode("ascii")
    if len(name) > 255:
        raise ValueError(f"FBX node name too long: {node.name[:40]}...")
    start = len(out)
    out += b"\x00" * 12 + bytes([len(name)]) + name + props
    if node.children:
        for c in node.children:
            _encode_node(c, offset, out)
        out += NULL_RECORD
    end = offset + len(out)
    if end >= 2**32:
        raise ValueError("FBX 7.4 files are limited to 4 GiB")
    struct.pack_into("<3I", out, start, end, len(node.props), len(props))


def encode(nodes: list[Node], version: int = VERSION) -> bytes:
    """A complete binary FBX file: header, top-level records, null record, footer."""
    out = bytearray()
    header = MAGIC + struct.pack("<I", version)
    for n in nodes:
        body = bytearray()
        _encode_node(n, len(header) + len(out), body)
        out += body
    out += NULL_RECORD
    data = bytearray(header) + out + FOOT_ID
    pad = (16 - len(data) % 16) % 16 or 16
    data += b"\x00" * pad + struct.pack("<I", version) + b"\x00" * 120 + FOOT_MAGIC
    return bytes(data)


def p70(*entries) -> Node:
    """A Properties70 block; each entry is (name, type, label, flags, *values)."""
    n = Node("Properties70")
    for e in entries:
        n.add("P", *e)
    return n
