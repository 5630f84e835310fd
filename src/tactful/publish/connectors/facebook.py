"""Facebook Pages, through the Graph API (https://developers.facebook.com/docs/pages-api/posts).

``creds.remote_user`` is the Page id and ``creds.token`` a Page access token (permissions
``pages_manage_posts`` and ``pages_read_engagement``). A Page token obtained from a
long-lived user token does not expire, so this connector has no ``refresh``: when Facebook
refuses the token (the password changed, the app was removed) the answer is ``auth`` and the
Page must be connected again.

* text: ``POST /{page-id}/feed`` with ``message``, answered ``{"id": "<page>_<post>"}``;
* one image: ``POST /{page-id}/photos`` (multipart ``source``, ``message`` as the caption,
  ``alt_text_custom``), answered ``{"id": <photo>, "post_id": "<page>_<post>"}``;
* several images: each uploaded with ``published=false`` (an unpublished photo is never
  shown), then ``POST /{page-id}/feed`` with ``message`` and
  ``attached_media[i]={"media_fbid": <photo>}``
  (https://developers.facebook.com/docs/graph-api/photo-uploads).

The post's URL is ``https://www.facebook.com/<page>_<post>``. Pages have no threads here.

The Graph API takes no idempotency key, so ``resend_safe_for`` is None and the worker
reconciles an unknown answer with :meth:`FacebookConnector.find`: the Page's ``/posts``,
since the first attempt less five minutes, matched on the text. Errors follow the Graph
error model (:mod:`tactful.publish.connectors.graph`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    MediaFile,
    Outgoing,
    Result,
    plain,
    send,
    unknown_as_retry,
)
from tactful.publish.connectors.graph import (
    api_url,
    auth,
    first_match,
    graph_result,
    whoami,
)

FIND_PAGES = 10  # of 25 posts: 250 back
PAGE_SIZE = 25
PERMISSION = "pages_manage_posts"
POST_URL = "https://www.facebook.com/{}"


class FacebookConnector:
    name = "facebook"
    resend_safe_for: timedelta | None = None  # no idempotency key on the Graph API

    def _page(self, creds: Credentials) -> str | Result:
        if not creds.remote_user:
            return Result("auth", detail="the Facebook Page id is not known: connect the Page")
        return creds.remote_user

    def verify(self, http: httpx.Client, creds: Credentials) -> str:
        """The Page id the token speaks for; a clear error when the token is refused."""
        from tactful.errors import InputError

        me = whoami(http, creds)
        if isinstance(me, Result):
            raise InputError(f"Facebook refused the Page token: {me.detail}")
        return str(me["id"])

    def _photo(
        self,
        http: httpx.Client,
        creds: Credentials,
        page: str,
        media: MediaFile,
        message: str | None,
        published: bool,
    ) -> httpx.Response | Result:
        path = Path(media.path)
        data = {"published": "true" if published else "false"}
        if message:
            data["message"] = message
        if media.alt_text:
            data["alt_text_custom"] = media.alt_text
        request = http.build_request(
            "POST",
            api_url(creds, f"/{page}/photos"),
            headers=auth(creds),
            data=data,
            files={"source": (path.name, path.read_bytes(), media.mime)},
        )
        return send(http, request)

    def _forget(self, http: httpx.Client, creds: Credentials, photo_ids: list[str]) -> None:
        """Best effort: unpublished photos left from a post that did not go out."""
        for photo_id in photo_ids:
            send(
                http,
                http.build_request("DELETE", api_url(creds, f"/{photo_id}"), headers=auth(creds)),
            )

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        page = self._page(creds)
        if isinstance(page, Result):
            return page
        if len(post.media) == 1:  # one request makes the photo and the post
            answer = self._photo(http, creds, page, post.media[0], post.text, published=True)
            if isinstance(answer, Result):
                return answer
            if answer.status_code != 200:
                return graph_result(answer, permission=PERMISSION)
            body = answer.json()
            post_id = str(body.get("post_id") or f"{page}_{body['id']}")
            return _published(post_id, status=200)
        photo_ids: list[str] = []
        for media in post.media:
            uploaded = self._photo(http, creds, page, media, None, published=False)
            if isinstance(uploaded, httpx.Response) and uploaded.status_code == 200:
                photo_ids.append(str(uploaded.json()["id"]))
                continue
            failed = (
                uploaded
                if isinstance(uploaded, Result)
                else graph_result(uploaded, permission=PERMISSION)
            )
            self._forget(http, creds, photo_ids)
            # An unpublished photo is never shown: an upload with no answer is safe to redo.
            return unknown_as_retry(failed)
        data = {"message": post.text}
        for i, photo_id in enumerate(photo_ids):
            data[f"attached_media[{i}]"] = json.dumps({"media_fbid": photo_id})
        request = http.build_request(
            "POST", api_url(creds, f"/{page}/feed"), headers=auth(creds), data=data
        )
        answer = send(http, request)
        if isinstance(answer, httpx.Response) and answer.status_code == 200:
            return _published(str(answer.json()["id"]), status=200)
        result = (
            answer if isinstance(answer, Result) else graph_result(answer, permission=PERMISSION)
        )
        if result.kind != "unknown":  # certainly not posted: the next attempt uploads anew
            self._forget(http, creds, photo_ids)
        return result  # unknown: the photos may be in a post now, so they stay

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """The Page's posts since the first attempt (less five minutes), newest first,
        matched on the text (whitespace-normalised); capped at :data:`FIND_PAGES` pages."""
        page = self._page(creds)
        if isinstance(page, Result):
            return Result("unknown", detail=page.detail)
        wanted = plain(post.text)
        cutoff = since - timedelta(minutes=5) if since else None
        params = {"fields": "id,message,created_time,permalink_url", "limit": str(PAGE_SIZE)}
        if cutoff is not None:
            params["since"] = str(int(cutoff.timestamp()))
        item = first_match(
            http, creds, f"/{page}/posts", params, text_key="message", time_key="created_time",
            wanted=wanted, cutoff=cutoff, max_pages=FIND_PAGES,
        )  # fmt: skip
        if not isinstance(item, dict):
            return item
        url = item.get("permalink_url")
        return _published(str(item["id"]), url=str(url) if url else None)


def _published(post_id: str, url: str | None = None, status: int | None = 200) -> Result:
    return Result("published", post_id, url or POST_URL.format(post_id), status=status)
