"""Bluesky's notifications as a fake server: the READ contract of
``app.bsky.notification.listNotifications`` on the publishing fake PDS
(:class:`fake_bluesky.FakeBluesky`: sessions, ``refreshSession``, XRPC errors, bearer checks
and the lexicon checks come from there).

**Checked against the lexicon** (``../shared/specs/atproto``, :mod:`atproto_lexicon`): the
request is a GET whose parameters (``reasons`` an array, a name repeated; ``limit`` 1 to
100, default 50; ``cursor``; ``priority``; ``seenAt``) the lexicon reads, else ``400
InvalidRequest`` in lex-schema's words; every answer (``{cursor?, notifications:
[#notification]}``, each with ``uri``, ``cid``, ``author`` as an
``app.bsky.actor.defs#profileView``, ``reason``, ``record``, ``isRead``, ``indexedAt``) is
checked as the fake's own output, and one that breaks the lexicon is an AssertionError.

Modelled on the reference AppView, beyond the lexicon: auth is the access JWT (``400
ExpiredToken`` once expired, after two hours; ``InvalidToken`` once revoked); newest first by
``indexedAt``; ``reasons`` filters; rate limits as the PDS's ``429 RateLimitExceeded`` with
``ratelimit-*`` headers, the reset in epoch seconds on the fake's clock.

Guessed: the cursor's form (opaque here: the ``indexedAt`` and URI of the last notification
served, read as "strictly older than that one", so notifications indexed at the same moment
are neither skipped nor repeated across pages); that ``reasons`` is honoured (``reasons_ignored``
makes a server that sends every reason); that a notification is indexed when it is written
(``indexedAt`` on the fake's clock)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from atproto_lexicon import LexiconInvalid, query_params
from fake_bluesky import DID, FakeBluesky, _cid, _Invalid, _tid_now

LIST = "app.bsky.notification.listNotifications"
POST = "app.bsky.feed.post"


def _stamp(when: Any) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class FakeBlueskyInbox(FakeBluesky):
    notifications: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    served: Counter[str] = field(default_factory=Counter)  # post URI -> times served
    reasons_ignored: bool = False

    def write(
        self,
        text: str,
        *,
        author: str = "someone",
        reply_to: str | None = None,
        reason: str | None = None,
    ) -> str:
        """Someone replies to, mentions or quotes the account: a post and its notification
        (and a like the account got meanwhile, which ``reasons`` filters out)."""
        did = f"did:plc:{(author.lower() + 'x' * 24)[:24]}"
        rkey = _tid_now(self.clock())
        uri = f"at://{did}/{POST}/{rkey}"
        now = _stamp(self.clock())
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": now}
        kind = reason or ("reply" if reply_to else "mention")
        if reply_to:
            ref = {"uri": reply_to, "cid": self._cid_of(reply_to)}
            record["reply"] = {"root": ref, "parent": ref}
        if kind == "quote":
            target = f"at://{DID}/{POST}/3jzfcijpj2z2a"
            record["embed"] = {
                "$type": "app.bsky.embed.record",
                "record": {"uri": target, "cid": self._cid_of(target)},
            }
        handle = f"{author.lower()}.bsky.social"
        self.notifications.append(
            {
                "uri": uri,
                "cid": self._cid_of(uri),
                "author": {"did": did, "handle": handle, "displayName": author},
                "reason": kind,
                "record": record,
                "isRead": False,
                "indexedAt": now,
            }
        )
        self.notifications.append(
            {
                "uri": f"at://{did}/app.bsky.feed.like/{_tid_now(self.clock())}",
                "cid": self._cid_of(uri + "#like"),
                "author": {"did": did, "handle": handle},
                "reason": "like",
                "reasonSubject": f"at://{DID}/{POST}/3jzfcijpj2z2a",
                "record": {"$type": "app.bsky.feed.like", "createdAt": now},
                "isRead": False,
                "indexedAt": now,
            }
        )
        return uri

    @staticmethod
    def _cid_of(text: str) -> str:
        return _cid(text.encode())

    # -- the server -------------------------------------------------------------------------

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != f"/xrpc/{LIST}":
            return super()._answer(request)
        if request.method != "GET":
            return self._error(
                400, "InvalidRequest", f"Incorrect HTTP method ({request.method}) expected GET"
            )
        try:
            params = self.lex.validate_params(LIST, query_params(request))
            self._bearer(request, "access")
        except LexiconInvalid as exc:
            return self._error(400, "InvalidRequest", str(exc))
        except _Invalid as exc:
            return self._error(exc.status, exc.name, str(exc))
        response = self._list(params)
        try:
            self.lex.validate_output(LIST, response.headers.get("content-type"), response.json())
        except LexiconInvalid as exc:
            raise AssertionError(f"the fake's own {LIST} answer breaks the lexicon: {exc}") from exc
        return response

    def _list(self, params: dict[str, Any]) -> httpx.Response:
        reasons = set(params.get("reasons") or ())
        listed = sorted(self.notifications, key=lambda n: (n["indexedAt"], n["uri"]), reverse=True)
        if reasons and not self.reasons_ignored:
            listed = [n for n in listed if n["reason"] in reasons]
        if "cursor" in params:
            at, _, uri = params["cursor"].partition("::")
            listed = [n for n in listed if (n["indexedAt"], n["uri"]) < (at, uri)]
        page = listed[: params.get("limit", 50)]
        body: dict[str, Any] = {"notifications": page}
        if page and len(listed) > len(page):
            body["cursor"] = f"{page[-1]['indexedAt']}::{page[-1]['uri']}"
        for n in page:
            self.served[n["uri"]] += n["reason"] in ("reply", "mention", "quote")
        return httpx.Response(200, json=body)

    def rate_limited(self) -> httpx.Response:
        """The PDS's 429, the reset on the fake's clock (epoch seconds)."""
        reset = int(self.clock().timestamp()) + 30
        return httpx.Response(
            429,
            json={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(reset),
                "ratelimit-policy": "3000;w=300",
            },
        )

    def revoke_all(self) -> None:
        """The user revoked the app password: every session's tokens stop working."""
        self.revoked.update(self.access, self.refresh)

    def ids(self) -> set[str]:
        return {n["uri"] for n in self.notifications if n["reason"] != "like"}
