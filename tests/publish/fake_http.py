"""What every fake network shares: an httpx client whose transport is the fake server (each
request a real HTTP message, through httpx.MockTransport), with faults injected around it,
and the same fake as an ASGI app to serve on a real socket.

A fake server is any object with ``handle(request) -> response`` and ``rate_limited() ->
response`` (its network's documented rate-limit answer: status, headers, error body)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import httpx


class FakeServer(Protocol):
    def handle(self, request: httpx.Request) -> httpx.Response: ...

    def rate_limited(self) -> httpx.Response: ...


Fault = Callable[[httpx.Request], str | None]


def client(server: FakeServer, fault: Fault | None = None) -> httpx.Client:
    """A client for ``server`` with optional faults, chosen per request by ``fault``:
    ``refuse`` (connection refused, nothing reaches the server), ``drop`` (the server
    handles the request, then the connection drops before the answer), ``429`` (the
    network's rate-limit answer), ``500-before`` (a 500 without handling), ``502-after``
    (handled, then a proxy's 502)."""

    def transport(request: httpx.Request) -> httpx.Response:
        kind = fault(request) if fault else None
        if kind == "refuse":
            raise httpx.ConnectError("connection refused", request=request)
        if kind == "429":
            return server.rate_limited()
        if kind == "500-before":
            return httpx.Response(500, json={"error": "Internal server error"})
        response = server.handle(request)
        if kind == "drop":
            raise httpx.ReadTimeout("timed out waiting for the answer", request=request)
        if kind == "502-after":
            return httpx.Response(502, text="<html>Bad Gateway</html>")
        return response

    return httpx.Client(transport=httpx.MockTransport(transport))


def asgi(server: FakeServer):  # type: ignore[no-untyped-def]
    """The same fake as an ASGI app, to serve on a real socket (for the CLI tests)."""

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        query = scope.get("query_string", b"").decode()
        url = f"http://{scope['server'][0]}:{scope['server'][1]}{scope['path']}" + (
            f"?{query}" if query else ""
        )
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"]]
        response = server.handle(httpx.Request(scope["method"], url, headers=headers, content=body))
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": [(k.encode(), v.encode()) for k, v in response.headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": response.content})

    return app
