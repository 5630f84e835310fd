"""LinkedIn: the versioned Posts API (``POST /rest/posts``) as a member
(``urn:li:person:<id>``) or as a company page (``urn:li:organization:<id>``), images through
``/rest/images?action=initializeUpload`` and a PUT to the upload address it gives, and the
OAuth refresh grant on ``www.linkedin.com``.

Every ``/rest`` call carries ``LinkedIn-Version`` (:data:`VERSION`) and
``X-Restli-Protocol-Version: 2.0.0``. The commentary is LinkedIn's "little" text format
(:mod:`tactful.publish.connectors.linkedin_text`): :func:`escape_little` writes it and
:func:`plain_little` reads it back as the text a reader sees.

LinkedIn honours no idempotency key, so ``resend_safe_for`` is None and :meth:`find` lists the
author's posts. LinkedIn's error model is not plain HTTP, so :meth:`LinkedInConnector._classify`
reads its error body (``status``, ``code``, ``message``) instead of :func:`classify`:

- 401 (``EXPIRED_ACCESS_TOKEN``, ``REVOKED_ACCESS_TOKEN``, ``INVALID_ACCESS_TOKEN``): auth.
- 403 ``ACCESS_DENIED``: auth, naming the permission (``w_member_social``; for a page,
  ``w_organization_social`` and an admin role on the page; for reading, ``r_member_social`` /
  ``r_organization_social``).
- 429: retry. LinkedIn sends no rate-limit headers; its limits are per day and reset at
  midnight UTC, so a "DAY limit" throttle waits until then; a ``Retry-After`` is used if sent.
- 422 "Content is a duplicate of urn:li:share:..." (``DUPLICATE_POST``): LinkedIn refuses the
  same text from the same author for a while, even after that post was deleted, so the
  answer alone never means the post is there: only a post :meth:`find` sees on the account
  counts (see :meth:`LinkedInConnector._duplicate`); otherwise the delivery needs the user.
- 409 (a write conflict, nothing written): retry. 426 (the API version is retired): rejected,
  tactful needs an update. Other 4xx: rejected, in LinkedIn's words. 5xx: unknown.

Docs: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api,
.../shares/images-api, .../shares/multiimage-post-api, .../shares/little-text-format,
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits,
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling,
https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens,
https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    MediaFile,
    Outgoing,
    Result,
    json_object,
    plain,
    retry_after,
    send,
    unknown_as_retry,
)
from tactful.publish.connectors.linkedin_text import escape_little, plain_little

API = "https://api.linkedin.com"
OAUTH = "https://www.linkedin.com"  # the OAuth host is not the API host
VERSION = "202609"  # LinkedIn-Version (YYYYMM); each version is served for a year
TEXT_LIMIT = 3000  # characters of commentary
MAX_IMAGES = 20  # a multiImage post takes 2 to 20
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
FIND_PAGE = 50
FIND_PAGES = 20  # 1,000 posts back
DUPLICATE_LOOKBACK = timedelta(days=2)  # how far back a refused duplicate is looked for

_AUTHOR = re.compile(r"urn:li:(person|organization):[^\s:]+")
_POST_URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")
_JAVA_PREFIX = re.compile(r"^(?:[\w.$]+(?:Exception|Error):\s*)+")


def _utcnow() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------- error bodies


def _message(response: httpx.Response) -> tuple[str, str]:
    """LinkedIn's ``code`` and ``message`` (the OAuth host's ``error`` and
    ``error_description``), the message without the Java exception names it starts with."""
    body = json_object(response)
    code = str(body.get("code") or body.get("error") or "")
    message = body.get("message") or body.get("error_description")
    if not isinstance(message, str) or not message:
        inputs = (body.get("errorDetails") or {}).get("inputErrors") or []
        described = [str(e.get("description")) for e in inputs if isinstance(e, dict)]
        message = "; ".join(d for d in described if d) or response.text[:200].strip()
    return code, _JAVA_PREFIX.sub("", message)[:300]


def _is_duplicate(response: httpx.Response) -> bool:
    if response.status_code not in (400, 409, 422):
        return False
    text = response.text
    return "DUPLICATE_POST" in text or "is a duplicate of" in text


def _is_org(author: str) -> bool:
    return author.startswith("urn:li:organization:")


def _posted(urn: str, detail: str = "") -> Result:
    return Result(
        "published",
        remote_id=urn,
        url=f"https://www.linkedin.com/feed/update/{urn}/",
        status=201,
        detail=detail,
        ref={"urn": urn},
    )


# ---------------------------------------------------------------------------- the connector


class LinkedInConnector:
    name = "linkedin"
    resend_safe_for: timedelta | None = None  # LinkedIn honours no idempotency key

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = _utcnow,
        page_size: int = FIND_PAGE,
        max_pages: int = FIND_PAGES,
    ):
        self.clock = clock  # for token expiry and LinkedIn's midnight-UTC rate-limit reset
        self.page_size = page_size
        self.max_pages = max_pages

    # -------------------------------------------------------------------- plumbing

    def _api(self, creds: Credentials) -> str:
        return (creds.base_url or API).rstrip("/")

    def _headers(self, creds: Credentials) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {creds.token}",
            "LinkedIn-Version": VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        }

    def _classify(self, response: httpx.Response, author: str, reading: bool = False) -> Result:
        """A LinkedIn error answer as a Result (see the module docstring)."""
        status = response.status_code
        code, message = _message(response)
        said = f"{status} {code}: {message}" if code else f"{status}: {message}"
        if status == 401:
            if code == "EXPIRED_ACCESS_TOKEN" or "expired" in message.lower():
                why = (
                    "the LinkedIn access token has expired; refresh it or connect the account again"
                )
            elif code == "REVOKED_ACCESS_TOKEN" or "revoked" in message.lower():
                why = "the member revoked tactful's access on LinkedIn; connect the account again"
            else:
                why = "LinkedIn does not accept the access token; connect the account again"
            return Result("auth", status=status, detail=f"{why} ({said})")
        if status == 403:
            if _is_org(author):
                scope = "r_organization_social" if reading else "w_organization_social"
                why = (
                    f"LinkedIn refused to {'read the posts of' if reading else 'post as'} "
                    f"the page {author}: "
                    "the connected member must be an administrator (or content admin) of that "
                    f"page, and the token needs the {scope} permission"
                )
            else:
                scope = "r_member_social" if reading else "w_member_social"
                why = (
                    f"LinkedIn refused to {'read the posts of' if reading else 'post as'} "
                    f"{author}: the token needs the {scope} permission and must belong to "
                    "that member"
                )
            return Result("auth", status=status, detail=f"{why} ({said})")
        if status == 429:
            return Result(
                "retry",
                retry_after=self._throttle_wait(response, message),
                status=status,
                detail=f"LinkedIn's rate limit ({said})",
            )
        if status == 409:  # "A write conflict occurred. Retry the request.": nothing written
            return Result("retry", status=status, detail=said)
        if status == 426:
            return Result(
                "rejected",
                status=status,
                detail=f"LinkedIn no longer serves API version {VERSION}; update tactful ({said})",
            )
        if status == 503 and response.headers.get("retry-after"):
            wait = retry_after(response, self.clock())
            return Result("retry", retry_after=wait, status=status, detail=said)
        if status >= 500:
            return Result("unknown", status=status, detail=said)
        return Result("rejected", status=status, detail=f"LinkedIn refused the post: {said}")

    def _throttle_wait(self, response: httpx.Response, message: str) -> float | None:
        """Seconds to wait after a 429: ``Retry-After`` when sent; for a daily limit, until
        midnight UTC, when LinkedIn resets it; otherwise (its infrastructure protection)
        unknown, and the worker backs off."""
        now = self.clock()
        hinted = retry_after(response, now)
        if hinted is not None:
            return hinted
        if "DAY" in message.upper().split() or "daily" in message.lower():
            midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
            return max(0.0, (midnight - now).total_seconds())
        return None

    # Public for the inbox's reader, which reads the same API with the same headers and
    # error model.
    api_root = _api
    rest_headers = _headers
    refusal = _classify

    def _author(self, creds: Credentials) -> str | None:
        author = creds.remote_user or ""
        return author if _AUTHOR.fullmatch(author) else None

    # -------------------------------------------------------------------- images

    def _upload(
        self, http: httpx.Client, creds: Credentials, author: str, media: MediaFile
    ) -> str | Result:
        """The image's URN once its bytes are uploaded. A failed upload is never shown, so an
        unknown answer here is safe to retry."""
        init = send(
            http,
            http.build_request(
                "POST",
                self._api(creds) + "/rest/images?action=initializeUpload",
                headers=self._headers(creds),
                json={"initializeUploadRequest": {"owner": author}},
            ),
        )
        if isinstance(init, Result):
            return unknown_as_retry(init)
        if init.status_code != 200:
            return self._classify(init, author)
        value = json_object(init).get("value") or {}
        upload_url, image = value.get("uploadUrl"), value.get("image")
        if not isinstance(upload_url, str) or not isinstance(image, str):
            return Result(
                "retry", status=200, detail="LinkedIn gave no upload address for the image"
            )
        put = send(
            http,
            http.build_request(
                "PUT",
                upload_url,
                headers={"Authorization": f"Bearer {creds.token}", "Content-Type": media.mime},
                content=Path(media.path).read_bytes(),
            ),
        )
        if isinstance(put, Result):
            return unknown_as_retry(put)
        if put.status_code not in (200, 201):
            return self._classify(put, author)
        return image

    # -------------------------------------------------------------------- publishing

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        author = self._author(creds)
        if author is None:
            return Result(
                "auth",
                detail="the LinkedIn account has no author (urn:li:person:... or "
                "urn:li:organization:...); connect it again",
            )
        if post.reply_to is not None:
            return Result("rejected", detail="LinkedIn has no threads; post each part on its own")
        if len(post.media) > MAX_IMAGES:
            return Result("rejected", detail=f"LinkedIn takes at most {MAX_IMAGES} images a post")
        for media in post.media:
            if media.mime not in IMAGE_TYPES:
                return Result(
                    "rejected",
                    detail=f"LinkedIn posts take JPEG, PNG or GIF images, not {media.mime}",
                )
        images: list[dict[str, str]] = []
        for media in post.media:
            uploaded = self._upload(http, creds, author, media)
            if isinstance(uploaded, Result):
                return uploaded
            images.append(
                {"id": uploaded, **({"altText": media.alt_text} if media.alt_text else {})}
            )
        body: dict[str, Any] = {
            "author": author,
            "commentary": escape_little(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": images[0]}
        elif images:
            body["content"] = {"multiImage": {"images": images}}
        request = http.build_request(
            "POST", self._api(creds) + "/rest/posts", headers=self._headers(creds), json=body
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code == 201:
            urn = unquote(
                answer.headers.get("x-restli-id") or answer.headers.get("x-linkedin-id") or ""
            )
            if not urn:
                return Result(
                    "unknown", status=201, detail="LinkedIn took the post but named no id"
                )
            return _posted(urn)
        if _is_duplicate(answer):
            return self._duplicate(http, creds, post, answer)
        return self._classify(answer, author)

    def _duplicate(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, answer: httpx.Response
    ) -> Result:
        """LinkedIn refused the text as a duplicate of a recent post by the same author (its
        message names that post). That may be this post, sent by an attempt whose answer was
        lost, or a post since deleted: LinkedIn names deleted posts too. So it is published
        only if :meth:`find` sees it on the account. Not there: refused. The account cannot
        be read (a member: LinkedIn gives self-serve apps no r_member_social): the user must
        look, and the message says where. A read that failed for a while (a timeout, a 5xx):
        unknown, and the worker looks again."""
        named = _POST_URN.search(answer.text)
        urn = named.group() if named else None
        found = self.find(http, creds, post, self.clock() - DUPLICATE_LOOKBACK)
        if found is not None and found.kind == "published":
            return found
        status = answer.status_code
        if found is None:
            return Result(
                "rejected",
                status=status,
                detail="LinkedIn refuses this text as a duplicate of a recent post"
                f"{f' ({urn})' if urn else ''} that is no longer on the account (LinkedIn "
                "remembers deleted posts for a while); change the text or try again later",
            )
        if found.status not in (401, 403):  # a passing fault: look again later
            return Result(
                "unknown",
                status=status,
                detail=f"LinkedIn refuses this text as a duplicate, and the account's posts "
                f"could not be read to see it: {found.detail}",
            )
        where = (
            f"https://www.linkedin.com/feed/update/{urn}/"
            if urn
            else "the account's recent activity on LinkedIn"
        )
        return Result(
            "rejected",
            status=status,
            detail=f"LinkedIn refuses this text as a duplicate of {urn or 'a recent post'}, "
            "but tactful cannot read the account's posts to see whether that post is there "
            f"(LinkedIn also names deleted posts). Look at {where}: if the post is there, "
            "cancel this; if not, change the text, or send it later with "
            "'tactful schedule retry ID --not-there'",
        )

    # -------------------------------------------------------------------- finding

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """Page through the author's posts, most recently modified first, to five minutes
        before ``since``, matching the commentary as a reader sees it (whitespace-normalised).
        A member's own posts can only be read with r_member_social, a page's with
        r_organization_social; without it the answer is ``unknown``."""
        author = self._author(creds)
        if author is None:
            return Result("unknown", detail="the LinkedIn account has no author URN")
        wanted = plain(post.text)
        cutoff = (since - timedelta(minutes=5)).timestamp() * 1000 if since else None
        start = 0
        for _ in range(self.max_pages):
            url = (
                f"{self._api(creds)}/rest/posts?author={quote(author, safe='')}&q=author"
                f"&count={self.page_size}&start={start}&sortBy=LAST_MODIFIED"
            )
            headers = {**self._headers(creds), "X-RestLi-Method": "FINDER"}
            answer = send(http, http.build_request("GET", url, headers=headers))
            if isinstance(answer, Result):
                return Result(
                    "unknown", detail=f"could not read the LinkedIn posts: {answer.detail}"
                )
            if answer.status_code != 200:
                why = self._classify(answer, author, reading=True)
                return replace(
                    why, kind="unknown", detail=f"could not read the posts: {why.detail}"
                )
            page = json_object(answer)
            elements = [e for e in page.get("elements") or [] if isinstance(e, Mapping)]
            for element in elements:
                commentary = element.get("commentary")
                if isinstance(commentary, str) and plain(plain_little(commentary)) == wanted:
                    urn = str(element.get("id") or "")
                    if urn:
                        return _posted(urn)
            if not elements or not _has_next(page, start, len(elements), self.page_size):
                return None
            # Sorted by last modification, never earlier than creation: once the page ends
            # before the cutoff, nothing further back was created after it.
            oldest = min(_millis(e.get("lastModifiedAt") or e.get("createdAt")) for e in elements)
            if cutoff is not None and oldest < cutoff:
                return None
            start += len(elements)
        return Result(
            "unknown", detail=f"not in the last {self.max_pages * self.page_size} LinkedIn posts"
        )

    # -------------------------------------------------------------------- tokens

    def refresh(self, http: httpx.Client, creds: Credentials) -> Credentials | Result:
        """A new access token from the refresh token (only apps LinkedIn approved for
        programmatic refresh get one; it lives a year from the first grant and does not grow
        when used). ``creds.extra``: refresh_token, client_id, client_secret, and oauth_url
        (the OAuth host, for tests)."""
        extra = creds.extra
        refresh_token = extra.get("refresh_token")
        if not refresh_token:
            before = (
                f"before {creds.expires_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
                if creds.expires_at
                else "when the token expires"
            )
            return Result(
                "auth", detail=f"LinkedIn gave no refresh token; connect the account again {before}"
            )
        if not extra.get("client_id") or not extra.get("client_secret"):
            return Result("auth", detail="the LinkedIn app's client id and secret are not stored")
        oauth = str(extra.get("oauth_url") or OAUTH).rstrip("/")
        request = http.build_request(
            "POST",
            oauth + "/oauth/v2/accessToken",
            data={
                "grant_type": "refresh_token",
                "refresh_token": str(refresh_token),
                "client_id": str(extra["client_id"]),
                "client_secret": str(extra["client_secret"]),
            },
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        now = self.clock()
        if answer.status_code == 200:
            body = json_object(answer)
            token = body.get("access_token")
            if not isinstance(token, str) or not token:
                return Result(
                    "unknown", status=200, detail="LinkedIn answered with no access token"
                )
            new_extra = {**extra, "refresh_token": body.get("refresh_token") or refresh_token}
            if isinstance(body.get("refresh_token_expires_in"), int | float):
                ends = now + timedelta(seconds=float(body["refresh_token_expires_in"]))
                new_extra["refresh_token_expires_at"] = ends.isoformat()
            expires_in = body.get("expires_in")
            expires_at = (
                now + timedelta(seconds=float(expires_in))
                if isinstance(expires_in, int | float)
                else None
            )
            return Credentials(creds.base_url, token, creds.remote_user, new_extra, expires_at)
        code, message = _message(answer)
        said = (
            f"{answer.status_code} {code}: {message}"
            if code
            else f"{answer.status_code}: {message}"
        )
        if answer.status_code in (400, 401):
            return Result(
                "auth",
                status=answer.status_code,
                detail="LinkedIn no longer accepts the refresh token; "
                f"connect the account again ({said})",
            )
        if answer.status_code == 429:
            wait = self._throttle_wait(answer, message)
            return Result("retry", retry_after=wait, status=429, detail=said)
        if answer.status_code >= 500:
            return Result("unknown", status=answer.status_code, detail=said)
        return Result("auth", status=answer.status_code, detail=said)


def _has_next(page: Mapping[str, Any], start: int, got: int, asked: int) -> bool:
    paging = page.get("paging") or {}
    links = paging.get("links") or []
    if any(isinstance(link, Mapping) and link.get("rel") == "next" for link in links):
        return True
    total = paging.get("total")
    if isinstance(total, int):
        return start + got < total
    return got >= asked


def _millis(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def userinfo(http: httpx.Client, base_url: str | None, token: str) -> dict[str, Any]:
    """OpenID Connect's userinfo for the token (the ``openid`` and ``profile``
    permissions), naming the member (``sub``, ``name``); a one-line InputError when
    LinkedIn refuses the token or cannot be reached."""
    from tactful.errors import InputError

    request = http.build_request(
        "GET",
        (base_url or API).rstrip("/") + "/v2/userinfo",
        headers={"Authorization": f"Bearer {token}"},
    )
    answer = send(http, request)
    if isinstance(answer, Result):
        raise InputError(f"cannot reach LinkedIn: {answer.detail}")
    if answer.status_code != 200:
        code, message = _message(answer)
        said = (
            f"{answer.status_code} {code}: {message}"
            if code
            else f"{answer.status_code}: {message}"
        )
        if answer.status_code == 403:
            raise InputError(
                f"the LinkedIn token lacks the openid and profile permissions ({said})"
            )
        raise InputError(f"LinkedIn refused the token ({said})")
    info = json_object(answer)
    if not isinstance(info.get("sub"), str) or not info["sub"]:
        raise InputError("LinkedIn's userinfo named no member")
    return info


def whoami(http: httpx.Client, base_url: str | None, token: str) -> str:
    """The member's URN (``urn:li:person:<sub>``), from :func:`userinfo`."""
    return f"urn:li:person:{userinfo(http, base_url, token)['sub']}"
