"""Reading a CAR v1 file (a Bluesky repository export) in one pass without holding its
records in memory: the framing (varint lengths, CIDs) is read here, every block is decoded
with libipld's DAG-CBOR decoder, and records are kept as file offsets until needed. A block
announced larger than ``car_block_bytes``, more than ``car_blocks`` blocks, or a block
nested deeper than ``cbor_depth`` is a :class:`CarError` (see ``limits.yml``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from tactful.archives.limits import ReadLimits, read_limits, size


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


def blocks(fh: IO[bytes], limits: ReadLimits | None = None) -> Iterator[tuple[bytes, int, bytes]]:
    """(cid, offset of the block's data in the file, the data) for every block, in order."""
    lim = limits or read_limits()
    count = 0
    while True:
        length = _varint(fh)
        if length is None:
            return
        count += 1
        if count > lim.car_blocks:
            raise CarError(f"more than {lim.car_blocks:,} blocks; the rest was not read")
        if length > lim.car_block_bytes:
            raise CarError(
                f"a block announces {length:,} bytes, more than {size(lim.car_block_bytes)}; "
                "the rest was not read"
            )
        start = fh.tell()
        section = fh.read(length)
        if len(section) < length:
            raise CarError("the file ends inside a block")
        n = cid_length(section)
        yield section[:n], start + n, section[n:]


def decode(data: bytes, limits: ReadLimits | None = None) -> Any:
    """A DAG-CBOR block as Python values; :class:`CarError` when it is nested deeper than
    ``cbor_depth`` (checked before libipld decodes it) or cannot be decoded."""
    import libipld

    depth = (limits or read_limits()).cbor_depth
    if cbor_nesting(data, depth) > depth:
        raise CarError(f"a block nested more than {depth} deep")
    try:
        return libipld.decode_dag_cbor(data)
    except RecursionError:
        raise CarError("a block nested too deep to decode") from None


_ARGUMENT_BYTES = {24: 1, 25: 2, 26: 4, 27: 8}


def cbor_nesting(data: bytes, stop: int) -> int:
    """How deep the first CBOR item of ``data`` nests (arrays and maps), counted without
    recursion; counting stops past ``stop``. Damage is left for the decoder to report."""
    open_items: list[int] = []  # items still to come in each open array or map
    deepest = pos = 0
    n = len(data)
    while pos < n:
        head = data[pos]
        pos += 1
        major, info = head >> 5, head & 31
        if info < 24:
            argument = info
        elif info in _ARGUMENT_BYTES:
            width = _ARGUMENT_BYTES[info]
            argument = int.from_bytes(data[pos : pos + width], "big")
            pos += width
        else:
            break  # an indefinite length is not DAG-CBOR: the decoder says so
        if major in (4, 5) and argument:
            open_items.append(argument * (2 if major == 5 else 1))
            deepest = max(deepest, len(open_items))
            if deepest > stop:
                break
            continue
        if major == 6:
            continue  # a tag: the item after it is its content
        if major in (2, 3):
            pos += argument
        while open_items:  # one item done: it may complete the containers around it
            open_items[-1] -= 1
            if open_items[-1]:
                break
            open_items.pop()
        if not open_items:
            break
    return deepest
