"""Bluesky: a reply is an ``app.bsky.feed.post`` with the parent's and root's strong refs
(through the connector, under its deterministic record key); the refs are read with
``app.bsky.feed.getPostThread`` (``depth`` 0, ``parentHeight`` 0: the post alone, its
record naming the thread's root). The author is muted with ``app.bsky.graph.muteActor`` (and
``unmuteActor``; private, kept by the account's AppView), blocked with an
``app.bsky.graph.block`` record (``com.atproto.repo.createRecord``; public) under a record key
made from the moment it was asked for and the author blocked (:func:`block_key`), so a block
asked again after a cut-off request finds the first one (``getRecord``) and makes no second;
unblocked by deleting it (``deleteRecord``). A report is
``com.atproto.moderation.createReport`` with the post's strong ref, sent through the PDS to
Bluesky's moderation service (the ``atproto-proxy`` header names it). A reply is taken back
with ``deleteRecord``; cut off before its answer, it is looked for at its deterministic
record key (the connector's ``find``).

Lexicons: ``../shared/specs/atproto`` (getPostThread, block, createRecord, deleteRecord,
createReport, moderation.defs); ``muteActor``/``unmuteActor`` are not among them: their
contract (a procedure, ``{"actor": at-identifier}``, no output) is from the lexicons in
bluesky-social/atproto, lexicons/app/bsky/graph/."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tactful.inbox.moderation.base import Target, Unoffered
from tactful.publish.connectors.base import Credentials, Outgoing, Posted, Result, json_object, send
from tactful.publish.connectors.bluesky import PUBLIC_PDS, BlueskyConnector, tid, xrpc_refusal

BLOCK = "app.bsky.graph.block"
POST = "app.bsky.feed.post"
# Bluesky's moderation service, as the Bluesky app names it in the atproto-proxy header.
MODERATION = "did:plc:ar7c4by46qjdydhdevvrndac#atproto_labeler"
REASONS = {
    "spam": "com.atproto.moderation.defs#reasonSpam",
    "threat": "com.atproto.moderation.defs#reasonViolation",
    "hate": "com.atproto.moderation.defs#reasonViolation",
    "harassment": "com.atproto.moderation.defs#reasonRude",
    "trolling": "com.atproto.moderation.defs#reasonRude",
}


def _url(creds: Credentials, nsid: str) -> str:
    return (creds.base_url or PUBLIC_PDS).rstrip("/") + "/xrpc/" + nsid


def _when(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def block_key(subject: str, now: datetime) -> str:
    """The block's record key: a TID of the moment the block was asked for (what the store
    keeps as the action's time), its clock id from the DID blocked. The same every time the
    action is asked, so a repository never holds two blocks from one action."""
    micros = (now.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    clock_id = int.from_bytes(hashlib.sha256(subject.encode()).digest()[:2], "big") & 0x3FF
    return tid(micros, clock_id)


def _rkey(uri: str) -> tuple[str, str, str] | None:
    """(repo, collection, rkey) of an ``at://`` URI."""
    parts = uri.removeprefix("at://").split("/")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


