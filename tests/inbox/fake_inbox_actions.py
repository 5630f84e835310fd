"""The networks' WRITE contracts for answering the inbox, as fake servers built on the
publishing fakes (their auth, scopes, error bodies and the posts they keep):

- **Mastodon** (:class:`FakeMastodonActions`; methods/accounts.md, methods/statuses.md,
  entities/Relationship.md, api/oauth-scopes.md): ``POST /api/v1/accounts/:id/mute`` and
  ``unmute`` need ``write:mutes`` (``write`` or ``follow`` cover it), ``block`` and
  ``unblock`` ``write:blocks``; each answers 200 with the Relationship (``muting``,
  ``blocking``); an unknown account 404 ``{"error": "Record not found"}``; a missing scope
  403 ``{"error": "This action is outside the authorized scopes"}``.
  ``DELETE /api/v1/statuses/:id`` (``write:statuses``) answers the deleted Status; another's
  status or an unknown one 404.
- **X** (:class:`FakeXActions`; OpenAPI v2.167 ``hideReply`` and ``deletePosts``):
  ``PUT /2/tweets/:id/hidden`` with the JSON ``{"hidden": bool}`` (nothing else), scopes
  ``tweet.read``, ``users.read``, ``tweet.moderate.write``; 200 ``{"data": {"hidden": bool}}``.
  ``DELETE /2/tweets/:id`` (``tweet.read tweet.write users.read``) 200
  ``{"data": {"deleted": true}}``.
  Guessed: the answer to hiding a post that is not a reply in one of the account's
  conversations (403, problem+json, this ``detail``), and to an unknown id (404).
- **Facebook and Instagram** (:class:`FakeGraphActions`; Graph API reference: Comment,
  Object/comments, IG Comment, IG Comment/replies): ``POST /{comment-id}/comments`` and
  ``POST /{ig-comment-id}/replies`` with ``message`` answer ``{"id"}``; ``POST /{comment-id}``
  with ``is_hidden`` (Facebook) or ``hide`` (Instagram) and ``DELETE /{id}`` answer
  ``{"success": true}``; the bearer token must carry ``pages_manage_engagement`` (Facebook)
  or ``instagram_manage_comments`` (Instagram), else ``(#200)`` OAuthException; an unknown id
  is error 100 subcode 33. ``GET /{comment-id}/comments`` and ``GET /{ig-comment-id}/replies``
  list the replies (``data``: ``id``, ``message`` or ``text``, ``from``), oldest first, in one
  page. Guessed: that the form body and the query string are read alike (the publishing
  fakes assume it too), the ids of new replies, and that a reply's ``from`` names the Page or
  Instagram account whose token wrote it (``owners``).
- **Bluesky** (:class:`FakeBlueskyActions`, on the inbox's fake PDS; every request and answer
  checked against the lexicons of ``../shared/specs/atproto`` where they are there):
  ``app.bsky.feed.getPostThread`` (``depth``, ``parentHeight``; a ``threadViewPost`` whose
  ``postView`` carries the record), ``com.atproto.repo.createRecord`` of an
  ``app.bsky.graph.block`` (record checked against its lexicon; key a TID),
  ``com.atproto.repo.deleteRecord``, ``com.atproto.repo.getRecord`` of a block, a block
  under a key already taken answered as the reference PDS does (``taken_answer``, as the
  publishing fake), ``com.atproto.moderation.createReport`` (only with an
  ``atproto-proxy`` header naming a moderation service, as the PDS needs to route it; the
  subject a strong ref to a post it knows). Guessed: ``app.bsky.graph.muteActor`` and
  ``unmuteActor``, whose lexicons are not in the shared folder: a procedure with
  ``{"actor": did}`` and an empty 200, as in bluesky-social/atproto's lexicons; and that a
  report's answer ``id`` counts from 1.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
from atproto_lexicon import LexiconInvalid, query_params, shared_lexicons
from fake_bluesky import ABSENT_OK, DID, _Invalid, _tid_now
from fake_inbox_bluesky import FakeBlueskyInbox, _stamp
from fake_mastodon import SCOPES, FakeMastodon, allows
from fake_x import FakeX

OUT_OF_SCOPE = "This action is outside the authorized scopes"


# ---------------------------------------------------------------------------- Mastodon


@dataclass
class FakeMastodonActions(FakeMastodon):
    # What tactful's sign-in asks for now (publish/connect.py MASTODON_SCOPES).
    scopes: dict[str, frozenset[str]] = field(
        default_factory=lambda: {"good-token": SCOPES | {"write:mutes", "write:blocks"}}
    )
    accounts: set[str] = field(default_factory=lambda: {"a-troll", "a-sam"})
    muting: set[str] = field(default_factory=set)
    blocking: set[str] = field(default_factory=set)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        relation = re.fullmatch(r"/api/v1/accounts/([\w-]+)/(mute|unmute|block|unblock)", path)
        deleting = method == "DELETE" and re.fullmatch(r"/api/v1/statuses/(\d+)", path)
        if not relation and not deleting:
            return super().handle(request)
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        account = self.tokens.get(token)
        if account is None:
            return self._error(401, "The access token is invalid")
        granted = self.scopes.get(token, frozenset({"read", "write"}))
        if deleting:
            if not allows(granted, "write:statuses"):
                return self._error(403, OUT_OF_SCOPE)
            found = [s for s in self.statuses if s["id"] == deleting[1] and s["account"] == account]
            if not found:
                return self._error(404, "Record not found")
            self.statuses.remove(found[0])
            return httpx.Response(200, json=found[0])
        assert relation is not None
        if method != "POST":
            return self._error(404, "Not found")
        verb = relation[2]
        needed = "write:mutes" if verb.endswith("mute") else "write:blocks"
        if not (allows(granted, needed) or "follow" in granted):
            return self._error(403, OUT_OF_SCOPE)
        other = relation[1]
        if other not in self.accounts:
            return self._error(404, "Record not found")
        group = self.muting if verb.endswith("mute") else self.blocking
        (group.discard if verb.startswith("un") else group.add)(other)
        return httpx.Response(200, json=self.relationship(other))

    def relationship(self, other: str) -> dict[str, Any]:
        return {
            "id": other, "following": False, "showing_reblogs": False, "notifying": False,
            "followed_by": False, "blocking": other in self.blocking, "blocked_by": False,
            "muting": other in self.muting, "muting_notifications": other in self.muting,
            "requested": False, "domain_blocking": False, "endorsed": False, "note": "",
        }  # fmt: skip

    def replies_to(self, status_id: str) -> list[dict[str, Any]]:
        return [s for s in self.statuses if s.get("in_reply_to_id") == status_id]


# ---------------------------------------------------------------------------- X

NOT_YOURS = "You cannot hide or unhide replies to conversations you did not start."


@dataclass
class FakeXActions(FakeX):
    # Replies in conversations the account started: id -> hidden
    replies_to_me: dict[str, bool] = field(default_factory=dict)

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        hiding = method == "PUT" and re.fullmatch(r"/2/tweets/(\d+)/hidden", path)
        deleting = method == "DELETE" and re.fullmatch(r"/2/tweets/(\d+)", path)
        if not hiding and not deleting:
            return super().handle(request)
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        user = self.tokens.get(token)
        if user is None:
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}  # fmt: skip
            return self._answer(401, body, problem=True)
        scopes = self.scopes.get(token, frozenset())
        if deleting:
            if not {"tweet.read", "tweet.write", "users.read"} <= scopes:
                return self._forbidden()
            mine = [t for t in self.tweets if t["id"] == deleting[1] and t.get("author_id") == user]
            if not mine:
                return self._answer(404, {"title": "Not Found Error", "type": "about:blank",
                                          "status": 404, "detail": "Not Found"}, problem=True)  # fmt: skip
            self.tweets.remove(mine[0])
            return self._answer(200, {"data": {"deleted": True}})
        assert hiding is not None
        if not {"tweet.read", "users.read", "tweet.moderate.write"} <= scopes:
            return self._forbidden()
        try:
            body = json.loads(request.content)
        except ValueError:
            return self._invalid("The request body is not JSON")
        if set(body) != {"hidden"} or not isinstance(body["hidden"], bool):
            return self._invalid("$.hidden: a boolean is required, and nothing else")
        if hiding[1] not in self.replies_to_me:
            return self._forbidden(NOT_YOURS)
        self.replies_to_me[hiding[1]] = body["hidden"]
        return self._answer(200, {"data": {"hidden": body["hidden"]}})


# ---------------------------------------------------------------------------- Graph

GRAPH_BASE = "https://graph.fake.test/v25.0"


@dataclass
class FakeGraphActions:
    tokens: dict[str, frozenset[str]] = field(
        default_factory=lambda: {
            "page-token": frozenset({"pages_manage_engagement", "pages_read_engagement"}),
            "ig-token": frozenset({"instagram_manage_comments", "instagram_basic"}),
        }
    )
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> network, hidden
    replies: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (parent, message)
    requests: list[httpx.Request] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)  # token -> the Page's or IG user's id
    authors: dict[str, str] = field(default_factory=dict)  # reply id -> who wrote it

    def comment(self, comment_id: str, network: str) -> str:
        self.comments[comment_id] = {"network": network, "hidden": False}
        return comment_id

    def _error(self, message: str, code: int, sub: int | None = None, status: int = 400) -> Any:
        error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code,
                                 "fbtrace_id": "AbCdEf"}  # fmt: skip
        if sub is not None:
            error["error_subcode"] = sub
        return httpx.Response(status, json={"error": error})

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        granted = self.tokens.get(token)
        if granted is None:
            return self._error("Invalid OAuth access token - Cannot parse access token", 190)
        m = re.fullmatch(r"/v\d+\.\d+/([\w]+)(?:/(comments|replies))?", request.url.path)
        if m is None:
            return self._error("Unknown path components", 2500)
        target, edge = m[1], m[2]
        known = self.comments.get(target) or (
            {"network": self.comments[self.replies[target][0]]["network"]}
            if target in self.replies
            else None
        )
        if known is None:
            return self._error(
                f"Unsupported post request. Object with ID '{target}' does not exist, cannot "
                "be loaded due to missing permissions, or does not support this operation.",
                100, 33,
            )  # fmt: skip
        network = known["network"]
        needed = "pages_manage_engagement" if network == "facebook" else "instagram_manage_comments"
        if needed not in granted:
            return self._error(f"(#200) Requires {needed} permission to manage the object", 200)
        form = {k: v[-1] for k, v in parse_qs(request.content.decode()).items()}
        form.update(dict(request.url.params))
        if request.method == "DELETE" and edge is None:
            self.replies.pop(target, None) or self.comments.pop(target, None)
            return httpx.Response(200, json={"success": True})
        wanted_edge = "comments" if network == "facebook" else "replies"
        if request.method == "GET" and edge == wanted_edge:
            words = "message" if network == "facebook" else "text"
            listed = [
                {"id": rid, words: message,
                 **({"from": {"id": self.authors[rid]}} if rid in self.authors else {})}
                for rid, (parent, message) in self.replies.items() if parent == target
            ]  # fmt: skip
            return httpx.Response(200, json={"data": listed})
        if request.method != "POST":
            return self._error("Unsupported request method", 100)
        if edge is not None:
            if edge != wanted_edge or not form.get("message"):
                return self._error("(#100) Invalid parameter", 100)
            made = f"{target}_{len(self.replies) + 1}"
            self.replies[made] = (target, form["message"])
            if token in self.owners:
                self.authors[made] = self.owners[token]
            return httpx.Response(200, json={"id": made})
        field_name = "is_hidden" if network == "facebook" else "hide"
        if set(form) != {field_name} or form[field_name] not in ("true", "false"):
            return self._error("(#100) Invalid parameter", 100)
        self.comments[target]["hidden"] = form[field_name] == "true"
        return httpx.Response(200, json={"success": True})

    def rate_limited(self) -> httpx.Response:
        return self._error("(#4) Application request limit reached", 4, status=403)


# ---------------------------------------------------------------------------- Bluesky

THREAD = "app.bsky.feed.getPostThread"
MUTE, UNMUTE = "app.bsky.graph.muteActor", "app.bsky.graph.unmuteActor"
REPORT = "com.atproto.moderation.createReport"
BLOCK = "app.bsky.graph.block"


@dataclass
class FakeBlueskyActions(FakeBlueskyInbox):
    muted: set[str] = field(default_factory=set)
    reports: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # createReport's subject may also be an admin repoRef, whose lexicon is not shared.
        self.lexicons = shared_lexicons(ABSENT_OK | {"com.atproto.admin.defs#repoRef"})
        super().__post_init__()

    def _post(self, uri: str) -> dict[str, Any] | None:
        for n in self.notifications:
            if n["uri"] == uri:
                return n
        for record in self.records.values():
            if record["uri"] == uri:
                return {"uri": uri, "cid": record["cid"], "record": record["value"],
                        "author": {"did": self.did, "handle": self.account_handle},
                        "indexedAt": _stamp(self.clock())}  # fmt: skip
        return None

    def blocks(self) -> list[dict[str, Any]]:
        return [r for k, r in self.records.items() if k.startswith(BLOCK + "/")]

    def _answer(self, request: httpx.Request) -> httpx.Response:
        nsid = request.url.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.repo.getRecord" and request.url.params.get("collection") == BLOCK:
            found = self.records.get(f"{BLOCK}/{request.url.params.get('rkey')}")
            if found is None:
                return self._error(400, "RecordNotFound", "Could not locate record")
            return httpx.Response(200, json=found)
        if nsid not in (THREAD, MUTE, UNMUTE, REPORT, "com.atproto.repo.deleteRecord") and not (
            nsid == "com.atproto.repo.createRecord" and BLOCK.encode() in request.content
        ):
            return super()._answer(request)
        try:
            did = self._bearer(request, "access")
            if nsid in (MUTE, UNMUTE):  # lexicon not in the shared folder: its contract here
                if request.method != "POST":
                    raise _Invalid(f"Incorrect HTTP method ({request.method}) expected POST")
                body = json.loads(request.content or b"null")
                if not isinstance(body, dict) or not str(body.get("actor", "")).startswith("did:"):
                    raise _Invalid('Input must have the property "actor"')
                (self.muted.add if nsid == MUTE else self.muted.discard)(body["actor"])
                return httpx.Response(200)
            if request.method != self.lex.method(nsid):
                raise _Invalid(f"Incorrect HTTP method ({request.method})")
            if nsid == THREAD:
                params = self.lex.validate_params(THREAD, query_params(request))
                found = self._post(params["uri"])
                if found is None:
                    raise _Invalid(f"Post not found: {params['uri']}", "NotFound")
                view = {k: found[k] for k in ("uri", "cid", "record", "indexedAt")}
                view["author"] = {
                    "did": found["author"]["did"],
                    "handle": found["author"]["handle"],
                }
                response = httpx.Response(200, json={"thread": {
                    "$type": "app.bsky.feed.defs#threadViewPost", "post": view}})  # fmt: skip
            else:
                body = self._input(nsid, request)
                response = self._write(nsid, request, body, did)
        except LexiconInvalid as exc:
            return self._error(400, "InvalidRequest", str(exc))
        except _Invalid as exc:
            return self._error(exc.status, exc.name, str(exc))
        self.lex.validate_output(nsid, response.headers.get("content-type"),
                                 response.json() if response.content else None)  # fmt: skip
        return response

    def _write(
        self, nsid: str, request: httpx.Request, body: dict[str, Any], did: str
    ) -> httpx.Response:
        if nsid == REPORT:
            if not request.headers.get("atproto-proxy", "").endswith("#atproto_labeler"):
                raise _Invalid("createReport must be proxied to a moderation service")
            subject = body["subject"]
            if self._post(subject.get("uri", "")) is None:
                raise _Invalid(f"Could not find the reported post: {subject.get('uri')}")
            made = {"id": len(self.reports) + 1, "reasonType": body["reasonType"],
                    "reason": body.get("reason"), "subject": subject, "reportedBy": did,
                    "createdAt": _stamp(self.clock())}  # fmt: skip
            self.reports.append(made)
            return httpx.Response(200, json=made)
        if body["repo"] != self.did or did != self.did:
            raise _Invalid(f"Could not find repo: {body['repo']}")
        if nsid == "com.atproto.repo.deleteRecord":
            key = f"{body['collection']}/{body['rkey']}"
            found = self.records.pop(key, None)
            if found is None and body["collection"] == "app.bsky.feed.post":
                self.records.pop(body["rkey"], None)  # the publishing fake keys posts by rkey
            return httpx.Response(200, json={})
        record = body["record"]
        rkey = body.get("rkey") or _tid_now(self.clock())
        self.lex.validate_record(BLOCK, record, rkey=rkey)
        if f"{BLOCK}/{rkey}" in self.records:
            if self.taken_answer == "409":
                raise _Invalid(f"Record already exists: {rkey}", "RecordAlreadyExists", 409)
            raise _Invalid("Internal Server Error", "InternalServerError", 500)
        uri = f"at://{self.did}/{BLOCK}/{rkey}"
        cid = self._cid_of(uri)
        self.records[f"{BLOCK}/{rkey}"] = {"uri": uri, "cid": cid, "value": record}
        return httpx.Response(200, json={"uri": uri, "cid": cid})


__all__ = ["DID", "GRAPH_BASE", "FakeBlueskyActions", "FakeGraphActions", "FakeMastodonActions",
           "FakeXActions"]  # fmt: skip
