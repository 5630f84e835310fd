"""X (formerly Twitter), API v2 with an OAuth 2.0 user-context access token.

``POST /2/media/upload`` (multipart: ``media`` and ``media_category``, ``tweet_gif`` for a GIF
and ``tweet_image`` otherwise, nothing else) for each image, waiting while X processes it,
then ``POST /2/media/metadata`` for its alt text, then ``POST /2/tweets`` (a reply in a
thread names the part before in ``reply.in_reply_to_tweet_id``). X honours no idempotency
key, so after a crash or an unknown answer the worker looks for the post on the account's
own timeline (``GET /2/users/:id/tweets``). Access tokens last two hours; ``refresh``
trades the refresh token (which X rotates on every use) at ``POST /2/oauth2/token``.

X's error model is not plain HTTP, so answers are mapped here rather than by ``classify``
alone: a 403 may be a lost grant (missing scope, suspended account, app not enrolled: *auth*),
a duplicate of a recent post (looked for, see ``publish``), or a refusal of the content (a reply
to a deleted post: *rejected*); a 400 is a refusal of the content (too long, bad media ids);
a 402 means the developer app has run out of API credits. An image X refuses (a 400 on its
upload) needs the user, with which image and what X said.

X's OpenAPI document (v2.167) renames the timeline's ``tweet.fields`` to ``post.fields``
(``note_tweet`` to ``note_post``; ``referenced_tweets`` is no longer a field to ask for, so a
thread's part is told by ``conversation_id``). Which name the live API takes on a given day
is not known here, so :meth:`XConnector.find` asks with ``post.fields`` and, when X answers
that the parameter is not one it takes, again with ``tweet.fields``.

Documents relied on: X API v2 OpenAPI document v2.167 (github.com/xdevplatform/xdk,
specs/openapi.json: MediaUploadRequest, CreatePostsRequest, CreateMediaMetadataRequest, the
parameters of GET /2/users/{id}/tweets), https://docs.x.com/x-api/posts/creation-of-a-post,
https://docs.x.com/x-api/media/image-or-subtitle-media-upload,
https://docs.x.com/x-api/media/create-media-metadata, https://docs.x.com/x-api/posts/timelines,
https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code."""

from __future__ import annotations

import base64
import html
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tactful.publish.connectors.base import (
    Credentials,
    MediaFile,
    Outgoing,
    Result,
    classify,
    retry_after,
    send,
    unknown_as_retry,
)

API_ROOT = "https://api.x.com"
WEB_ROOT = "https://x.com"
MAX_IMAGES = 4
FIND_PAGES = 10  # 1,000 posts back (X serves the newest 3,200 at most)
PAGE_SIZE = 100  # X's maximum for max_results
LOOK_BACK = timedelta(minutes=5)
TOKEN_LIFETIME = 7200  # seconds, when X's answer does not say
MEDIA_POLLS = 20  # looks at an image X is still processing (a GIF) before trying later
# The timeline's fields: the current contract's names, then the names X used before.
FIELDS = ("post.fields", "created_at,text,note_post,conversation_id")
OLD_FIELDS = ("tweet.fields", "created_at,text,note_tweet,referenced_tweets,conversation_id")

DUPLICATE = "duplicate content"
# 403 answers that refuse this post, not the account's access to X.
_CONTENT_403 = (
    DUPLICATE,
    "too long",
    "reply to a tweet",
    "reply to this conversation",
    "quoting this post",
)
_LINK = re.compile(r"://|[A-Za-z0-9-]\.[A-Za-z]{2,}")


def status_url(tweet_id: str) -> str:
    return f"{WEB_ROOT}/i/web/status/{tweet_id}"


def _root(base_url: str | None) -> str:
    return (base_url or API_ROOT).rstrip("/")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _messages(response: httpx.Response) -> str:
    """What X said, in its own words: the ``errors[].message`` lines (where the real reason
    is, e.g. "Your Tweet text is too long."), else ``detail``, else ``title``."""
    body = _json(response)
    if not isinstance(body, dict):
        return response.text[:300].strip()
    said: list[str] = []
    for error in body.get("errors") or ():
        if isinstance(error, dict):
            text = error.get("message") or error.get("detail")
            if isinstance(text, str) and text not in said:
                said.append(text)
    for key in ("detail", "error_description", "title", "error"):
        text = body.get(key)
        if isinstance(text, str) and text and not said:
            said.append(text)
    return " ".join(said)[:300]


