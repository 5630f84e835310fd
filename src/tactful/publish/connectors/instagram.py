"""Instagram professional accounts, through the Graph API with Facebook Login
(https://developers.facebook.com/docs/instagram-platform/content-publishing): single-image
posts only. A caption alone cannot be posted, and carousels (several images) are not done.

``creds.remote_user`` is the Instagram professional account id, ``creds.extra["page_id"]``
the Facebook Page linked to it, ``creds.token`` that Page's access token (permissions
``instagram_basic``, ``instagram_content_publish``, ``pages_read_engagement`` and, to host
the image, ``pages_manage_posts``). A Page token obtained from a long-lived user token does
not expire, so there is no ``refresh``: a refused token is ``auth``, connect again.

**Where the image comes from.** The Graph API does not take image bytes for Instagram: it
fetches ``image_url`` itself ("we cURL media used in publishing attempts, so the media must
be hosted on a publicly accessible server at the time of the attempt"). tactful runs on the
user's machine and has no public server, so it lends the image a public address through the
linked Page: it uploads the JPEG as an *unpublished* Page photo (``POST /{page-id}/photos``,
``published=false``, multipart ``source``; never shown on the Page), reads the photo's
``images`` (``GET /{photo-id}?fields=images``: the stored renditions, each with a
``source`` URL on Meta's CDN; the widest is the full-size one, whereas ``picture`` is a
small thumbnail and ``link`` an HTML page) and passes that URL as ``image_url``. When the
attempt is over (published or not) the unpublished photo is deleted
(``DELETE /{photo-id}``), best effort; Instagram keeps its own copy.

Then: ``POST /{ig-user-id}/media`` (``image_url``, ``caption``, ``alt_text``) makes a
container; ``GET /{container-id}?fields=status_code`` is polled until ``FINISHED``
(``IN_PROGRESS`` waits, ``ERROR`` is rejected, ``EXPIRED`` retried);
``POST /{ig-user-id}/media_publish`` with ``creation_id`` publishes it and answers the media
id (9007 / 2207027, "not ready", waits and asks again); ``GET /{media-id}?fields=permalink``
gives the post's URL.

Instagram takes JPEG only for image posts, captions of up to 2,200 characters and 30
hashtags: anything else is ``rejected`` before a request is made.

No idempotency key: a container made but never published is harmless (it expires in 24
hours), so losing the answer to any step before ``media_publish`` is ``retry``; losing the
answer to ``media_publish`` is ``unknown``, and the worker reconciles it with
:meth:`InstagramConnector.find` (the account's ``/media``, matched on the caption) before it
would ever publish again. Errors follow the Graph error model
(:mod:`tactful.publish.connectors.graph`)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    Kind,
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
    get_json,
    graph_error,
    graph_result,
    linked_instagram,
    not_ready,
)

CAPTION_LIMIT = 2200
HASHTAG_LIMIT = 30
STATUS_POLLS = 40
PUBLISH_TRIES = 3
FIND_PAGES = 10  # of 50 media: 500 back
PAGE_SIZE = 50
PERMISSION = "instagram_content_publish"
HOSTING_PERMISSION = "pages_manage_posts"
FETCH_FAILED = {2207003, 2207052}  # Instagram could not download the image: try again later
HASHTAG = re.compile(r"(?<![\w&])#\w+")
JPEG_MAGIC = b"\xff\xd8\xff"


class InstagramConnector:
    name = "instagram"
    resend_safe_for: timedelta | None = None  # no idempotency key on the Graph API

    def __init__(self, poll_wait: float = 3.0):
        self.poll_wait = poll_wait  # seconds between looks at a container still processing

    def _ids(self, creds: Credentials) -> tuple[str, str] | Result:
        page = creds.extra.get("page_id")
        if not creds.remote_user or not page:
            return Result(
                "auth",
                detail="the Instagram account id or its linked Facebook Page id is not known: "
                "connect the account again",
            )
        return creds.remote_user, str(page)

    def verify(self, http: httpx.Client, creds: Credentials) -> str:
        """The Instagram professional account linked to ``creds.extra["page_id"]``."""
        from tactful.errors import InputError

        page = creds.extra.get("page_id")
        if not page:
            raise InputError("an Instagram account is connected through its Facebook Page id")
        linked = linked_instagram(http, creds, str(page))
        if isinstance(linked, Result):
            raise InputError(f"Facebook refused the Page token: {linked.detail}")
        if linked is None:
            raise InputError("no Instagram professional account is linked to that Page")
        return linked

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        ids = self._ids(creds)
        if isinstance(ids, Result):
            return ids
        refused = _refused(post)
        if refused is not None:
            return refused
        ig_user, page = ids
        hosted = self._host(http, creds, page, post.media[0])
        if isinstance(hosted, Result):
            return hosted
        photo_id, image_url = hosted
        try:
            return self._post(http, creds, ig_user, image_url, post)
        finally:
            self._unhost(http, creds, photo_id)

    def _host(
        self, http: httpx.Client, creds: Credentials, page: str, media: MediaFile
    ) -> tuple[str, str] | Result:
        """Upload the image to the Page unpublished; its id and full-size public URL."""
        path = Path(media.path)
        request = http.build_request(
            "POST",
            api_url(creds, f"/{page}/photos"),
            headers=auth(creds),
            data={"published": "false"},
            files={"source": (path.name, path.read_bytes(), media.mime)},
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return unknown_as_retry(answer)  # an unpublished photo is never shown
        if answer.status_code != 200:
            return unknown_as_retry(graph_result(answer, permission=HOSTING_PERMISSION))
        photo_id = str(answer.json()["id"])
        photo = get_json(http, creds, f"/{photo_id}", {"fields": "images"})
        if isinstance(photo, Result):
            self._unhost(http, creds, photo_id)
            return photo
        renditions = photo.get("images") or []
        sources = [r for r in renditions if isinstance(r, dict) and r.get("source")]
        if not sources:
            self._unhost(http, creds, photo_id)
            return Result("retry", detail="Facebook gave no URL for the hosted image")
        widest = max(sources, key=lambda r: int(r.get("width") or 0))
        return photo_id, str(widest["source"])

    def _unhost(self, http: httpx.Client, creds: Credentials, photo_id: str) -> None:
        """Best effort: the unpublished Page photo is no longer needed."""
        send(
            http, http.build_request("DELETE", api_url(creds, f"/{photo_id}"), headers=auth(creds))
        )

    def _post(
        self, http: httpx.Client, creds: Credentials, ig_user: str, image_url: str, post: Outgoing
    ) -> Result:
        data = {"image_url": image_url, "caption": post.text}
        if post.media[0].alt_text:
            data["alt_text"] = post.media[0].alt_text
        request = http.build_request(
            "POST", api_url(creds, f"/{ig_user}/media"), headers=auth(creds), data=data
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return unknown_as_retry(answer)  # a container never published is harmless
        if answer.status_code != 200:
            return self._container_refused(answer)
        container = str(answer.json()["id"])
        for _ in range(PUBLISH_TRIES):
            waited = self._ready(http, creds, container)
            if waited is not None:
                return waited
            request = http.build_request(
                "POST",
                api_url(creds, f"/{ig_user}/media_publish"),
                headers=auth(creds),
                data={"creation_id": container},
            )
            answer = send(http, request)
            if isinstance(answer, Result):
                return answer  # refused: retry; lost after sending: unknown
            if answer.status_code == 200:
                return self._published(http, creds, str(answer.json()["id"]))
            if not not_ready(answer):
                return graph_result(answer, permission=PERMISSION, network="Instagram")
            time.sleep(self.poll_wait)
        return Result("retry", detail="Instagram did not finish preparing the image in time")

    def _container_refused(self, answer: httpx.Response) -> Result:
        error = graph_error(answer)
        result = unknown_as_retry(graph_result(answer, permission=PERMISSION, network="Instagram"))
        if result.kind == "rejected" and error is not None and error.subcode in FETCH_FAILED:
            return Result("retry", status=result.status, detail=result.detail)
        return result

    def _ready(self, http: httpx.Client, creds: Credentials, container: str) -> Result | None:
        """Wait for the container to be ``FINISHED``; None when it is, else a Result."""
        for _ in range(STATUS_POLLS):
            status = get_json(http, creds, f"/{container}", {"fields": "status_code,status"})
            if isinstance(status, Result):
                if status.kind in ("auth", "rejected") or status.retry_after is not None:
                    return status
            else:
                code = status.get("status_code")
                if code == "FINISHED":
                    return None
                if code == "EXPIRED":
                    return Result("retry", detail="the Instagram container expired unpublished")
                if code == "ERROR":
                    said = str(status.get("status") or "ERROR")
                    kind: Kind = (
                        "retry" if any(str(s) in said for s in FETCH_FAILED) else "rejected"
                    )
                    return Result(kind, detail=f"Instagram could not use the image: {said}")
            time.sleep(self.poll_wait)
        return Result("retry", detail="Instagram is still processing the image")

    def _published(self, http: httpx.Client, creds: Credentials, media_id: str) -> Result:
        """Published: the post's permalink if it can be read (the post is there either way)."""
        media = get_json(http, creds, f"/{media_id}", {"fields": "permalink"})
        url = None if isinstance(media, Result) else media.get("permalink")
        return Result("published", media_id, str(url) if url else None, status=200)

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """The account's media, newest first, back to the first attempt less five minutes,
        matched on the caption (whitespace-normalised); capped at :data:`FIND_PAGES` pages."""
        ids = self._ids(creds)
        if isinstance(ids, Result):
            return Result("unknown", detail=ids.detail)
        wanted = plain(post.text)
        cutoff = since - timedelta(minutes=5) if since else None
        params = {"fields": "id,caption,timestamp,permalink", "limit": str(PAGE_SIZE)}
        item = first_match(
            http, creds, f"/{ids[0]}/media", params, text_key="caption", time_key="timestamp",
            wanted=wanted, cutoff=cutoff, max_pages=FIND_PAGES,
        )  # fmt: skip
        if not isinstance(item, dict):
            return item
        url = item.get("permalink")
        return Result("published", str(item["id"]), str(url) if url else None)


