"""The string formats of atproto (``did``, ``handle``, ``nsid``, ``at-uri``, ``cid``, ``tid``,
``record-key``, ``datetime``, ``uri``, ``language``) as the lexicons name them, checked as
``@atproto/syntax`` checks them at the commit the shared lexicons come from; and CIDs made
for the fake PDS."""

from __future__ import annotations

import base64
import re
from datetime import datetime
from typing import Any

# @atproto/syntax, at the commit the lexicons come from.
_DID = re.compile(r"^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$")
_HANDLE = re.compile(
    r"^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$"
)
_NSID = re.compile(
    r"^[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+"
    r"(?:\.[a-zA-Z](?:[a-zA-Z0-9]{0,62})?)$"
)
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_RECORD_KEY = re.compile(r"^[a-zA-Z0-9_~.:-]{1,512}$")
_URI = re.compile(r"^\w+:(?://)?[^\s/][^\s]*$")
_DATETIME = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[012])-([0-2][0-9]|3[01])T([0-1][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
    r"(\.[0-9]+)?(Z|[+-]([0-1][0-9]|2[0-3]):[0-5][0-9])$"
)
_AT_URI = re.compile(
    r"^at://(?P<authority>[^/?#\s]+)(?:/(?P<collection>[^/?#\s]+)(?:/(?P<rkey>[^/?#\s]+))?)?/?"
    r"(?:\?[^#\s]*)?(?:#[^\s]*)?$"
)
_AT_URI_CHARS = re.compile(r"^[a-zA-Z0-9._~:@!$&'()*+,;=%/\\\[\]#?-]*$")
# Simplified BCP 47: a primary tag, then subtags (tactful sends no langs yet).
_LANGUAGE = re.compile(r"^([a-zA-Z]{2,3}|[a-zA-Z]{5,8}|[iIxX])(-[a-zA-Z0-9]{1,8})*$")
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_BASE58 = re.compile(r"^Qm[1-9A-HJ-NP-Za-km-z]{44}$")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if at >= len(data) or shift > 63:
            raise ValueError("truncated varint")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7


def is_cid(text: str) -> bool:
    """A CID string: v0 (``Qm`` + base58btc) or v1 in base32 (``b...``): version 1, a codec,
    and a multihash whose length is what follows."""
    if _BASE58.match(text):
        return True
    if not text.startswith("b") or len(text) < 8:
        return False
    body = text[1:]
    if any(c not in _BASE32 for c in body):
        return False
    try:
        data = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
        version, at = _varint(data, 0)
        _codec, at = _varint(data, at)
        _hash_code, at = _varint(data, at)
        length, at = _varint(data, at)
    except ValueError:
        return False
    return version == 1 and length == len(data) - at and length > 0


def make_cid(digest: bytes, codec: int) -> str:
    """A CIDv1 string (base32) for a sha2-256 ``digest``: codec 0x71 dag-cbor (records),
    0x55 raw (blobs)."""
    data = bytes([1, codec, 0x12, 32]) + digest
    return "b" + base64.b32encode(data).decode().lower().rstrip("=")


def is_handle(text: str) -> bool:
    return len(text) <= 253 and bool(_HANDLE.match(text))


def is_did(text: str) -> bool:
    return len(text) <= 2048 and bool(_DID.match(text))


def _is_datetime(text: str) -> bool:
    if len(text) > 64 or not _DATETIME.match(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00").replace(":60", ":59"))
    except ValueError:  # a day the month does not have
        return False
    return True


def _is_at_uri(text: str) -> bool:
    if len(text) > 8192 or not _AT_URI_CHARS.match(text):
        return False
    match = _AT_URI.match(text)
    if not match:
        return False
    authority, collection, rkey = match.group("authority", "collection", "rkey")
    if not (is_did(authority) or is_handle(authority)):
        return False
    if collection is not None and not _NSID.match(collection):
        return False
    return rkey is None or is_record_key(rkey)


def is_record_key(text: str) -> bool:
    return bool(_RECORD_KEY.match(text)) and text not in (".", "..")


FORMATS: dict[str, tuple[str, Any]] = {
    # format: (how an issue names it, check)
    "datetime": ("datetime", _is_datetime),
    "uri": ("uri", lambda s: bool(_URI.match(s))),
    "at-uri": ("at-uri", _is_at_uri),
    "did": ("DID", is_did),
    "handle": ("handle", is_handle),
    "at-identifier": ("AT identifier", lambda s: is_did(s) or is_handle(s)),
    "nsid": ("NSID", lambda s: len(s) <= 317 and bool(_NSID.match(s))),
    "cid": ("CID string", is_cid),
    "tid": ("TID string", lambda s: bool(TID.match(s))),
    "record-key": ("record key", is_record_key),
    "language": ("language", lambda s: bool(_LANGUAGE.match(s))),
}
