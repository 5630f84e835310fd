"""Meta's Graph API in a function: one Facebook Page and the Instagram professional account
linked to it, speaking the documented HTTP contract of the endpoints the Facebook and
Instagram connectors use, served through httpx.MockTransport (see :mod:`fake_http`).

Modelled from the documentation:

* the API root ``/v25.0`` (a version prefix is accepted, as on graph.facebook.com), the
  token in ``Authorization: Bearer`` or an ``access_token`` parameter;
* the error body ``{"error": {"message", "type", "code", "error_subcode",
  "error_user_msg", "fbtrace_id"}}`` with HTTP 400 (403 for permissions): no token is 104,
  an unknown token 190, an expired one 190 / 463, a missing permission 200 (Pages) or 10
  (Instagram), an unknown or foreign object 100 / 33
  (https://developers.facebook.com/docs/graph-api/guides/error-handling);
* ``POST /{page}/feed`` (``message``, ``attached_media[i]={"media_fbid"}``) ->
  ``{"id": "<page>_<post>"}``; ``POST /{page}/photos`` (multipart ``source``, ``message``,
  ``published``, ``alt_text_custom``) -> ``{"id", "post_id"}``, or ``{"id"}`` for an
  unpublished photo; ``GET /{photo}?fields=images|picture|link`` (``images``: the stored
  renditions, widest first, each ``{height, width, source}`` on the CDN); ``DELETE
  /{photo}`` -> ``{"success": true}``; ``GET /{page}/posts`` (``since`` as unix time,
  ``limit``, cursor paging with ``paging.next``)
  (https://developers.facebook.com/docs/graph-api/reference/page/photos,
  https://developers.facebook.com/docs/graph-api/photo-uploads);
* ``POST /{ig-user}/media`` (``image_url`` fetched from the CDN: a URL it cannot fetch is
  9004 / 2207052, a non-JPEG 36001 / 2207005, a caption over 2,200 characters or 30
  hashtags 36004 / 2207010); ``GET /{container}?fields=status_code`` (``IN_PROGRESS`` for
  ``container_polls`` reads, then ``FINISHED``; the image is downloaded then, so a hosted
  photo deleted too early makes it ``ERROR``); ``POST /{ig-user}/media_publish``
  (``creation_id``; 9007 / 2207027 "not ready" before ``FINISHED``; 9 / 2207042 past the
  100 posts a day); ``GET /{media}?fields=permalink``; ``GET /{ig-user}/media`` (paged)
  (https://developers.facebook.com/docs/instagram-platform/content-publishing,
  .../instagram-graph-api/reference/ig-container, .../reference/error-codes);
* throttling (:meth:`FakeGraph.rate_limited`): code 80001 with HTTP 400 and
  ``X-Business-Use-Case-Usage`` giving ``estimated_time_to_regain_access`` in minutes
  (https://developers.facebook.com/docs/graph-api/overview/rate-limiting); answers also
  carry the usage header when not throttled.

Facebook Login (https://developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow,
.../guides/access-tokens/get-long-lived, https://developers.facebook.com/docs/graph-api/reference/user/accounts):

* the dialog ``GET https://www.facebook.com/v25.0/dialog/oauth`` (``client_id``,
  ``redirect_uri``, ``state``, ``scope`` comma- or space-separated, ``response_type=code``)
  sends the browser back with ``code`` and ``state``, or, when the person cancels, with
  ``error_reason=user_denied&error=access_denied&error_description=Permissions+error.``;
* ``/oauth/access_token`` (GET as documented, or POST) with ``client_id``,
  ``redirect_uri`` (identical to the dialog's), ``client_secret`` and ``code`` (used once,
  10 minutes) -> ``{"access_token", "token_type": "bearer", "expires_in"}``: a short-lived
  user token; with ``grant_type=fb_exchange_token`` and ``fb_exchange_token`` -> a
  long-lived one (``expires_in`` about 60 days); refusals in the Graph error body
  (101 a bad app id, 1 a bad secret, 100 a bad code or redirect_uri, 190 a bad token);
* ``GET /me`` and ``GET /me/accounts`` with a user token: the Pages granted, each with
  ``id``, ``name``, ``access_token`` (a Page token; made from a short-lived user token it
  lapses within hours, from a long-lived one never), ``category``, ``tasks`` and
  ``instagram_business_account`` when one is linked; the Page token holds the permissions
  the person granted;
* ``GET /{ig-user}?fields=username``.

Not documented word for word, so approximated: the wording of the 100 errors for a
message too long (a Page post takes 63,206 characters) or a bad ``attached_media``. Not
modelled: Facebook's 506 for a post identical to the one before (it would hide the
duplicates the fault tests count), app-secret proofs, videos, carousels, scheduling."""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from fake_http import client

