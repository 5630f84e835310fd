"""The bounded JSON scanner and the export's read limits, on small limits: records split
right wherever the chunks fall, every limit reached is one unreadable with its reason."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactful.archives import ArchiveSource, boundedjson
from tactful.archives.boundedjson import ANY_KEY, Problem, parse_record, scan
from tactful.archives.car import cbor_nesting
from tactful.archives.limits import read_limits
from tactful.errors import LimitExceeded

SMALL = read_limits().model_copy(
    update={"json_depth": 8, "record_bytes": 3000, "string_bytes": 100, "records_per_file": 50}
)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12) | st.just('a"b\\c]{'),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


def read(data: bytes, keys: Any = None, chunk: int = 7) -> list[Any]:
    boundedjson.CHUNK = chunk
    try:
        return [
            raw if isinstance(raw, Problem) else parse_record(raw)
            for raw in scan(io.BytesIO(data), keys, SMALL)
        ]
    finally:
        boundedjson.CHUNK = 1 << 16


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(VALUES, min_size=1, max_size=5), st.sampled_from([1, 2, 3, 64]), st.booleans())
def test_records_come_out_as_json_loads_reads_them(records: list, chunk: int, indent: bool) -> None:
    data = json.dumps(records, indent=1 if indent else None).encode()
    assert read(data, None, chunk) == json.loads(data)
    wrapped = {"@context": [{"a": ["orderedItems"]}], "n": 12, "orderedItems": records}
    assert read(json.dumps(wrapped).encode(), ("orderedItems",), chunk) == records


def test_each_limit_is_one_unreadable_record_and_the_file_goes_on() -> None:
    deep = b"[" * 20 + b"]" * 20
    got = read(b'[{"a": 1}, ' + deep + b', {"b": "' + b"x" * 150 + b'"}, {"c": 3}]')
    assert got[0] == {"a": 1} and got[-1] == {"c": 3}
    assert got[1] == Problem("nested more than 8 deep; the record was skipped")
    assert got[2] == Problem("a string longer than 100 bytes; the record was skipped")
    big = read(json.dumps([{"a": 1}, ["y" * 90] * 40, {"c": 3}]).encode())
    assert any(isinstance(r, Problem) and "a record larger than 2.9 KiB" in r.reason for r in big)
    assert big[-1] == {"c": 3}


def test_what_ends_a_file() -> None:
    many = read(b"[" + b'{"a":1},' * 60 + b"{}]")
    assert len(many) == 51 and many[-1].ends_file and "more than 50 records" in many[-1].reason
    cut = read(b'[{"a": 1}, {"b": ')
    assert cut[0] == {"a": 1} and cut[1].ends_file and "ends before" in cut[1].reason
    glued = read(b'[{"a": 1} {"b": 2}]')
    assert glued[1].ends_file and "expected a ',' or ']'" in glued[1].reason
    assert "no records" in read(b"[]")[0].reason
    assert "no records" in read(b'{"x": [1]}', ("orderedItems",))[0].reason
    assert read(b'\xef\xbb\xbf{"comments_v2": [{"a": 1}]}', (ANY_KEY,)) == [{"a": 1}]
    repeated = b'{"orderedItems": [], "type": "x", "orderedItems": [{"a": 1}]}'
    assert read(repeated, ("orderedItems",)) == [{"a": 1}]


def test_cbor_depth_is_counted_without_decoding() -> None:
    assert cbor_nesting(b"\x83\x01\x81\x02\x81\x81\x03", 64) == 3  # [1, [2], [[3]]]
    assert cbor_nesting(b"\x81" * 100_000 + b"\x00", 64) == 65  # stops counting past the limit


def test_a_zip_bomb_member_stops_at_the_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/tweets.js", b" " * (4 << 20))
    limits = read_limits().model_copy(update={"expansion_floor_bytes": 1 << 20})
    with (
        ArchiveSource(path, limits) as source,
        source.open("data/tweets.js") as fh,
        pytest.raises(LimitExceeded, match="expands more than 200 times"),
    ):
        while fh.read(1 << 16):
            pass