def _problem(response: httpx.Response, what: str = "X") -> Result:
    """A non-2xx answer from X as a Result (see the module's docstring)."""
    status = response.status_code
    said = _messages(response)
    lowered = said.lower()
    detail = f"{what} answered {status}: {said}" if said else f"{what} answered {status}"
    if status == 429:
        return Result("retry", retry_after=retry_after(response), status=status, detail=detail)
    if status == 401:
        return Result(
            "auth",
            status=status,
            detail=f"{detail} (the access token is expired or revoked)",
        )
    if status == 402:
        return Result(
            "rejected",
            status=status,
            detail=f"{detail} (the X developer app has no API credits left)",
        )
    if status in (400, 403) and "too long" in lowered:
        return Result(
            "rejected",
            status=status,
            detail=f"the text is too long for X (280 weighted characters; links count 23, "
            f"most CJK characters and emoji 2): {said}",
        )
    if status == 403:
        if any(marker in lowered for marker in _CONTENT_403):
            return Result("rejected", status=status, detail=detail)
        return Result(
            "auth",
            status=status,
            detail=f"{detail} (the account may lack the tweet.write or media.write permission, "
            "or be locked or suspended: connect it again)",
        )
    if status in (400, 404, 409, 413, 415, 422):
        return Result("rejected", status=status, detail=detail)
    result = classify(response)
    return Result(result.kind, retry_after=result.retry_after, status=status, detail=detail)


# Public for the inbox's reader, which reads the same API and its errors.
api_root = _root
problem = _problem


def _comparable(text: str) -> str:
    """Text as X's timeline gives it back, and ours, made comparable: X NFC-normalises,
    HTML-escapes ``&``, ``<`` and ``>`` and turns every link (and bare domains it links
    itself) into a t.co link, appending one more for attached media. So words holding a
    link or a domain are dropped on both sides and the whitespace normalised."""
    text = unicodedata.normalize("NFC", text)
    return " ".join(word for word in text.split() if not _LINK.search(word))


def whoami(http: httpx.Client, base_url: str | None, token: str) -> tuple[str, str]:
    """The account an access token acts for, as (user id, username): ``GET /2/users/me``.
    Raises :class:`tactful.errors.InputError` (one line, without the token) when X cannot
    be reached or refuses the token."""
    from tactful.errors import InputError

    request = http.build_request("GET", _root(base_url) + "/2/users/me", headers=_bearer(token))
    answer = send(http, request)
    if isinstance(answer, Result):
        raise InputError(f"cannot reach X: {answer.detail}".replace("\n", " "))
    if answer.status_code != 200:
        detail = _problem(answer).detail  # X's words; the token is never in them
        raise InputError(f"X refused the access token: {detail}".replace("\n", " "))
    data = (_json(answer) or {}).get("data") or {}
    if not data.get("id"):
        raise InputError("X answered /2/users/me without an account id")
    return str(data["id"]), str(data.get("username") or "")