BASE = "https://graph.fake.test/v25.0"
CDN = "https://scontent.fake.test"
PAGE_ID = "104857600000001"
IG_ID = "17841400000000001"
TOKEN = "page-token"
APP_ID, APP_SECRET = "1234567890123456", "meta-app-secret"
USER_ID = "10160000000000001"
DIALOG = "https://www.facebook.test/v25.0/dialog/oauth"
SECOND_PAGE_ID = "104857600000002"
SECOND_TOKEN = "second-page-token"
BAKERY = {"id": PAGE_ID, "name": "Jo's Bakery", "access_token": TOKEN, "category": "Bakery"}
CAFE = {"id": SECOND_PAGE_ID, "name": "Jo's Café", "access_token": SECOND_TOKEN, "category": "Cafe"}
CODE_LIFE = timedelta(minutes=10)
SHORT_LIFE = 5400  # seconds: a short-lived user token (one to two hours)
LONG_LIFE = 5183944  # seconds: a long-lived user token (about 60 days)
POST_LIMIT = 63206  # characters in a Page post
CAPTION_LIMIT = 2200
HASHTAG_LIMIT = 30
PUBLISH_CAP = 100  # Instagram posts per account per 24 hours
ALL_PERMISSIONS = frozenset(
    {
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_posts",
        "instagram_basic",
        "instagram_content_publish",
        "pages_read_user_content",
        "pages_manage_engagement",
        "instagram_manage_comments",
    }
)