def _refused(post: Outgoing) -> Result | None:
    """What Instagram would refuse, said before anything is uploaded."""
    if not post.media:
        return Result(
            "rejected", detail="Instagram needs an image: a caption alone cannot be posted"
        )
    if len(post.media) > 1:
        return Result(
            "rejected",
            detail=f"Instagram posts from tactful carry one image ({len(post.media)} attached): "
            "carousels are not supported",
        )
    media = post.media[0]
    try:
        with open(media.path, "rb") as f:
            head = f.read(len(JPEG_MAGIC))
    except OSError as exc:
        return Result("rejected", detail=f"the image cannot be read: {exc.strerror}")
    if media.mime != "image/jpeg" or head != JPEG_MAGIC:
        return Result(
            "rejected",
            detail=f"Instagram takes JPEG images only (this one is {media.mime}): "
            "save it as a JPEG",
        )
    if len(post.text) > CAPTION_LIMIT:
        return Result(
            "rejected",
            detail=f"the caption is {len(post.text)} characters; Instagram allows {CAPTION_LIMIT}",
        )
    tags = len(HASHTAG.findall(post.text))
    if tags > HASHTAG_LIMIT:
        return Result(
            "rejected", detail=f"the caption has {tags} hashtags; Instagram allows {HASHTAG_LIMIT}"
        )
    return None
