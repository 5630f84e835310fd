"""X's mentions timeline as a fake server: the READ contract of
``GET /2/users/{id}/mentions`` (X API v2 OpenAPI document v2.167, ``usersIdMentions``):

- an OAuth 2.0 user token (``tweet.read``, ``users.read``); an unknown or expired one 401
  ``{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}``;
  another user's id 403;
- ``max_results`` 5 to 100, ``since_id``, ``pagination_token``, ``tweet.fields`` (or
  ``post.fields``), ``expansions``, ``user.fields``; an unknown parameter 400 with "The query
  parameter [...] is not one of [...]";
- newest first; ``meta`` with ``result_count``, ``newest_id``, ``oldest_id`` and ``next_token``
  when more follow; ``includes.users`` and ``includes.tweets`` for the expansions;
- ``x-rate-limit-limit``, ``-remaining`` and ``-reset`` (epoch seconds) on every answer, and
  a 429 ``{"title": "Too Many Requests", "detail": "Too Many Requests", ...}`` when spent.

Guessed: the pagination token's form (an opaque string here: the id to go on below) and that
it stays valid across a gap of hours."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import httpx

BASE = "https://api.x.example"
USER_ID = "42"
PARAMS = {"max_results", "since_id", "pagination_token", "tweet.fields", "post.fields",
          "expansions", "user.fields"}  # fmt: skip


@dataclass
class FakeXMentions:
    clock: Callable[[], datetime]
    tokens: dict[str, str] = field(default_factory=lambda: {"x-token": USER_ID})
    tweets: list[dict] = field(default_factory=list)  # oldest first
    served: Counter[str] = field(default_factory=Counter)
    requests: list[httpx.Request] = field(default_factory=list)

    def write(self, text: str, *, author: str = "someone", reply_to: str | None = None) -> str:
        tweet_id = str(10**15 + len(self.tweets) + 1)
        tweet: dict = {
            "id": tweet_id,
            "text": f"@jo {text}",
            "author_id": f"u-{author}",
            "created_at": self.clock().isoformat().replace("+00:00", "Z"),
            "_username": author,
        }
        if reply_to:
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": reply_to}]
        self.tweets.append(tweet)
        return tweet_id

    def _headers(self) -> dict[str, str]:
        reset = str(int(self.clock().timestamp()) + 900)
        return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "449",
                "x-rate-limit-reset": reset}  # fmt: skip

    def rate_limited(self) -> httpx.Response:
        body = {"title": "Too Many Requests", "detail": "Too Many Requests",
                "type": "about:blank", "status": 429}  # fmt: skip
        return httpx.Response(429, json=body, headers={**self._headers(),
                                                       "x-rate-limit-remaining": "0"})  # fmt: skip

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        user = self.tokens.get(token)
        if user is None:
            body = {"title": "Unauthorized", "type": "about:blank", "status": 401,
                    "detail": "Unauthorized"}  # fmt: skip
            return httpx.Response(401, json=body)
        path = request.url.path
        if request.method != "GET" or path != f"/2/users/{user}/mentions":
            return httpx.Response(403, json={"title": "Forbidden", "status": 403,
                                             "detail": "not this user's"})  # fmt: skip
        params = request.url.params
        for name in params:
            if name not in PARAMS:
                return httpx.Response(400, json={"errors": [{"message": f"The query parameter [{name}] is not one of [{','.join(sorted(PARAMS))}]", "parameters": {name: [params[name]]}}], "title": "Invalid Request", "detail": "One or more parameters to your request was invalid.", "type": "https://api.twitter.com/2/problems/invalid-request"})  # fmt: skip
        size = int(params.get("max_results", "10"))
        assert 5 <= size <= 100
        listed = list(reversed(self.tweets))
        if "since_id" in params:
            listed = [t for t in listed if int(t["id"]) > int(params["since_id"])]
        if "pagination_token" in params:
            below = int(params["pagination_token"].removeprefix("tok-"))
            listed = [t for t in listed if int(t["id"]) < below]
        page, rest = listed[:size], listed[size:]
        meta: dict = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if page and rest:
            meta["next_token"] = f"tok-{page[-1]['id']}"
        data = [{k: v for k, v in t.items() if not k.startswith("_")} for t in page]
        users = [{"id": t["author_id"], "username": t["_username"], "name": t["_username"]}
                 for t in page]  # fmt: skip
        parents = {r["id"] for t in page for r in t.get("referenced_tweets", ())}
        above = [{k: v for k, v in t.items() if not k.startswith("_")}
                 for t in self.tweets if t["id"] in parents]  # fmt: skip
        for t in page:
            self.served[t["id"]] += 1
        body: dict = {"meta": meta}
        if data:
            body |= {"data": data, "includes": {"users": users, "tweets": above}}
        return httpx.Response(200, json=body, headers=self._headers())

    def ids(self) -> set[str]:
        return {t["id"] for t in self.tweets}
