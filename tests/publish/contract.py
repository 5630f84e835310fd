"""Checking what a connector sends against a network's published contract, written as a
table: one :class:`Row` per request the connector may make (method, path, where the body's
fields and the query's parameters must come from, the headers it must carry, and limits on
values), each naming the document it comes from.

A :class:`Recorder` sits between the client and a fake server and keeps every exchange;
:func:`mismatches` then holds each request up to the table: a request no row allows is a
mismatch (with what the nearest rows said), and so is a row no request used, so the table
cannot drift from what the connector does.

Bodies are read as the network reads them: JSON as dotted paths to its leaves (a list of
objects as ``name[]``: ``content.multiImage.images[].id``, and its size, for a limit, as
``content.multiImage.images#count``), forms and multipart bodies by field name
(``attached_media[0]`` as ``attached_media[]``)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

import httpx

Check = Callable[[Any], str | None]  # a value -> what is wrong with it, or None
UPLOAD_URL = "{uploadUrl}"  # a path standing for an address an earlier answer gave


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # a template: {name} is one path segment, {version} a Graph version (v25.0)
    source: str  # the published document this row comes from
    body: str = "none"  # json | form | multipart | bytes | none
    required: frozenset[str] = frozenset()  # body fields that must be there
    allowed: frozenset[str] = frozenset()  # body fields that may be there besides
    params: frozenset[str] = frozenset()  # query parameters that may be there
    required_params: frozenset[str] = frozenset()
    headers: frozenset[str] = frozenset()  # headers that must be there (lower case)
    values: Mapping[str, Check] = field(default_factory=dict)  # body field or parameter

    def matches_path(self, request: httpx.Request, given: set[str]) -> bool:
        if self.path == UPLOAD_URL:
            return str(request.url) in given
        pattern = re.escape(self.path)
        pattern = pattern.replace(re.escape("{version}"), r"v\d+\.\d+")
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        return re.fullmatch(r"(?:/v\d+\.\d+)?" + pattern, request.url.path) is not None

    def problems(self, request: httpx.Request) -> list[str]:
        found: list[str] = []
        fields = _body_fields(request, self.body, found)
        named = {name: values for name, values in fields.items() if "#" not in name}
        params: dict[str, list[str]] = {}
        for name, value in request.url.params.multi_items():
            if self.path != UPLOAD_URL:  # an address given is used as it is, query and all
                params.setdefault(name, []).append(value)
        for what, given, required, allowed in (
            ("body field", named, self.required, self.required | self.allowed),
            ("parameter", params, self.required_params, self.required_params | self.params),
        ):
            found += [f"{what} {name} is missing" for name in sorted(required - set(given))]
            found += [f"{what} {name} is not allowed" for name in sorted(set(given) - allowed)]
        found += [
            f"header {name} is missing" for name in sorted(self.headers - set(request.headers))
        ]
        for name, check in self.values.items():
            for value in fields.get(name, []) + params.get(name, []):
                wrong = check(value)
                if wrong:
                    found.append(f"{name}: {wrong}")
        return found


class Recorder:
    """A fake server that keeps every exchange, and the addresses its answers gave."""

    def __init__(self, server: Any):
        self.server = server
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []
        self.given: set[str] = set()

    def handle(self, request: httpx.Request) -> httpx.Response:
        response = self.server.handle(request)
        self.exchanges.append((request, response))
        try:
            body = json.loads(response.content or b"null")
        except ValueError:
            body = None
        url = ((body or {}).get("value") or {}).get("uploadUrl") if isinstance(body, dict) else None
        if isinstance(url, str):
            self.given.add(url)
        return response

    def rate_limited(self) -> httpx.Response:
        response: httpx.Response = self.server.rate_limited()
        return response


def mismatches(recorders: Iterable[Recorder], table: Iterable[Row]) -> list[str]:
    """Every request no row allows (with the nearest rows' objections), then every row no
    request used."""
    rows = list(table)
    used: set[int] = set()
    out: list[str] = []
    for recorder in recorders:
        for request, _response in recorder.exchanges:
            candidates = [
                (i, row)
                for i, row in enumerate(rows)
                if row.method == request.method and row.matches_path(request, recorder.given)
            ]
            said = {i: row.problems(request) for i, row in candidates}
            fitting = [i for i, problems in said.items() if not problems]
            if fitting:
                used.add(fitting[0])
                continue
            why = "; ".join(
                f"{rows[i].source}: {', '.join(problems)}" for i, problems in said.items()
            )
            out.append(f"{request.method} {request.url}: {why or 'no row for this request'}")
    out += [
        f"row not used: {row.method} {row.path} ({row.source})"
        for i, row in enumerate(rows)
        if i not in used
    ]
    return out


def _body_fields(request: httpx.Request, kind: str, found: list[str]) -> dict[str, list[Any]]:
    content = request.content
    ctype = request.headers.get("content-type", "")
    if kind == "none":
        if content:
            found.append("a body where none is expected")
        return {}
    if kind == "bytes":
        if not content:
            found.append("no body")
        return {}
    if kind == "json":
        if not ctype.startswith("application/json"):
            found.append(f"content-type {ctype!r}, not application/json")
            return {}
        out: dict[str, list[Any]] = {}
        _flatten(json.loads(content), "", out)
        return out
    if kind == "form":
        if not ctype.startswith("application/x-www-form-urlencoded"):
            found.append(f"content-type {ctype!r}, not a form")
            return {}
        pairs = parse_qsl(content.decode(), keep_blank_values=True)
        return _grouped((_indexless(k), v) for k, v in pairs)
    if not ctype.startswith("multipart/form-data"):
        found.append(f"content-type {ctype!r}, not multipart/form-data")
        return {}
    message = BytesParser(policy=HTTP).parsebytes(
        b"content-type: " + ctype.encode() + b"\r\n\r\n" + content
    )
    parts = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        is_file = part.get_param("filename", header="content-disposition") is not None
        value = payload if is_file or not isinstance(payload, bytes) else payload.decode()
        parts.append((_indexless(str(name)), value))
    return _grouped(parts)


def _flatten(value: Any, path: str, out: dict[str, list[Any]]) -> None:
    if isinstance(value, dict) and value:
        for key, inner in value.items():
            _flatten(inner, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out.setdefault(f"{path}#count", []).append(len(value))
        for inner in value:
            _flatten(inner, f"{path}[]", out)
    else:
        out.setdefault(path, []).append(value)


def _grouped(pairs: Iterable[tuple[str, Any]]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for name, value in pairs:
        out.setdefault(name, []).append(value)
    return out


def _indexless(name: str) -> str:
    return re.sub(r"\[\d+\]", "[]", name)


# ---------------------------------------------------------------------------- value checks


def one_of(*allowed: str) -> Check:
    return lambda v: None if v in allowed else f"{v!r} is not one of {sorted(allowed)}"


def each_of(*allowed: str, sep: str = ",") -> Check:
    """A list in one value (``a,b`` or ``a b``), each item among ``allowed``."""

    def check(value: Any) -> str | None:
        items = [i for i in re.split(sep, str(value)) if i]
        wrong = [i for i in items if i not in allowed]
        return f"{wrong} not among {sorted(allowed)}" if wrong or not items else None

    return check


def size(low: int, high: int) -> Check:
    """A string's length or a list's size (a number of bytes for a file) in [low, high]."""

    def check(value: Any) -> str | None:
        n = len(value) if isinstance(value, str | bytes | list) else -1
        return None if low <= n <= high else f"size {n} is not in {low}..{high}"

    return check


def between(low: int, high: int) -> Check:
    def check(value: Any) -> str | None:
        try:
            n = int(value)
        except (TypeError, ValueError):
            return f"{value!r} is not a whole number"
        return None if low <= n <= high else f"{n} is not in {low}..{high}"

    return check


def matching(pattern: str) -> Check:
    """A string (or every string in a list) matching ``pattern`` whole."""

    def check(value: Any) -> str | None:
        items = value if isinstance(value, list) else [value]
        wrong = [i for i in items if not (isinstance(i, str) and re.fullmatch(pattern, i))]
        return f"{wrong} do not match {pattern}" if wrong else None

    return check


def fields(*names: str) -> frozenset[str]:
    return frozenset(names)
