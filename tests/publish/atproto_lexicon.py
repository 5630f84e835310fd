"""Data checked against atproto Lexicon documents: the part of the Lexicon language that the
Bluesky endpoints tactful uses are written in.

The lexicons are JSON documents in their own language (not JSON Schema), kept unchanged in
``../shared/specs/atproto`` beside the repository (see its SOURCE.txt for the upstream
commit); :func:`shared_lexicons` loads them, skipping the test when they are absent locally
and failing it under ``CI=true``. They are never copied into this repository.

What is checked follows the reference implementation at that commit
(``packages/lexicon/src/validators`` and ``packages/lex/lex-schema`` in
bluesky-social/atproto), with its strict mode for what a client sends:

- ``object``: an object; ``required`` keys present; ``nullable`` keys may be null; each
  property by its definition. Keys the lexicon does not name are allowed (lexicons evolve).
- ``ref`` and ``union``: a ref is followed (``#name`` inside the same document, ``nsid`` for
  its ``main``, ``nsid#name``); a union needs an object with ``$type``, checked against the
  matching ref, and a ``$type`` it does not list passes unless the union is ``closed``.
- ``string``: ``maxLength``/``minLength`` in UTF-8 bytes, ``maxGraphemes``/``minGraphemes``
  in extended grapheme clusters (``regex``'s ``\\X``), ``const``, ``enum`` and the formats
  ``datetime``, ``uri``, ``at-uri``, ``did``, ``handle``, ``at-identifier``, ``nsid``,
  ``cid``, ``tid``, ``record-key`` and ``language`` (a simplified BCP 47 pattern), in
  :mod:`atproto_syntax`.
  ``knownValues`` are advice, not checked.
- ``integer`` (``minimum``, ``maximum``, ``const``, ``enum``; a JSON ``true`` is not one),
  ``boolean``, ``unknown`` (any object), ``cid-link`` (``{"$link": cid}``), ``bytes``
  (``{"$bytes": base64}``).
- ``blob``: a typed blob ref ``{"$type": "blob", "ref": {"$link": cid}, "mimeType", "size"}``
  whose ``mimeType`` matches ``accept`` and whose ``size`` is at most ``maxSize``, as the
  PDS checks a record when it is written. Each blob met is returned, for the fake PDS to
  find it among those uploaded.
- XRPC: a ``procedure`` is a POST with its ``input`` (encoding and schema) and a ``query`` a
  GET whose ``parameters`` come as strings and are read by type; ``output`` by encoding and
  schema; a record by its collection's ``record`` definition and record key type.

A ref to a lexicon that is not in the folder is an error (nothing unchecked passes), unless
the caller lists it in ``absent_ok``: then the value only has to be an object, and the ref
is remembered in :attr:`Lexicons.unchecked`.

Messages copy the wording of ``@atproto/lex-schema``'s issues (``grapheme too big (maximum
300, got 301) at $.record.text``), which is what the reference PDS answers; the paths are
JSON paths from ``$`` (the body, or the query parameters)."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import regex
from atproto_syntax import FORMATS, TID, is_cid, is_record_key

# tests/publish/atproto_lexicon.py -> the repository -> the folder beside it.
REPOSITORY = Path(__file__).resolve().parents[2]
LEXICON_DIR = REPOSITORY.parent / "shared" / "specs" / "atproto"

_GRAPHEME = regex.compile(r"\X")


class LexiconInvalid(ValueError):
    """The data does not follow the lexicon; ``issue`` and ``path`` say where and why."""

    def __init__(self, issue: str, path: str):
        super().__init__(f"{issue} at {path}")
        self.issue, self.path = issue, path


class LexiconMissing(LookupError):
    """A ref names a lexicon (or a definition) that is not loaded."""


@dataclass(frozen=True)
class BlobUse:
    """A blob ref met in a record: where, and the ref itself."""

    path: str
    cid: str
    mime: str
    size: int


def _show(value: Any) -> str:
    """A value as lex-schema's issues show it."""
    if isinstance(value, str):
        return json.dumps(value[:40] + ("…" if len(value) > 40 else ""), ensure_ascii=False)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return "array" if isinstance(value, list) else "object"