@dataclass
class FakeGraph:
    # Made without a clock, the fake keeps the real one, like the CLI it then serves.
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # real clock ok
    tokens: dict[str, str] = field(
        default_factory=lambda: {
            TOKEN: PAGE_ID,
            "expired-token": PAGE_ID,
            "no-publish-token": PAGE_ID,
        }
    )
    expired: set[str] = field(default_factory=lambda: {"expired-token"})
    # Tokens granted fewer permissions than ALL_PERMISSIONS.
    granted: dict[str, frozenset[str]] = field(
        default_factory=lambda: {
            "no-publish-token": frozenset({"pages_show_list", "pages_read_engagement"})
        }
    )
    linked: dict[str, str] = field(default_factory=lambda: {PAGE_ID: IG_ID})
    container_polls: int = 1  # status reads answered IN_PROGRESS before FINISHED
    not_ready_publishes: int = 0  # media_publish calls answered "not ready" even when FINISHED
    cdn_down: bool = False  # Instagram cannot fetch from the CDN
    posts: list[dict[str, Any]] = field(default_factory=list)
    photos: dict[str, dict[str, Any]] = field(default_factory=dict)
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: list[dict[str, Any]] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)
    _seq: int = 0
    # Facebook Login: the Pages the person manages (and grants), what they do in the dialog
    # ("allow" or "cancel"), codes and user tokens issued, when Page tokens lapse.
    pages: list[dict[str, Any]] = field(default_factory=lambda: [dict(BAKERY)])
    user_answer: str = "allow"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_token_expiry: dict[str, datetime] = field(default_factory=dict)
    ig_usernames: dict[str, str] = field(default_factory=lambda: {IG_ID: "josbakery"})

    def __post_init__(self) -> None:
        for p in self.pages:
            self.tokens.setdefault(p["access_token"], p["id"])

    # -- plumbing -------------------------------------------------------------------------

    def _id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:06d}"

    def _usage(self, page: str, calls: int = 1, minutes: int = 0) -> dict[str, str]:
        usage = {
            page: [
                {
                    "type": "pages",
                    "call_count": calls,
                    "total_cputime": 1,
                    "total_time": 1,
                    "estimated_time_to_regain_access": minutes,
                }
            ]
        }
        return {"X-Business-Use-Case-Usage": json.dumps(usage)}

    def _error(
        self,
        status: int,
        code: int,
        message: str,
        subcode: int | None = None,
        user_msg: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code}
        if subcode is not None:
            error["error_subcode"] = subcode
        if user_msg:
            error["error_user_title"] = message
            error["error_user_msg"] = user_msg
        error["fbtrace_id"] = "AbCdEfGhIjK"
        return httpx.Response(status, json={"error": error}, headers=headers)

    def _missing(self, method: str, node: str) -> httpx.Response:
        return self._error(
            400,
            100,
            f"Unsupported {method.lower()} request. Object with ID '{node}' does not exist, "
            "cannot be loaded due to missing permissions, or does not support this operation. "
            "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
            subcode=33,
        )

    def _token(self, request: httpx.Request, form: dict[str, str]) -> str | None:
        header = request.headers.get("authorization", "")
        for scheme in ("Bearer ", "OAuth "):
            if header.startswith(scheme):
                return header[len(scheme) :].strip()
        return request.url.params.get("access_token") or form.get("access_token")

    def _form(
        self, request: httpx.Request
    ) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
        """Query and body parameters (urlencoded or multipart), and the uploaded files."""
        fields = dict(request.url.params)
        files: dict[str, tuple[str, bytes, str]] = {}
        ctype = request.headers.get("content-type", "")
        body = request.content
        if ctype.startswith("application/x-www-form-urlencoded"):
            fields.update(parse_qsl(body.decode(), keep_blank_values=True))
        elif ctype.startswith("application/json") and body:
            fields.update({k: str(v) for k, v in json.loads(body).items()})
        elif ctype.startswith("multipart/form-data"):
            boundary = re.search(r"boundary=([^;]+)", ctype)
            assert boundary, "multipart without a boundary"
            for chunk in body.split(b"--" + boundary[1].strip('"').encode())[1:-1]:
                head, _, data = chunk.partition(b"\r\n\r\n")
                data = data.removesuffix(b"\r\n")
                head_text = head.decode()
                name = re.search(r'(?<!file)name="([^"]*)"', head_text)
                filename = re.search(r'filename="([^"]*)"', head_text)
                part_type = re.search(r"(?i)content-type:\s*(\S+)", head_text)
                if name is None:
                    continue
                if filename is not None:
                    mime = part_type[1] if part_type else "application/octet-stream"
                    files[name[1]] = (filename[1], data, mime)
                else:
                    fields[name[1]] = data.decode()
        return fields, files

    def _granted(self, token: str) -> frozenset[str]:
        return self.granted.get(token, ALL_PERMISSIONS)

    # -- the server -------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        fields, files = self._form(request)
        path = re.sub(r"^/v\d+\.\d+", "", request.url.path).strip("/")
        if path == "dialog/oauth" and request.method == "GET":
            return self._dialog(fields)
        if path == "oauth/access_token" and request.method in ("GET", "POST"):
            return self._access_token(fields)
        token = self._token(request, fields)
        if not token:
            return self._error(400, 104, "An access token is required to request this resource.")
        lapses = self.user_tokens[token]["expires_at"] if token in self.user_tokens else None
        lapses = self.page_token_expiry.get(token, lapses)
        if lapses is not None and lapses <= self.clock():
            return self._error(
                400, 190, "Error validating access token: Session has expired", subcode=463
            )
        if token in self.user_tokens:
            return self._as_user(path, request.method, token, fields)
        if token in self.expired:
            return self._error(
                400,
                190,
                "Error validating access token: Session has expired on Sunday, 22-Nov-26 "
                "01:00:00 PST. The current time is Monday, 23-Nov-26 01:00:00 PST.",
                subcode=463,
            )
        page = self.tokens.get(token)
        if page is None:
            return self._error(400, 190, "Invalid OAuth access token - Cannot parse access token")
        response = self._route(request, page, token, fields, files)
        if response.status_code < 400:
            response.headers.update(self._usage(page))
        return response

    def _route(
        self,
        request: httpx.Request,
        page: str,
        token: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes, str]],
    ) -> httpx.Response:
        path = re.sub(r"^/v\d+\.\d+", "", request.url.path).strip("/")
        parts, method = path.split("/"), request.method
        ig = self.linked.get(page)
        if parts == ["me"] and method == "GET":
            return httpx.Response(200, json={"id": page, "name": "Jo's Bakery"})
        if len(parts) == 2:
            node, edge = parts
            if node == page and edge == "feed" and method == "POST":
                return self._feed(page, token, fields)
            if node == page and edge == "photos" and method == "POST":
                return self._upload(page, token, fields, files)
            if node == page and edge == "posts" and method == "GET":
                return self._list(
                    request, [p for p in self.posts if p["page"] == page], "created_time"
                )
            if node == ig and edge == "media" and method == "POST":
                return self._container(ig, token, fields)
            if node == ig and edge == "media" and method == "GET":
                return self._list(request, [m for m in self.media if m["ig"] == ig], "timestamp")
            if node == ig and edge == "media_publish" and method == "POST":
                return self._publish(ig, token, fields)
            return self._missing(method, node)
        if len(parts) == 1:
            node = parts[0]
            wanted = [f for f in fields.get("fields", "").split(",") if f]
            if node == page and method == "GET":
                found: dict[str, Any] = {"id": page, "name": "Jo's Bakery"}
                if ig:
                    found["instagram_business_account"] = {"id": ig}
                return httpx.Response(200, json=_pick(found, wanted))
            photo = self.photos.get(node)
            if photo and photo["page"] == page and not photo["deleted"]:
                if method == "DELETE":
                    if "pages_manage_posts" not in self._granted(token):
                        return self._no_page_permission()
                    photo["deleted"] = True
                    return httpx.Response(200, json={"success": True})
                if method == "GET":
                    return httpx.Response(200, json=_pick(self._photo_node(node), wanted))
            container = self.containers.get(node)
            if container and container["ig"] == ig and method == "GET":
                return httpx.Response(200, json=_pick(self._status(container), wanted))
            item = next((m for m in self.media if m["id"] == node and m["ig"] == ig), None)
            if item and method == "GET":
                return httpx.Response(200, json=_pick(item, wanted))
            if node == ig and method == "GET":
                user = {"id": ig, "username": self.ig_usernames.get(ig, "")}
                return httpx.Response(200, json=_pick(user, wanted))
            return self._missing(method, node)
        return self._missing(method, path)

    def _no_page_permission(self) -> httpx.Response:
        return self._error(
            403,
            200,
            "(#200) If posting to a page, requires both pages_read_engagement and "
            "pages_manage_posts as an admin with sufficient administrative permission",
        )

    # -- Facebook Pages ---------------------------------------------------------------------

    def _feed(self, page: str, token: str, fields: dict[str, str]) -> httpx.Response:
        if "pages_manage_posts" not in self._granted(token):
            return self._no_page_permission()
        message = fields.get("message", "")
        attached: list[str] = []
        for key in sorted(k for k in fields if k.startswith("attached_media[")):
            try:
                fbid = str(json.loads(fields[key])["media_fbid"])
            except (ValueError, KeyError, TypeError):
                return self._error(
                    400, 100, f"(#100) param {key} must be a JSON object with media_fbid"
                )
            photo = self.photos.get(fbid)
            if not photo or photo["page"] != page or photo["deleted"] or photo["published"]:
                return self._error(
                    400,
                    100,
                    f"(#100) {key}: the media_fbid {fbid} is not an unpublished photo of this Page",
                )
            attached.append(fbid)
        if not message.strip() and not attached:
            return self._error(400, 100, "(#100) Missing message or attachment")
        if len(message) > POST_LIMIT:
            return self._error(
                400,
                100,
                f"(#100) The message is too long: a post takes up to {POST_LIMIT} characters",
            )
        for fbid in attached:
            self.photos[fbid]["published"] = True
        return httpx.Response(200, json={"id": self._post(page, message, attached)["id"]})

    def _post(self, page: str, message: str, photos: list[str]) -> dict[str, Any]:
        number = self._id("9")
        post = {
            "id": f"{page}_{number}",
            "page": page,
            "message": message,
            "created_time": _graph_time(self.clock()),
            "permalink_url": f"https://www.facebook.com/{page}/posts/{number}",
            "photos": photos,
        }
        self.posts.append(post)
        return post

    def _upload(
        self,
        page: str,
        token: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes, str]],
    ) -> httpx.Response:
        if "pages_manage_posts" not in self._granted(token):
            return self._no_page_permission()
        if "source" not in files:
            return self._error(400, 324, "(#324) Requires upload file")
        data = files["source"][1]
        size = _image_size(data)
        if size is None:
            return self._error(400, 324, "(#324) Missing or invalid image file")
        published = fields.get("published", "true").lower() != "false"
        photo_id = self._id("5")
        self.photos[photo_id] = {
            "id": photo_id,
            "page": page,
            "bytes": data,
            "size": size,
            "message": fields.get("message", ""),
            "alt_text_custom": fields.get("alt_text_custom"),
            "published": published,
            "deleted": False,
        }
        if not published:
            return httpx.Response(200, json={"id": photo_id})
        post = self._post(page, fields.get("message", ""), [photo_id])
        return httpx.Response(200, json={"id": photo_id, "post_id": post["id"]})

    def _photo_node(self, photo_id: str) -> dict[str, Any]:
        width, height = self.photos[photo_id]["size"]
        small = 320 / width
        return {
            "id": photo_id,
            "images": [
                {"height": height, "width": width, "source": self._cdn(photo_id, None)},
                {"height": round(height * small), "width": 320, "source": self._cdn(photo_id, 320)},
            ],
            "picture": self._cdn(photo_id, 130),
            "link": f"https://www.facebook.com/photo.php?fbid={photo_id}",
        }

    def _cdn(self, photo_id: str, width: int | None) -> str:
        size = f"s{width}x{width}/" if width else ""
        return f"{CDN}/v/t39.30808-6/{size}{photo_id}_n.jpg?stp=dst-jpg&_nc_sid=127cfc&oh=00_AfD&oe=6745F0A1"

    def _fetch(self, url: str) -> tuple[bytes, int] | None:
        """What Instagram's crawler gets from ``url``: the bytes and width, or None."""
        if self.cdn_down:
            return None
        m = re.fullmatch(re.escape(CDN) + r"/v/t39\.30808-6/(?:s(\d+)x\d+/)?(\d+)_n\.jpg\?.*", url)
        photo = self.photos.get(m[2]) if m else None
        if m is None or photo is None or photo["deleted"]:
            return None
        return photo["bytes"], int(m[1]) if m[1] else photo["size"][0]

    def _list(
        self, request: httpx.Request, items: list[dict[str, Any]], stamp: str
    ) -> httpx.Response:
        params = request.url.params
        newest = sorted(items, key=lambda i: i[stamp])[::-1]  # the latest first, ties too
        if params.get("since"):
            since = datetime.fromtimestamp(int(params["since"]), UTC)
            newest = [i for i in newest if datetime.fromisoformat(i[stamp]) >= since]
        limit = min(100, int(params.get("limit", 25)))
        start = (
            int(base64.b64decode(params["after"]).decode().split(":")[1])
            if params.get("after")
            else 0
        )
        chunk = newest[start : start + limit]
        wanted = [f for f in params.get("fields", "id").split(",") if f]
        body: dict[str, Any] = {"data": [_pick(i, wanted) for i in chunk]}
        if chunk:
            cursor = base64.b64encode(f"offset:{start + len(chunk)}".encode()).decode()
            body["paging"] = {
                "cursors": {
                    "before": base64.b64encode(f"offset:{start}".encode()).decode(),
                    "after": cursor,
                }
            }
            if start + len(chunk) < len(newest):
                query = {k: v for k, v in params.items() if k != "after"}
                query["after"] = cursor
                body["paging"]["next"] = (
                    f"{BASE}{re.sub(r'^/v[0-9.]+', '', request.url.path)}?{urlencode(query)}"
                )
        return httpx.Response(200, json=body)

    # -- Instagram --------------------------------------------------------------------------

    def _no_ig_permission(self) -> httpx.Response:
        return self._error(403, 10, "(#10) Application does not have permission for this action")

    def _container(self, ig: str, token: str, fields: dict[str, str]) -> httpx.Response:
        if "instagram_content_publish" not in self._granted(token):
            return self._no_ig_permission()
        if fields.get("media_type") not in (None, "", "IMAGE"):
            return self._error(400, 100, "(#100) The fake serves single image posts only")
        url = fields.get("image_url")
        if not url:
            return self._error(400, 100, "(#100) The parameter image_url is required.")
        caption = fields.get("caption", "")
        if (
            len(caption) > CAPTION_LIMIT
            or len(re.findall(r"(?<![\w&])#\w+", caption)) > HASHTAG_LIMIT
        ):
            return self._error(
                400,
                36004,
                "The caption is too long",
                subcode=2207010,
                user_msg=f"The caption can have at most {CAPTION_LIMIT} characters, {HASHTAG_LIMIT} hashtags and 20 @ tags.",
            )
        fetched = self._fetch(url)
        if fetched is None:
            return self._error(
                400,
                9004,
                "Only photo or video can be accepted as media type.",
                subcode=2207052,
                user_msg="The media could not be fetched from this URI. Please check the URI and try again.",
            )
        data, width = fetched
        if not data.startswith(b"\xff\xd8\xff"):
            return self._error(
                400,
                36001,
                "The image format is not supported.",
                subcode=2207005,
                user_msg="The image format is not supported. Supported formats are: JPEG.",
            )
        container_id = self._id("178900")
        self.containers[container_id] = {
            "id": container_id,
            "ig": ig,
            "image_url": url,
            "width": width,
            "caption": caption,
            "alt_text": fields.get("alt_text"),
            "polls_left": self.container_polls,
            "status_code": "IN_PROGRESS",
        }
        return httpx.Response(200, json={"id": container_id})

    def _status(self, container: dict[str, Any]) -> dict[str, Any]:
        if container["status_code"] == "IN_PROGRESS":
            if container["polls_left"] > 0:
                container["polls_left"] -= 1
            elif self._fetch(container["image_url"]) is None:  # the download happens now
                container["status_code"] = "ERROR"
                container["status"] = "Error: Media download has failed. (2207052)"
            else:
                container["status_code"] = "FINISHED"
        node = {"id": container["id"], "status_code": container["status_code"]}
        if "status" in container:
            node["status"] = container["status"]
        return node

    def _publish(self, ig: str, token: str, fields: dict[str, str]) -> httpx.Response:
        if "instagram_content_publish" not in self._granted(token):
            return self._no_ig_permission()
        container = self.containers.get(fields.get("creation_id", ""))
        if container is None or container["ig"] != ig:
            return self._error(
                400,
                100,
                "(#100) The parameter creation_id is not a media container of this account",
            )
        now = self.clock()
        recent = [
            m
            for m in self.media
            if m["ig"] == ig and now - datetime.fromisoformat(m["timestamp"]) < timedelta(hours=24)
        ]
        if len(recent) >= PUBLISH_CAP:
            return self._error(
                400,
                9,
                "Application request limit reached",
                subcode=2207042,
                user_msg="You reached maximum number of posts that is allowed to be published by Content Publishing API.",
            )
        if container["status_code"] == "PUBLISHED":
            return self._error(400, 100, "(#100) The media container has been published already")
        if container["status_code"] in ("ERROR", "EXPIRED"):
            return self._error(
                400,
                -2,
                "The media you are trying to access has expired. Please try to upload again.",
                subcode=2207020,
            )
        if container["status_code"] != "FINISHED" or self.not_ready_publishes > 0:
            self.not_ready_publishes = max(0, self.not_ready_publishes - 1)
            return self._error(
                400,
                9007,
                "Media ID is not available",
                subcode=2207027,
                user_msg="The media is not ready for publishing, please wait for a moment",
            )
        container["status_code"] = "PUBLISHED"
        media_id = self._id("179000")
        shortcode = base64.urlsafe_b64encode(media_id.encode()).decode().rstrip("=")[:11]
        self.media.append(
            {
                "id": media_id,
                "ig": ig,
                "caption": container["caption"],
                "alt_text": container["alt_text"],
                "media_type": "IMAGE",
                "timestamp": _graph_time(now),
                "permalink": f"https://www.instagram.com/p/{shortcode}/",
                "container": container["id"],
            }
        )
        return httpx.Response(200, json={"id": media_id})

    # -- Facebook Login -------------------------------------------------------------------------

    def _dialog(self, fields: dict[str, str]) -> httpx.Response:
        """The Login dialog, as a person who allows (or cancels) and is sent back."""
        if fields.get("client_id") != APP_ID:
            return httpx.Response(400, text="<html>Invalid App ID</html>")
        redirect = fields.get("redirect_uri", "")
        loopback = redirect.startswith(("http://localhost", "http://127.0.0.1"))
        if not (redirect.startswith("https://") or loopback):
            return httpx.Response(
                400, text="<html>URL blocked: the redirect URI is not allowed</html>"
            )
        scopes = frozenset(re.split(r"[,\s]+", fields.get("scope", "").strip())) - {""}
        unknown = sorted(scopes - ALL_PERMISSIONS - {"business_management", "public_profile"})
        if unknown:
            return httpx.Response(400, text=f"<html>Invalid Scopes: {', '.join(unknown)}</html>")
        query = {"state": fields["state"]} if "state" in fields else {}
        if self.user_answer == "cancel":
            query = {
                "error_reason": "user_denied",
                "error": "access_denied",
                "error_description": "Permissions error.",
                **query,
            }
        elif fields.get("response_type", "code") == "code":
            code = self._id("AQD-code-")
            self.codes[code] = {
                "redirect_uri": redirect,
                "scopes": scopes,
                "issued_at": self.clock(),
                "used": False,
            }
            query = {"code": code, **query}
        else:
            return httpx.Response(400, text="<html>The fake serves response_type=code</html>")
        sep = "&" if "?" in redirect else "?"
        return httpx.Response(302, headers={"location": redirect + sep + urlencode(query)})

    def _access_token(self, fields: dict[str, str]) -> httpx.Response:
        """The code for a short-lived user token, or a short-lived one for a long-lived one."""
        if fields.get("client_id") != APP_ID:
            return self._error(400, 101, "Error validating application. Invalid application ID.")
        if fields.get("client_secret") != APP_SECRET:
            return self._error(400, 1, "Error validating client secret.")
        now = self.clock()
        if fields.get("grant_type") == "fb_exchange_token":
            short = self.user_tokens.get(fields.get("fb_exchange_token", ""))
            if short is None or short["expires_at"] <= now:
                return self._error(
                    400, 190, "Invalid OAuth access token - Cannot parse access token"
                )
            token = self._id("EAAlong")
            self.user_tokens[token] = {
                "long": True,
                "scopes": short["scopes"],
                "expires_at": now + timedelta(seconds=LONG_LIFE),
            }
            return httpx.Response(
                200, json={"access_token": token, "token_type": "bearer", "expires_in": LONG_LIFE}
            )
        code = self.codes.get(fields.get("code", ""))
        if code is None:
            return self._error(400, 100, "Invalid verification code format.")
        if code["used"]:
            return self._error(400, 100, "This authorization code has been used.", subcode=36009)
        if now - code["issued_at"] > CODE_LIFE:
            return self._error(400, 100, "This authorization code has expired.", subcode=36007)
        if fields.get("redirect_uri") != code["redirect_uri"]:
            return self._error(
                400,
                100,
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
            )
        code["used"] = True
        token = self._id("EAAshort")
        self.user_tokens[token] = {
            "long": False,
            "scopes": code["scopes"],
            "expires_at": now + timedelta(seconds=SHORT_LIFE),
        }
        return httpx.Response(
            200, json={"access_token": token, "token_type": "bearer", "expires_in": SHORT_LIFE}
        )

    def _as_user(
        self, path: str, method: str, token: str, fields: dict[str, str]
    ) -> httpx.Response:
        user = self.user_tokens[token]
        wanted = [f for f in fields.get("fields", "").split(",") if f]
        if path == "me" and method == "GET":
            return httpx.Response(200, json=_pick({"id": USER_ID, "name": "Jo Example"}, wanted))
        if path != "me/accounts" or method != "GET":
            return self._missing(method, path)
        if "pages_show_list" not in user["scopes"]:
            return self._error(
                403, 200, "(#200) Requires pages_show_list permission to manage the object"
            )
        data = []
        for page in self.pages:
            page_token = page["access_token"]
            if not user["long"]:  # a Page token made from a short-lived user token lapses
                page_token = f"{page_token}-short-{self._seq}"
                self.tokens[page_token] = page["id"]
                self.page_token_expiry[page_token] = user["expires_at"]
            self.granted[page_token] = frozenset(user["scopes"]) & ALL_PERMISSIONS
            node = {
                **page,
                "access_token": page_token,
                "category_list": [{"id": "2200", "name": page.get("category", "")}],
                "tasks": [
                    "ADVERTISE",
                    "ANALYZE",
                    "CREATE_CONTENT",
                    "MESSAGING",
                    "MODERATE",
                    "MANAGE",
                ],
            }
            if page["id"] in self.linked:
                node["instagram_business_account"] = {"id": self.linked[page["id"]]}
            data.append(_pick(node, wanted))
        cursor = base64.b64encode(b"offset:0").decode()
        return httpx.Response(
            200, json={"data": data, "paging": {"cursors": {"before": cursor, "after": cursor}}}
        )

    # -- for tests ----------------------------------------------------------------------------

    def rate_limited(self) -> httpx.Response:
        """The Page's Business Use Case throttle: HTTP 400, code 80001, and the usage header
        saying access comes back in two minutes."""
        return self._error(
            400,
            80001,
            "(#80001) There have been too many calls to this Page account. Wait a bit and try "
            "again. For more info, please refer to "
            "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            headers=self._usage(PAGE_ID, calls=100, minutes=2),
        )

    def published(self, network: str | None = None) -> Counter[str]:
        """Texts published: Page posts ("facebook"), Instagram captions ("instagram"), or both."""
        texts: list[str] = []
        if network in (None, "facebook"):
            texts += [p["message"] for p in self.posts]
        if network in (None, "instagram"):
            texts += [m["caption"] for m in self.media]
        return Counter(texts)

    def paths(self) -> list[str]:
        """Each request as ``METHOD /path`` (less the version), in order."""
        return [f"{r.method} {re.sub(r'^/v[0-9.]+', '', r.url.path)}" for r in self.requests]


def _pick(node: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
    keep = set(wanted or node) | {"id"}
    return {k: v for k, v in node.items() if k in keep}


def _graph_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except OSError:
        return None


__all__ = [
    "APP_ID",
    "APP_SECRET",
    "BAKERY",
    "BASE",
    "CAFE",
    "CDN",
    "DIALOG",
    "IG_ID",
    "PAGE_ID",
    "SECOND_PAGE_ID",
    "SECOND_TOKEN",
    "TOKEN",
    "FakeGraph",
    "client",
]
