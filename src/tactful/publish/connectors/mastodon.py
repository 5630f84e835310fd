"""Mastodon (and compatible servers): ``POST /api/v2/media`` for images (polling while the
server processes them), ``POST /api/v1/statuses`` with an ``Idempotency-Key`` header, which
Mastodon honours for an hour, and the account's own statuses to find a post after that.

Reading the account's statuses with the user's token needs ``read:statuses``: Mastodon
checks the scopes of any token it is sent, and answers 403 when one is missing. Accounts
connected before tactful asked for that scope hold a token without it, so on a 403
:meth:`MastodonConnector.find` reads the same list without a token: the endpoint is public
for public statuses (since Mastodon 2.7), which is what tactful posts.

Docs (github.com/mastodon/documentation, content/en/): methods/statuses.md (create),
methods/media.md (v2 upload, get), methods/accounts.md (verify_credentials, statuses),
methods/instance.md and entities/Instance.md (v2 instance: ``configuration.statuses``),
methods/apps.md and api/oauth-scopes.md."""

from __future__ import annotations

import html
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    MediaFile,
    Outgoing,
    Result,
    classify,
    json_object,
    plain,
    send,
    unknown_as_retry,
)

MEDIA_POLLS = 20
FIND_PAGES = 25  # 1,000 statuses back


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

    def _upload(self, http: httpx.Client, creds: Credentials, media: MediaFile) -> str | Result:
        path = Path(media.path)
        files = {"file": (path.name, path.read_bytes(), media.mime)}
        data = {"description": media.alt_text} if media.alt_text else {}
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
            return unknown_as_retry(answer)
        if answer.status_code not in (200, 202):
            return classify(answer)
        media_id = str(answer.json()["id"])
        if answer.status_code == 202:  # still processing: wait until it has a URL
            for _ in range(MEDIA_POLLS):
                polled = send(
                    http,
                    http.build_request(
                        "GET",
                        self._url(creds, f"/api/v1/media/{media_id}"),
                        headers=self._auth(creds),
                    ),
                )
                if (
                    isinstance(polled, httpx.Response)
                    and polled.status_code == 200
                    and json_object(polled).get("url")
                ):
                    break
                time.sleep(self.poll_wait)
            else:
                return Result("retry", detail="the server is still processing the image")
        return media_id

    def verify(self, http: httpx.Client, creds: Credentials) -> str:
        """The account's id on its server; a clear error when the token or URL is wrong."""
        from tactful.errors import InputError

        request = http.build_request(
            "GET",
            self._url(creds, "/api/v1/accounts/verify_credentials"),
            headers=self._auth(creds),
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            raise InputError(f"cannot reach {creds.base_url}: {answer.detail}")
        if answer.status_code != 200:
            raise InputError(f"{creds.base_url} refused the token: {classify(answer).detail}")
        return str(answer.json()["id"])

    def limits(self, http: httpx.Client, creds: Credentials) -> dict[str, object] | None:
        """What this instance accepts (``GET /api/v2/instance``): its character limit,
        images per post, image types and largest image; None when it does not say."""
        answer = send(http, http.build_request("GET", self._url(creds, "/api/v2/instance")))
        if isinstance(answer, Result) or answer.status_code != 200:
            return None
        config = answer.json().get("configuration") or {}
        statuses = config.get("statuses") or {}
        media = config.get("media_attachments") or {}
        found = {
            "max_characters": statuses.get("max_characters"),
            "max_images": statuses.get("max_media_attachments"),
            "types": [t for t in media.get("supported_mime_types") or () if t.startswith("image/")],
            "max_bytes": media.get("image_size_limit"),
            # What one link counts towards max_characters (Mastodon 4.0+; 23 before).
            "characters_reserved_per_url": statuses.get("characters_reserved_per_url"),
        }
        return {k: v for k, v in found.items() if v} or None

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        media_ids: list[str] = []
        for media in post.media:
            uploaded = self._upload(http, creds, media)
            if isinstance(uploaded, Result):
                return uploaded
            media_ids.append(uploaded)
        body: dict[str, object] = {
            "status": post.text,
            "visibility": "public",
            "media_ids": media_ids,
        }
        if post.reply_to is not None:  # the next part of a thread
            body["in_reply_to_id"] = post.reply_to.remote_id
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

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """Page back through the account's statuses (newest first) to the first attempt,
        matching the text (Mastodon returns it as HTML, so the markup is stripped) and the
        status it replies to (a thread's part under another thread is another post). A
        token without ``read:statuses`` is refused (403): the public list is read instead."""
        if not creds.remote_user:
            return Result("unknown", detail="the account's Mastodon id is not known")
        wanted = plain(post.text)
        parent = post.reply_to.remote_id if post.reply_to else None
        cutoff = since - timedelta(minutes=5) if since else None
        url = self._url(creds, f"/api/v1/accounts/{creds.remote_user}/statuses")
        headers = self._auth(creds)
        max_id: str | None = None
        for _ in range(FIND_PAGES):
            params: dict[str, str | int] = {"limit": 40}
            if max_id:
                params["max_id"] = max_id
            answer = send(http, http.build_request("GET", url, headers=headers, params=params))
            if not isinstance(answer, Result) and answer.status_code == 403 and headers:
                headers = {}  # the token lacks read:statuses: public statuses need none
                answer = send(http, http.build_request("GET", url, params=params))
            if isinstance(answer, Result):
                return Result(
                    "unknown", detail=f"could not read the account's posts: {answer.detail}"
                )
            if answer.status_code != 200:
                return Result("unknown", status=answer.status_code, detail=_unread(answer, headers))
            try:
                page = answer.json()
            except ValueError:
                page = None
            if not isinstance(page, list):
                return Result("unknown", status=200, detail="the server's list of posts is no list")
            for status in page:
                replies_to = status.get("in_reply_to_id")
                same_place = (str(replies_to) if replies_to else None) == parent
                if same_place and _plain(status.get("content", "")) == wanted:
                    return Result("published", str(status["id"]), status.get("url"), status=200)
            if not page:
                return None
            oldest = page[-1]
            created = datetime.fromisoformat(str(oldest["created_at"]).replace("Z", "+00:00"))
            if cutoff is not None and created < cutoff:
                return None  # back past the first attempt: it never went out
            max_id = str(oldest["id"])
        return Result("unknown", detail=f"not in the last {FIND_PAGES * 40} posts")


def _unread(answer: httpx.Response, with_token: dict[str, str]) -> str:
    said = classify(answer).detail
    if not with_token:  # the server shows no statuses to a reader without a token
        return (
            f"could not read the account's posts ({said}): the token lacks read:statuses "
            "and the server shows no posts without one; connect the account again "
            "with --oauth, or with a token that has read:statuses"
        )
    return f"could not read the account's posts ({said})"


def _plain(content: str) -> str:
    text = re.sub(r"<br\s*/?>|</p><p>", "\n", content)
    return plain(html.unescape(re.sub(r"<[^>]+>", "", text)))
