"""Pages and sign-in answer only to this machine's own names (DNS rebinding).

A web page on another site can point its own name at 127.0.0.1 and then load this server's
pages as if they were its own. The browser still sends that site's name in the ``Host``
header, so what a browser shows or signs in with (the pages, ``/session``, ``/docs``, the
static files) answers only to the loopback names (``localhost`` and names under it,
``127.0.0.1``, ``::1``), the host the server was started on, and names given with
``--allow-host``. The API needs the token or a session cookie, which such a page never has,
and API clients may use any name; ``/openapi.json`` (the API's description) and
``/healthz`` (for probes) answer to any name too.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from tactful.web import problems

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD = frozenset({"", "0.0.0.0", "::"})  # listening everywhere names no host
OPEN_PATHS = ("/api/", "/healthz", "/openapi.json")


def host_name(header: str) -> str:
    """The name in a Host header, lower-case, without port, brackets or a final dot."""
    name = header.strip().lower()
    if name.startswith("["):  # [::1]:8765
        name = name[1:].split("]", 1)[0]
    elif name.count(":") == 1:  # example.com:8765 (a bare IPv6 address has more colons)
        name = name.split(":", 1)[0]
    return name.rstrip(".")


class TrustedHosts:
    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()):
        self.app = app
        self.allowed = LOOPBACK | {host_name(h) for h in allowed} - WILDCARD

    def trusted(self, header: str) -> bool:
        name = host_name(header)
        return name in self.allowed or name.endswith(".localhost")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path == "/api" or path.startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        header = headers.get(b"host", b"").decode("latin-1")
        if self.trusted(header):
            await self.app(scope, receive, send)
            return
        response = problems.problem(
            421,
            "Not this server's name",
            f"this server answers to {', '.join(sorted(self.allowed))} only, not "
            f"{host_name(header)[:80]!r}; open it by one of those names, or start tactful "
            "serve with --allow-host NAME",
            "host",
        )
        await response(scope, receive, send)