class BlueskyModerator(Unoffered):
    network = "bluesky"
    actions = frozenset({"reply", "mute", "block", "report"})
    undoable = frozenset({"reply", "mute", "block"})

    def __init__(self, connector: BlueskyConnector | None = None):
        self.connector = connector

    def _call(
        self,
        http: httpx.Client,
        creds: Credentials,
        nsid: str,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any] | Result:
        request = http.build_request(
            "GET" if body is None else "POST",
            _url(creds, nsid),
            headers={"Authorization": f"Bearer {creds.token}", **(headers or {})},
            json=body,
            params=params,
        )
        answer = send(http, request)
        if isinstance(answer, Result):
            return answer
        if answer.status_code != 200:
            return xrpc_refusal(answer)
        return json_object(answer)

    def strong_refs(
        self, http: httpx.Client, creds: Credentials, uri: str
    ) -> tuple[Posted, Posted] | Result:
        """The post's and its thread root's strong refs (the root is the post itself at the
        top of a thread)."""
        got = self._call(
            http, creds, "app.bsky.feed.getPostThread",
            params={"uri": uri, "depth": 0, "parentHeight": 0},
        )  # fmt: skip
        if isinstance(got, Result):
            return got
        thread = got.get("thread") if isinstance(got.get("thread"), dict) else {}
        post = thread.get("post") if isinstance(thread, dict) else None
        if not isinstance(post, dict) or not isinstance(post.get("cid"), str):
            return Result("rejected", detail="the post is gone or cannot be seen from the account")
        here = Posted(uri, ref={"cid": post["cid"]})
        record = post.get("record") if isinstance(post.get("record"), dict) else {}
        reply = record.get("reply") if isinstance(record, dict) else None
        root = reply.get("root") if isinstance(reply, dict) else None
        if isinstance(root, dict) and isinstance(root.get("uri"), str) and root.get("cid"):
            return here, Posted(root["uri"], ref={"cid": str(root["cid"])})
        return here, here

    def reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result:  # fmt: skip
        refs = self.strong_refs(http, creds, target.remote_id)
        if isinstance(refs, Result):
            return refs
        parent, root = refs
        connector = self.connector or BlueskyConnector(clock=lambda: now)
        post = Outgoing(text=text, key=key, when=now, reply_to=parent, root=root)
        return connector.publish(http, creds, post)

    def unreply(self, http: httpx.Client, creds: Credentials, remote_id: str) -> Result:
        return self._delete(http, creds, remote_id)

    def find_reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result | None:  # fmt: skip
        connector = self.connector or BlueskyConnector(clock=lambda: now)
        return connector.find(http, creds, Outgoing(text=text, key=key, when=now), now)

    def mute(self, http: httpx.Client, creds: Credentials, target: Target, muted: bool) -> Result:
        if not target.author_id:
            return Result("rejected", detail="the notification did not name the author's DID")
        nsid = "app.bsky.graph.muteActor" if muted else "app.bsky.graph.unmuteActor"
        got = self._call(http, creds, nsid, body={"actor": target.author_id})
        return got if isinstance(got, Result) else Result("published", status=200)

    def block(
        self,
        http: httpx.Client,
        creds: Credentials,
        target: Target,
        undo: str | None,
        *,
        now: datetime,
    ) -> Result:
        if undo is not None:
            return self._delete(http, creds, undo)
        if not target.author_id or not creds.remote_user:
            return Result("rejected", detail="the author's or the account's DID is not known")
        record = {"$type": BLOCK, "subject": target.author_id, "createdAt": _when(now)}
        rkey = block_key(target.author_id, now)
        got = self._call(
            http, creds, "com.atproto.repo.createRecord",
            body={"repo": creds.remote_user, "collection": BLOCK, "rkey": rkey, "record": record},
        )  # fmt: skip
        if isinstance(got, Result):
            if got.kind in ("rejected", "unknown"):  # there already (asked again), or it may be
                there = self._block_at(http, creds, rkey, target.author_id)
                if there is not None:
                    return there
            return got
        return Result("published", str(got.get("uri") or "") or None, status=200)

    def _block_at(
        self, http: httpx.Client, creds: Credentials, rkey: str, subject: str
    ) -> Result | None:
        """The block record at ``rkey`` when it blocks ``subject``, else None."""
        got = self._call(
            http, creds, "com.atproto.repo.getRecord",
            params={"repo": creds.remote_user, "collection": BLOCK, "rkey": rkey},
        )  # fmt: skip
        if isinstance(got, Result):
            return None
        value = got.get("value") if isinstance(got.get("value"), dict) else {}
        if not isinstance(value, dict) or value.get("subject") != subject:
            return None
        return Result("published", str(got.get("uri") or "") or None, status=200)

    def report(
        self, http: httpx.Client, creds: Credentials, target: Target, reason: str, category: str
    ) -> Result:
        refs = self.strong_refs(http, creds, target.remote_id)
        if isinstance(refs, Result):
            return refs
        subject = {
            "$type": "com.atproto.repo.strongRef",
            "uri": target.remote_id,
            "cid": refs[0].ref["cid"],
        }
        body = {
            "reasonType": REASONS.get(category, "com.atproto.moderation.defs#reasonOther"),
            "reason": reason[:2000],
            "subject": subject,
        }
        got = self._call(
            http, creds, "com.atproto.moderation.createReport", body=body,
            headers={"atproto-proxy": MODERATION},
        )  # fmt: skip
        if isinstance(got, Result):
            return got
        return Result("published", str(got.get("id") or "") or None, status=200)

    def _delete(self, http: httpx.Client, creds: Credentials, uri: str) -> Result:
        parts = _rkey(uri)
        if parts is None or parts[0] != creds.remote_user:
            return Result("rejected", detail=f"{uri} is not a record of this account")
        repo, collection, rkey = parts
        got = self._call(
            http, creds, "com.atproto.repo.deleteRecord",
            body={"repo": repo, "collection": collection, "rkey": rkey},
        )  # fmt: skip
        return got if isinstance(got, Result) else Result("published", uri, status=200)
