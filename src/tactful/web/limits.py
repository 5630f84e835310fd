"""Request size limits, enforced as the body arrives (a declared Content-Length is refused
up front; a chunked body is counted): 2 MB for JSON, 50 MB for an image, and the server's
archive limit for an export."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tactful.web import problems
from tactful.web.uploads import mb

MAX_JSON = 2 * 1024 * 1024
MAX_IMAGE = 50 * 1024 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, archive_limit: int):
        self.app = app
        self.archive_limit = archive_limit

    def limit_for(self, method: str, path: str) -> int:
        if method == "POST" and path == "/api/audits":
            return self.archive_limit
        if method == "POST" and path == "/api/media":
            return MAX_IMAGE
        return MAX_JSON

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["method"], scope["path"])
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            response = problems.problem(
                413, "Request too large", f"requests here are limited to {mb(limit)}", "413"
            )
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"requests here are limited to {mb(limit)}")
            return message

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra: list[Any] = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                ]
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in extra if h[0] not in names
                ]
            await send(message)

        await self.app(scope, counted, secured)