class XConnector:
    name = "x"
    resend_safe_for: timedelta | None = None  # X honours no idempotency key

    def __init__(
        self,
        find_pages: int = FIND_PAGES,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], object] = time.sleep,
    ):
        self.find_pages = find_pages
        self.clock = clock or (lambda: datetime.now(UTC))
        self.sleep = sleep  # between looks at an image X is processing
        self.fields = FIELDS  # the timeline's fields parameter, as X last took it

    # -- the account ------------------------------------------------------------------------

    def verify(self, http: httpx.Client, creds: Credentials) -> str:
        """The account's X user id; a clear error when the token is wrong."""
        return whoami(http, creds.base_url, creds.token)[0]

    # -- publishing -------------------------------------------------------------------------

    def _upload(
        self, http: httpx.Client, creds: Credentials, media: MediaFile, which: str
    ) -> str | Result:
        """The media id of one uploaded image (``which`` names it in a refusal)."""
        path = Path(media.path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            return Result("rejected", detail=f"cannot read {which}: {exc}")
        category = "tweet_gif" if media.mime == "image/gif" else "tweet_image"
        request = http.build_request(
            "POST",
            _root(creds.base_url) + "/2/media/upload",
            headers=_bearer(creds.token),
            files={"media": (path.name, content, media.mime)},
            data={"media_category": category},
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            # An orphan upload is never shown (X drops it after a day): safe to send again.
            return unknown_as_retry(answer)
        if answer.status_code not in (200, 201, 202):
            return _refused_media(answer, which, "upload")
        data = (_json(answer) or {}).get("data") or {}
        if not data.get("id"):
            return Result("retry", status=answer.status_code, detail="X gave no media id")
        media_id = str(data["id"])
        waited = self._processed(http, creds, media_id, data, which)
        if waited is not None:
            return waited
        if media.alt_text:
            described = self._describe(http, creds, media_id, media.alt_text, which)
            if described is not None:
                return described
        return media_id

    def _processed(
        self,
        http: httpx.Client,
        creds: Credentials,
        media_id: str,
        data: dict[str, Any],
        which: str,
    ) -> Result | None:
        """Wait while X processes the upload (``processing_info``, a GIF as a video): None
        once it has succeeded; a refusal when it failed; retry when it takes too long."""
        for _ in range(MEDIA_POLLS):
            info = data.get("processing_info")
            state = info.get("state") if isinstance(info, dict) else None
            if state in (None, "succeeded"):
                return None
            if state == "failed":
                error = info.get("error") if isinstance(info, dict) else None
                said = error.get("message") if isinstance(error, dict) else None
                return Result(
                    "rejected",
                    detail=f"X could not process {which}"
                    f"{f': {said}' if said else ''}; attach another image",
                )
            wait = info.get("check_after_secs") if isinstance(info, dict) else None
            self.sleep(min(float(wait), 10.0) if isinstance(wait, int | float) else 1.0)
            request = http.build_request(
                "GET",
                _root(creds.base_url) + "/2/media/upload",
                headers=_bearer(creds.token),
                params={"command": "STATUS", "media_id": media_id},
            )
            answer = send(http, request)
            if isinstance(answer, Result):
                return unknown_as_retry(answer)
            if answer.status_code != 200:
                return unknown_as_retry(_problem(answer, "X (media status)"))
            data = (_json(answer) or {}).get("data") or {}
        return Result("retry", detail=f"X is still processing {which}")

    def _describe(
        self, http: httpx.Client, creds: Credentials, media_id: str, alt_text: str, which: str
    ) -> Result | None:
        """Alt text for an uploaded image (``POST /2/media/metadata``); None when done."""
        request = http.build_request(
            "POST",
            _root(creds.base_url) + "/2/media/metadata",
            headers=_bearer(creds.token),
            json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}},
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return unknown_as_retry(answer)
        if answer.status_code not in (200, 201):
            return _refused_media(answer, which, "alt text")
        return None

    def publish(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        if len(post.media) > MAX_IMAGES:
            return Result("rejected", detail=f"X takes at most {MAX_IMAGES} images in a post")
        media_ids: list[str] = []
        for n, media in enumerate(post.media, 1):
            which = f"image {n} of {len(post.media)} ({Path(media.path).name}, {media.mime})"
            uploaded = self._upload(http, creds, media, which)
            if isinstance(uploaded, Result):
                return uploaded
            media_ids.append(uploaded)
        body: dict[str, Any] = {"text": post.text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        if post.reply_to is not None:
            body["reply"] = {"in_reply_to_tweet_id": post.reply_to.remote_id}
        request = http.build_request(
            "POST", _root(creds.base_url) + "/2/tweets", headers=_bearer(creds.token), json=body
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code in (200, 201):
            data = (_json(answer) or {}).get("data") or {}
            if not data.get("id"):  # accepted, but which post? look for it later
                return Result("unknown", status=answer.status_code, detail="X gave no post id")
            tweet_id = str(data["id"])
            return Result("published", tweet_id, status_url(tweet_id), status=answer.status_code)
        if answer.status_code == 403 and DUPLICATE in _messages(answer).lower():
            return self._duplicate(http, creds, post)
        return _problem(answer)

    def _duplicate(self, http: httpx.Client, creds: Credentials, post: Outgoing) -> Result:
        """X refuses a text the account posted recently. It may be this very post, sent by an
        attempt whose answer was lost: look for it since the time it was scheduled for. An
        older post with the same words is the user's own duplicate: that is refused."""
        found = self.find(http, creds, post, post.when)
        if found is not None and found.kind == "published":
            return found
        if found is not None:  # could not look: the worker reconciles later
            return Result(
                "unknown",
                status=403,
                detail=f"X says this is a duplicate, and the account could not be read: "
                f"{found.detail}",
            )
        return Result(
            "rejected",
            status=403,
            detail="X refuses this text as a duplicate of a recent post on the account; "
            "change the wording to post it again",
        )

    # -- finding a post that went out -------------------------------------------------------

    def find(
        self, http: httpx.Client, creds: Credentials, post: Outgoing, since: datetime | None
    ) -> Result | None:
        """Page back through the account's own posts (newest first; from ``since`` minus five
        minutes when given), matching the text as X gives it back (see ``_comparable``) and,
        for a part of a thread, the post it replies to."""
        if not creds.remote_user:
            return Result("unknown", detail="the account's X user id is not known")
        wanted = _comparable(post.text)
        url = _root(creds.base_url) + f"/2/users/{creds.remote_user}/tweets"
        params: dict[str, str | int] = {"max_results": PAGE_SIZE, "exclude": "retweets"}
        if since is not None:
            start = (since - LOOK_BACK).astimezone(UTC)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        for _ in range(self.find_pages):
            answer = self._timeline(http, creds, url, params)
            if isinstance(answer, Result):
                return Result(
                    "unknown", detail=f"could not read the account's posts: {answer.detail}"
                )
            if answer.status_code != 200:
                problem = _problem(answer)
                return Result(
                    "unknown",
                    status=answer.status_code,
                    retry_after=problem.retry_after,
                    detail=f"could not read the account's posts: {problem.detail}",
                )
            page = _json(answer)
            if not isinstance(page, dict) or ("data" not in page and "meta" not in page):
                return Result("unknown", detail="X answered the timeline without posts or meta")
            for tweet in _tweets(page.get("data")):
                if _comparable(_full_text(tweet)) == wanted and _replies_as(tweet, post):
                    tweet_id = str(tweet["id"])
                    return Result("published", tweet_id, status_url(tweet_id), status=200)
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                return None  # every post since then was seen: it never went out
            params["pagination_token"] = str(token)
        return Result(
            "unknown", detail=f"not in the last {self.find_pages * PAGE_SIZE} posts on the account"
        )

    def _timeline(
        self, http: httpx.Client, creds: Credentials, url: str, params: dict[str, str | int]
    ) -> httpx.Response | Result:
        """One page of the timeline, asking for the fields by the name X takes (see the
        module docstring): a 400 that names the parameter as unknown switches names."""
        for fields in (self.fields, *(f for f in (FIELDS, OLD_FIELDS) if f != self.fields)):
            query = {**params, fields[0]: fields[1]}
            request = http.build_request("GET", url, headers=_bearer(creds.token), params=query)
            answer = send(http, request)
            if isinstance(answer, Result) or not _unknown_parameter(answer, fields[0]):
                self.fields = fields
                return answer
        return answer

    # -- tokens -----------------------------------------------------------------------------

    def refresh(self, http: httpx.Client, creds: Credentials) -> Credentials | Result:
        """A new access token from the refresh token (``grant_type=refresh_token``, the app's
        ``client_id``; HTTP Basic with the client secret for a confidential client). X rotates
        refresh tokens: the one returned replaces the old, which X refuses from then on."""
        refresh_token = creds.extra.get("refresh_token")
        client_id = creds.extra.get("client_id")
        if not refresh_token or not client_id:
            return Result(
                "auth",
                detail="no X refresh token or client id is stored: connect the account again",
            )
        headers: dict[str, str] = {}
        secret = creds.extra.get("client_secret")
        if secret:
            pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
            headers["Authorization"] = f"Basic {pair}"
        request = http.build_request(
            "POST",
            _root(creds.base_url) + "/2/oauth2/token",
            headers=headers,
            data={
                "grant_type": "refresh_token",
                "refresh_token": str(refresh_token),
                "client_id": str(client_id),
            },
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code != 200:
            body = _json(answer)
            error = body.get("error") if isinstance(body, dict) else None
            if answer.status_code in (400, 401) and error:
                return Result(
                    "auth",
                    status=answer.status_code,
                    detail=f"X refused the refresh token ({error}: {_messages(answer)}): "
                    "connect the account again",
                )
            return _problem(answer, "X (token refresh)")
        body = _json(answer) or {}
        access = body.get("access_token")
        if not access:
            return Result("unknown", status=200, detail="X answered the refresh without a token")
        extra = dict(creds.extra)
        if body.get("refresh_token"):
            extra["refresh_token"] = str(body["refresh_token"])
        if body.get("scope"):
            extra["scope"] = str(body["scope"])
        lifetime = body.get("expires_in") or TOKEN_LIFETIME
        return Credentials(
            creds.base_url,
            str(access),
            creds.remote_user,
            extra,
            self.clock() + timedelta(seconds=float(lifetime)),
        )


def _replies_as(tweet: dict[str, Any], post: Outgoing) -> bool:
    """A thread's part is only this post if it replies to the part before (the same words
    under another thread are another post): read from ``referenced_tweets`` (or
    ``referenced_posts``) where X gives it, else from ``conversation_id``, the thread's first
    post (X leaves out a list that would be empty)."""
    refs = tweet.get("referenced_posts", tweet.get("referenced_tweets"))
    conversation = tweet.get("conversation_id")
    if refs is None and conversation is not None:
        if post.reply_to is None:
            return str(conversation) == str(tweet.get("id"))
        root = (post.root or post.reply_to).remote_id
        return str(conversation) == root and str(tweet.get("id")) != root
    parents = {
        str(ref.get("id"))
        for ref in refs or ()
        if isinstance(ref, dict) and ref.get("type") == "replied_to"
    }
    if post.reply_to is None:
        return not parents
    return post.reply_to.remote_id in parents


def _unknown_parameter(answer: httpx.Response, name: str) -> bool:
    """X's 400 for a query parameter it does not take ("The query parameter [name] is not
    one of [...]"), as opposed to a bad value of one it does."""
    if answer.status_code != 400:
        return False
    said = _messages(answer)
    return f"[{name}]" in said and "is not one of" in said and "parameter" in said


unknown_parameter = _unknown_parameter  # public for the inbox's reader


def _refused_media(answer: httpx.Response, which: str, step: str) -> Result:
    """X refused an image (its upload or its alt text): which one and what X said. A
    refusal (4xx) needs the user; anything else is safe to try again (never shown)."""
    problem = _problem(answer, f"X ({step} of {which})")
    if problem.kind != "rejected":
        return unknown_as_retry(problem)
    said = _messages(answer) or "no reason given"
    return Result(
        "rejected",
        status=answer.status_code,
        detail=f"X refused {which} on {step}, answering {answer.status_code}: "
        f"{said.rstrip('.')}. Replace or remove that image",
    )


def _tweets(data: object) -> Iterable[dict[str, Any]]:
    if isinstance(data, list):
        for tweet in data:
            if isinstance(tweet, dict) and tweet.get("id") is not None:
                yield tweet


def _full_text(tweet: dict[str, Any]) -> str:
    """A long post's whole text is in ``note_post`` (``note_tweet`` before); ``text`` holds
    its first part."""
    note = tweet.get("note_post", tweet.get("note_tweet"))
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return html.unescape(note["text"])
    return html.unescape(str(tweet.get("text") or ""))
