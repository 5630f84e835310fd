"""Reading a CAR v1 file (a Bluesky repository export) in one pass without holding its
records in memory: the framing (varint lengths, CIDs) is read here, every block is decoded
with libipld's DAG-CBOR decoder, and records are kept as file offsets until needed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any


class CarError(ValueError):
    pass


def _varint(fh: IO[bytes]) -> int | None:
    shift = result = 0
    while True:
        b = fh.read(1)
        if not b:
            if shift == 0:
                return None  # clean end of file
            raise CarError("the file ends inside a length")
        result |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return result
        shift += 7
        if shift > 63:
            raise CarError("a length is too long")


def _varint_in(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if pos >= len(data):
            raise CarError("a CID is cut short")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def cid_length(section: bytes) -> int:
    """Length of the CID at the start of a section (CIDv1: version, codec, multihash)."""
    if section[:2] == b"\x12\x20":  # CIDv0: a bare sha2-256 multihash
        return 34
    version, pos = _varint_in(section, 0)
    if version != 1:
        raise CarError(f"unknown CID version {version}")
    _, pos = _varint_in(section, pos)  # codec
    _, pos = _varint_in(section, pos)  # hash function
    size, pos = _varint_in(section, pos)
    return pos + size


def read_header(fh: IO[bytes]) -> dict[str, Any]:
    import libipld

    size = _varint(fh)
    if size is None or size > 1 << 20:
        raise CarError("no CAR header")
    header = libipld.decode_dag_cbor(fh.read(size))
    if not isinstance(header, dict) or header.get("version") != 1 or not header.get("roots"):
        raise CarError("not a CAR v1 file")
    return header


def blocks(fh: IO[bytes]) -> Iterator[tuple[bytes, int, bytes]]:
    """(cid, offset of the block's data in the file, the data) for every block, in order."""
    while True:
        size = _varint(fh)
        if size is None:
            return
        start = fh.tell()
        section = fh.read(size)
        if len(section) < size:
            raise CarError("the file ends inside a block")
        n = cid_length(section)
        yield section[:n], start + n, section[n:]
