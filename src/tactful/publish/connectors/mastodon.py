"""Mastodon (and compatible servers): ``POST /api/v2/media`` for images (polling while the
server processes them), ``POST /api/v1/statuses`` with an ``Idempotency-Key`` header, which
Mastodon honours for an hour, and the account's own statuses to find a post after that."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    Outgoing,
    Result,
    classify,
    send,
)

MEDIA_POLLS = 20


class MastodonConnector:
    name = "mastodon"
    resend_safe_for: timedelta | None = timedelta(minutes=55)  # the key lives 1 h

    def __init__(self, poll_wait: float = 0.5):
        self.poll_wait = poll_wait  # seconds between looks at an image still processing

    def _auth(self, creds: Credentials) -> dict[str, str]:
        return {"Authorization": f"Bearer {creds.token}"}

    def _url(self, creds: Credentials, path: str) -> str:
        if not creds.base_url:
            raise ValueError("a Mastodon account needs its instance URL")
        return creds.base_url.rstrip("/") + path

    def _upload(self, http: httpx.Client, creds: Credentials, media: object) -> str | Result:
        path = Path(media.path)  # type: ignore[attr-defined]
        files = {"file": (path.name, path.read_bytes(), media.mime)}  # type: ignore[attr-defined]
        data = {"description": media.alt_text} if media.alt_text else {}  # type: ignore[attr-defined]
        request = http.build_request(
            "POST",
            self._url(creds, "/api/v2/media"),
            headers=self._auth(creds),
            files=files,
            data=data,
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            # An orphan upload is harmless (never attached); the status is what counts.
            return Result("retry", detail=answer.detail) if answer.kind == "unknown" else answer
        if answer.status_code not in (200, 202):
            return classify(answer)
        media_id = str(answer.json()["id"])
        if answer.status_code == 202:  # still processing: wait until it has a URL
            for _ in range(MEDIA_POLLS):
                polled = http.get(
                    self._url(creds, f"/api/v1/media/{media_id}"), headers=self._auth(creds)
                )
                if polled.status_code == 200 and polled.json().get("url"):
                    break
                time.sleep(self.poll_wait)
            else:
                return Result("retry", detail="the server is still processing the image")
        return media_id

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        media_ids: list[str] = []
        for media in post.media:
            uploaded = self._upload(http, creds, media)
            if isinstance(uploaded, Result):
                return uploaded
            media_ids.append(uploaded)
        body = {"status": post.text, "visibility": "public", "media_ids": media_ids}
        request = http.build_request(
            "POST",
            self._url(creds, "/api/v1/statuses"),
            headers={**self._auth(creds), "Idempotency-Key": post.key},
            json=body,
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code == 200:
            status = answer.json()
            return Result("published", str(status["id"]), status.get("url"), status=200)
        return classify(answer)

    def find(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result | None:
        """The account's latest statuses, matched on the text (Mastodon returns it as HTML,
        so the comparison strips the markup)."""
        import html
        import re

        if not creds.remote_user:
            return None
        answer = send(
            http,
            http.build_request(
                "GET",
                self._url(creds, f"/api/v1/accounts/{creds.remote_user}/statuses"),
                headers=self._auth(creds),
                params={"limit": 40, "exclude_replies": "false"},
            ),
        )
        if isinstance(answer, Result) or answer.status_code != 200:
            return Result("unknown", detail="could not look at the account's posts")

        def plain(s: str) -> str:
            s = re.sub(r"<br\s*/?>|</p><p>", "\n", s)
            return " ".join(html.unescape(re.sub(r"<[^>]+>", "", s)).split())

        wanted = " ".join(post.text.split())
        for status in answer.json():
            if plain(status.get("content", "")) == wanted:
                return Result("published", str(status["id"]), status.get("url"), status=200)
        return None