def _key(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.match(r"^[a-zA-Z_$][a-zA-Z0-9_]*$", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


@dataclass
class Lexicons:
    """Lexicon documents by id, and validation against them."""

    documents: Mapping[str, Mapping[str, Any]]
    absent_ok: Collection[str] = ()
    unchecked: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, folder: Path, absent_ok: Collection[str] = ()) -> Lexicons:
        documents: dict[str, Mapping[str, Any]] = {}
        for path in sorted(folder.rglob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc.get("lexicon") != 1 or not isinstance(doc.get("id"), str):
                raise ValueError(f"{path} is not a version 1 lexicon")
            documents[doc["id"]] = doc
        return cls(documents, absent_ok)

    def using(self, absent_ok: Collection[str]) -> Lexicons:
        """The same documents, with other refs allowed to be absent."""
        return Lexicons(self.documents, absent_ok)

    # -- definitions ------------------------------------------------------------------------

    def definition(self, ref: str, base: str | None = None) -> tuple[str, Mapping[str, Any]]:
        """The document id and definition a ref names (``#name`` relative to ``base``)."""
        nsid, _, name = ref.partition("#")
        nsid = nsid or (base or "")
        name = name or "main"
        doc = self.documents.get(nsid)
        if doc is None or name not in doc.get("defs", {}):
            raise LexiconMissing(f"{nsid}#{name}")
        return nsid, doc["defs"][name]

    @staticmethod
    def full_ref(ref: str, base: str) -> str:
        """``nsid#name`` for a ref written in document ``base`` (``#main`` spelled out)."""
        nsid, _, name = ref.partition("#")
        return f"{nsid or base}#{name or 'main'}"

    def refs(self) -> Iterator[tuple[str, str]]:
        """Every ref in every document: (document id, full ref)."""

        def walk(node: Any, base: str) -> Iterator[str]:
            if isinstance(node, dict):
                if node.get("type") == "ref" and isinstance(node.get("ref"), str):
                    yield self.full_ref(node["ref"], base)
                if node.get("type") == "union":
                    for ref in node.get("refs", []):
                        yield self.full_ref(ref, base)
                for value in node.values():
                    yield from walk(value, base)
            elif isinstance(node, list):
                for value in node:
                    yield from walk(value, base)

        for nsid, doc in self.documents.items():
            for ref in walk(doc.get("defs", {}), nsid):
                yield nsid, ref

    def missing_refs(self) -> set[str]:
        """The refs no loaded document defines."""
        missing = set()
        for _, ref in self.refs():
            try:
                self.definition(ref)
            except LexiconMissing:
                missing.add(ref)
        return missing

    def main(self, nsid: str, kind: str) -> Mapping[str, Any]:
        _, defn = self.definition(nsid)
        if defn.get("type") != kind:
            raise LexiconMissing(f"{nsid} is a {defn.get('type')}, not a {kind}")
        return defn

    # -- XRPC -------------------------------------------------------------------------------

    def method(self, nsid: str) -> str:
        """The HTTP method of an XRPC endpoint: POST for a procedure, GET for a query."""
        kind = self.definition(nsid)[1].get("type")
        if kind == "procedure":
            return "POST"
        if kind == "query":
            return "GET"
        raise LexiconMissing(f"{nsid} is a {kind}, not an XRPC endpoint")

    def validate_params(self, nsid: str, params: Mapping[str, str | list[str]]) -> dict[str, Any]:
        """Query parameters (strings, as they come; a list where a name repeats, see
        :func:`query_params`) read by type and checked; the values. An ``array`` parameter
        is the name repeated (``reasons=reply&reasons=mention``), each value read by the
        items' type."""
        defn = self.definition(nsid)[1]
        spec = defn.get("parameters") or {"properties": {}}
        values: dict[str, Any] = {}
        for key, prop in spec.get("properties", {}).items():
            path = _key("$", key)
            if key not in params:
                if key in spec.get("required", []):
                    raise LexiconInvalid(f'Missing required key "{key}"', "$")
                continue
            given = params[key]
            raws = given if isinstance(given, list) else [given]
            value: Any
            if prop["type"] == "array":
                value = [_param(prop["items"], raw, _key(path, i)) for i, raw in enumerate(raws)]
            elif len(raws) > 1:
                raise LexiconInvalid(f"Expected a single value (got {len(raws)})", path)
            else:
                value = _param(prop, raws[0], path)
            self._check(prop, value, path, nsid)
            values[key] = value
        return values

    def validate_input(self, nsid: str, content_type: str | None, body: Any) -> None:
        """A procedure's request body against its ``input``: the encoding and the schema.
        ``body`` is the parsed JSON (or the raw bytes where the encoding is not JSON)."""
        defn = self.main(nsid, "procedure")
        self._body(nsid, defn.get("input"), content_type, body, "input")

    def validate_output(self, nsid: str, content_type: str | None, body: Any) -> None:
        """A successful answer's body against the endpoint's ``output``."""
        defn = self.definition(nsid)[1]
        self._body(nsid, defn.get("output"), content_type, body, "output")

    def _body(
        self,
        nsid: str,
        spec: Mapping[str, Any] | None,
        content_type: str | None,
        body: Any,
        what: str,
    ) -> None:
        kind = (content_type or "").split(";")[0].strip().lower()
        if spec is None:
            if body not in (None, b"", ""):
                raise LexiconInvalid(f"{nsid} takes no {what} body", "$")
            return
        encoding = spec["encoding"]
        if not _encoding_matches(kind, encoding):
            raise LexiconInvalid(
                f"Wrong {what} encoding (Content-Type): expected {encoding}, got {kind or 'none'}",
                "$",
            )
        schema = spec.get("schema")
        if schema is not None:
            if not isinstance(body, dict):
                raise LexiconInvalid(f"Expected object value type (got {_show(body)})", "$")
            self._check(schema, body, "$", nsid, must_be_object=True)

    # -- records ----------------------------------------------------------------------------

    def validate_record(
        self, collection: str, value: Any, path: str = "$.record", rkey: str | None = None
    ) -> list[BlobUse]:
        """A record of ``collection`` (its ``$type`` included), and its record key against
        the collection's key type. Returns the blobs it references."""
        defn = self.main(collection, "record")
        if rkey is not None:
            key = defn.get("key", "any")
            if key == "tid" and not TID.match(rkey):
                raise LexiconInvalid(f"Invalid TID string (got {_show(rkey)})", "$.rkey")
            if key.startswith("literal:") and rkey != key.removeprefix("literal:"):
                raise LexiconInvalid(f"Expected {_show(key[8:])} (got {_show(rkey)})", "$.rkey")
            if not is_record_key(rkey):
                raise LexiconInvalid(f"Invalid record key (got {_show(rkey)})", "$.rkey")
        if not isinstance(value, dict):
            raise LexiconInvalid(f"Expected object value type (got {_show(value)})", path)
        if value.get("$type") != collection:
            raise LexiconInvalid(
                f"Expected {_show(collection)} (got {_show(value.get('$type'))})",
                _key(path, "$type"),
            )
        blobs: list[BlobUse] = []
        self._check(defn["record"], value, path, collection, blobs=blobs)
        return blobs

    # -- values -----------------------------------------------------------------------------

    def _check(
        self,
        defn: Mapping[str, Any],
        value: Any,
        path: str,
        base: str,
        *,
        must_be_object: bool = False,
        blobs: list[BlobUse] | None = None,
    ) -> None:
        kind = defn.get("type")
        if kind == "ref":
            try:
                base, defn = self.definition(defn["ref"], base)
            except LexiconMissing:
                self._absent(self.full_ref(defn["ref"], base), value, path)
                return
            self._check(defn, value, path, base, must_be_object=must_be_object, blobs=blobs)
            return
        if kind == "union":
            self._union(defn, value, path, base, blobs)
            return
        if must_be_object and kind != "object":
            raise LexiconInvalid(f"{base}: a body schema must be an object, not {kind}", path)
        check = getattr(self, f"_{(kind or '').replace('-', '_')}", None)
        if check is None:
            raise NotImplementedError(f"lexicon type {kind!r} ({base}) is not validated here")
        check(defn, value, path, base, blobs)

    def _absent(self, ref: str, value: Any, path: str) -> None:
        if ref not in self.absent_ok:
            raise LexiconMissing(f"{ref} (needed at {path}) is not among the loaded lexicons")
        if not isinstance(value, dict):
            raise LexiconInvalid(f"Expected object value type (got {_show(value)})", path)
        self.unchecked.add(ref)

    def _union(
        self,
        defn: Mapping[str, Any],
        value: Any,
        path: str,
        base: str,
        blobs: list[BlobUse] | None,
    ) -> None:
        if not isinstance(value, dict) or not isinstance(value.get("$type"), str):
            raise LexiconInvalid(
                'Expected an object which includes the "$type" property value type '
                f"(got {_show(value)})",
                path,
            )
        wanted = self.full_ref(value["$type"], "")
        refs = [self.full_ref(r, base) for r in defn.get("refs", [])]
        if wanted not in refs:
            if defn.get("closed"):
                raise LexiconInvalid(
                    f"Expected one of {', '.join(refs)} (got {_show(value['$type'])})", path
                )
            return  # an open union: a type the lexicon does not list yet
        try:
            target_base, target = self.definition(wanted)
        except LexiconMissing:
            self._absent(wanted, value, path)
            return
        self._check(target, value, path, target_base, blobs=blobs)

    def _object(
        self, defn: Mapping[str, Any], value: Any, path: str, base: str, blobs: Any
    ) -> None:
        if not isinstance(value, dict):
            raise LexiconInvalid(f"Expected object value type (got {_show(value)})", path)
        required = defn.get("required", [])
        nullable = defn.get("nullable", [])
        for key in required:
            if key not in value:
                raise LexiconInvalid(f'Missing required key "{key}"', path)
        for key, prop in defn.get("properties", {}).items():
            if key not in value:
                continue
            if value[key] is None and key in nullable:
                continue
            self._check(prop, value[key], _key(path, key), base, blobs=blobs)

    def _array(self, defn: Mapping[str, Any], value: Any, path: str, base: str, blobs: Any) -> None:
        if not isinstance(value, list):
            raise LexiconInvalid(f"Expected array value type (got {_show(value)})", path)
        _size(len(value), defn, "array", path)
        for i, item in enumerate(value):
            self._check(defn["items"], item, _key(path, i), base, blobs=blobs)

    def _string(self, defn: Mapping[str, Any], value: Any, path: str, base: str, _: Any) -> None:
        if not isinstance(value, str):
            raise LexiconInvalid(f"Expected string value type (got {_show(value)})", path)
        _choices(defn, value, path)
        if "maxLength" in defn or "minLength" in defn:
            _size(len(value.encode()), defn, "string", path)
        if "maxGraphemes" in defn or "minGraphemes" in defn:
            graphemes = len(_GRAPHEME.findall(value))
            _size(graphemes, defn, "grapheme", path, key="Graphemes")
        fmt = defn.get("format")
        if fmt is not None:
            if fmt not in FORMATS:
                raise NotImplementedError(f"string format {fmt!r} ({base}) is not validated here")
            name, valid = FORMATS[fmt]
            if not valid(value):
                raise LexiconInvalid(f"Invalid {name} (got {_show(value)})", path)

    def _integer(self, defn: Mapping[str, Any], value: Any, path: str, base: str, _: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise LexiconInvalid(f"Expected integer value type (got {_show(value)})", path)
        _choices(defn, value, path)
        if "maximum" in defn and value > defn["maximum"]:
            raise LexiconInvalid(f"integer too big (maximum {defn['maximum']}, got {value})", path)
        if "minimum" in defn and value < defn["minimum"]:
            raise LexiconInvalid(
                f"integer too small (minimum {defn['minimum']}, got {value})", path
            )

    def _boolean(self, defn: Mapping[str, Any], value: Any, path: str, base: str, _: Any) -> None:
        if not isinstance(value, bool):
            raise LexiconInvalid(f"Expected boolean value type (got {_show(value)})", path)
        _choices(defn, value, path)

    def _unknown(self, defn: Mapping[str, Any], value: Any, path: str, base: str, _: Any) -> None:
        if not isinstance(value, dict):
            raise LexiconInvalid(f"Expected object value type (got {_show(value)})", path)

    def _cid_link(self, defn: Mapping[str, Any], value: Any, path: str, base: str, _: Any) -> None:
        if not (isinstance(value, dict) and set(value) == {"$link"} and is_cid(value["$link"])):
            raise LexiconInvalid(f"Expected cid value type (got {_show(value)})", path)

    def _bytes(self, defn: Mapping[str, Any], value: Any, path: str, base: str, _: Any) -> None:
        if not (isinstance(value, dict) and set(value) == {"$bytes"}):
            raise LexiconInvalid(f"Expected bytes value type (got {_show(value)})", path)
        text = value["$bytes"]
        try:
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except ValueError:
            raise LexiconInvalid("Expected bytes value type (got invalid base64)", path) from None
        _size(len(data), defn, "bytes", path)

    def _blob(self, defn: Mapping[str, Any], value: Any, path: str, base: str, blobs: Any) -> None:
        ref = value.get("ref") if isinstance(value, dict) else None
        typed = (
            isinstance(value, dict)
            and value.get("$type") == "blob"
            and isinstance(ref, dict)
            and isinstance(ref.get("$link"), str)
            and is_cid(ref["$link"])
            and isinstance(value.get("mimeType"), str)
            and isinstance(value.get("size"), int)
            and not isinstance(value.get("size"), bool)
            and value["size"] >= 0
        )
        if not typed:
            raise LexiconInvalid(f"Expected blob value type (got {_show(value)})", path)
        mime, size = value["mimeType"], value["size"]
        accept = defn.get("accept")
        if accept is not None and not _mime_matches(mime, accept):
            raise LexiconInvalid(
                f"Invalid value for mimeType: expected {' or '.join(accept)} (got {_show(mime)})",
                path,
            )
        if "maxSize" in defn and size > defn["maxSize"]:
            raise LexiconInvalid(f"blob too big (maximum {defn['maxSize']}, got {size})", path)
        if blobs is not None:
            blobs.append(BlobUse(path, ref["$link"], mime, size))


def _param(prop: Mapping[str, Any], raw: str, path: str) -> Any:
    """One query value read by its lexicon type (integers and booleans come as strings)."""
    if prop.get("type") == "integer":
        if not re.fullmatch(r"-?[0-9]+", raw):
            raise LexiconInvalid(f"Expected integer value type (got {_show(raw)})", path)
        return int(raw)
    if prop.get("type") == "boolean":
        if raw not in ("true", "false"):
            raise LexiconInvalid(f"Expected boolean value type (got {_show(raw)})", path)
        return raw == "true"
    return raw


def query_params(request: Any) -> dict[str, str | list[str]]:
    """An ``httpx.Request``'s query as :meth:`Lexicons.validate_params` reads it: a name
    given once as its string, a repeated name as the list of its values."""
    out: dict[str, str | list[str]] = {}
    for name in request.url.params:
        values = request.url.params.get_list(name)
        out[name] = values if len(values) > 1 else values[0]
    return out


def _size(
    measured: int, defn: Mapping[str, Any], what: str, path: str, key: str = "Length"
) -> None:
    most, least = defn.get(f"max{key}"), defn.get(f"min{key}")
    if most is not None and measured > most:
        raise LexiconInvalid(f"{what} too big (maximum {most}, got {measured})", path)
    if least is not None and measured < least:
        raise LexiconInvalid(f"{what} too small (minimum {least}, got {measured})", path)


def _choices(defn: Mapping[str, Any], value: Any, path: str) -> None:
    if "const" in defn and value != defn["const"]:
        raise LexiconInvalid(f"Expected {_show(defn['const'])} (got {_show(value)})", path)
    if "enum" in defn and value not in defn["enum"]:
        options = " or ".join(_show(v) for v in defn["enum"])
        raise LexiconInvalid(f"Expected one of {options} (got {_show(value)})", path)


def _mime_matches(mime: str, accept: Collection[str]) -> bool:
    if "*/*" in accept or mime in accept:
        return True
    return any(a.endswith("/*") and mime.startswith(a[:-1]) for a in accept)


def _encoding_matches(kind: str, encoding: str) -> bool:
    if encoding == "*/*":
        return bool(kind)
    return _mime_matches(kind, encoding.split(","))


@cache
def _load(folder: Path) -> Lexicons:
    return Lexicons.load(folder)


def shared_lexicons(absent_ok: Collection[str] = ()) -> Lexicons:
    """The atproto lexicons in ``../shared/specs/atproto`` (read once). Absent, the calling
    test is skipped, or fails under ``CI=true`` (CI must check the contract)."""
    import pytest

    if not (LEXICON_DIR / "com" / "atproto").is_dir():
        reason = (
            f"the atproto lexicons are not at {LEXICON_DIR} (shared/specs/atproto beside the "
            "repository), so Bluesky requests cannot be checked against them"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must check the Bluesky contract: {reason}", pytrace=False)
        pytest.skip(reason)
    return _load(LEXICON_DIR).using(absent_ok)


def check_exchange(lexicons: Lexicons, request: Any, response: Any) -> list[str]:
    """Check one XRPC request (an ``httpx.Request``) and its answer against the lexicons, as
    the contract says, independently of the server that answered. Returns what was checked
    (``"<nsid> params"``, ``"… input"``, ``"… record"``, ``"… output"``, ``"… error"``);
    raises :class:`LexiconInvalid` (or :class:`LexiconMissing`) at the first breach."""
    path = request.url.path
    if not path.startswith("/xrpc/"):
        raise LexiconInvalid(f"not an XRPC path: {path}", "$")
    nsid = path.removeprefix("/xrpc/")
    checked = []
    method = lexicons.method(nsid)
    if request.method != method:
        raise LexiconInvalid(f"{nsid} is a {method}, sent as {request.method}", "$")
    if method == "GET":
        lexicons.validate_params(nsid, query_params(request))
        checked.append(f"{nsid} params")
    else:
        content_type = request.headers.get("content-type")
        body: Any = request.content
        if (content_type or "").split(";")[0].strip() == "application/json":
            body = json.loads(request.content)
        lexicons.validate_input(nsid, content_type, body)
        checked.append(f"{nsid} input")
        if nsid == "com.atproto.repo.createRecord" and body["collection"] in lexicons.documents:
            lexicons.validate_record(body["collection"], body["record"], rkey=body.get("rkey"))
            checked.append(f"{nsid} record")
    if response.status_code == 200:
        answer = response.json() if response.content else None
        lexicons.validate_output(nsid, response.headers.get("content-type"), answer)
        checked.append(f"{nsid} output")
        if nsid == "com.atproto.repo.getRecord":
            collection = request.url.params["collection"]
            if collection in lexicons.documents:
                lexicons.validate_record(collection, answer["value"], path="$.value")
                checked.append(f"{nsid} record")
    else:
        error = response.json()
        if not (
            isinstance(error, dict)
            and isinstance(error.get("error"), str)
            and isinstance(error.get("message", ""), str)
        ):
            raise LexiconInvalid(f"an XRPC error is {{error, message}}, not {error!r}", "$")
        checked.append(f"{nsid} error")
    return checked
