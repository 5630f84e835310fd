"""Every request the inbox readers send, held up to the networks' published READ contracts
(the tables of :mod:`contract`, written from the documents, not from the fakes). Bluesky's
requests are checked against the lexicon by its fake; X's mentions request is checked by the
fake's "is not one of" answer."""

from __future__ import annotations

import re
from typing import Any

from contract import Recorder, Row, between, fields, mismatches, one_of
from fake_http import client
from fake_inbox_graph import BASE as GRAPH_BASE
from fake_inbox_graph import IG_ID, PAGE_ID, TOKEN, FakeGraphInbox
from fake_inbox_linkedin import BASE as LI_BASE
from fake_inbox_linkedin import ORG, FakeLinkedInInbox
from fake_inbox_mastodon import BASE as MASTODON_BASE
from fake_inbox_mastodon import FakeMastodonInbox

from tactful.inbox.sync import InboxSync
from tactful.publish.credentials import save_credentials
from tactful.store import Store
from tactful.store.accounts import add_account

BEARER = fields("authorization")


def graph_fields(allowed: dict[str, set[str]], node: str) -> Any:
    """A Graph ``fields`` value (field expansion: ``a,b.limit(5){c,d}``) whose fields are all
    among ``allowed[node]``, and nested ones among ``allowed[name]`` (modifiers ``limit``,
    ``filter``, ``order``, ``summary``)."""

    def check(value: Any, node: str = node) -> str | None:
        depth, part, parts = 0, "", []
        for ch in str(value) + ",":
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if ch == "," and depth == 0:
                parts.append(part)
                part = ""
            else:
                part += ch
        for item in parts:
            m = re.fullmatch(r"([a-z_]+)((?:\.[a-z]+\([^)]*\))*)(?:\{(.*)\})?", item)
            if not m or m[1] not in allowed[node]:
                return f"{item!r} is not a field of {node}"
            modifiers = re.findall(r"\.([a-z]+)\(", m[2])
            if any(mod not in ("limit", "filter", "order", "summary") for mod in modifiers):
                return f"{item!r}: unknown modifier"
            if m[3] is not None:
                wrong = check(m[3], m[1])
                if wrong:
                    return wrong
        return None

    return check


MD = "docs.joinmastodon.org/methods/notifications/#get"
NOTIFICATION_TYPES = ("mention", "status", "reblog", "follow", "follow_request", "favourite",
                      "poll", "update", "admin.sign_up", "admin.report",
                      "severed_relationships", "moderation_warning", "quote", "quoted_update")  # fmt: skip
MASTODON = [
    Row("GET", "/api/v1/notifications", MD, headers=BEARER,
        params=fields("max_id", "since_id", "min_id", "limit", "types[]", "exclude_types[]",
                      "account_id", "include_filtered"),
        values={"limit": between(1, 80), "types[]": one_of(*NOTIFICATION_TYPES)}),
]  # fmt: skip

FB = "developers.facebook.com/docs/graph-api/reference/"
IG = "developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/"
META_FIELDS = {
    # graph-api/reference/page/feed (Page Post), object/comments, comment
    "post": {"id", "message", "permalink_url", "created_time", "updated_time", "from",
             "comments", "status_type", "story"},
    "comments": {"id", "message", "from", "created_time", "permalink_url", "parent",
                 "like_count", "comment_count", "is_hidden", "attachment", "message_tags"},
    # ig-media, ig-comment
    "media": {"id", "caption", "permalink", "timestamp", "comments_count", "like_count",
              "media_type", "media_url", "username", "comments"},
    "ig_comment": {"id", "text", "timestamp", "username", "from", "parent_id", "replies",
                   "like_count", "hidden", "media", "user"},
}  # fmt: skip
META_FIELDS["parent"] = {"id"}
META_FIELDS["replies"] = META_FIELDS["ig_comment"] - {"replies"}
META_FIELDS["from"] = {"id", "name", "username"}
FACEBOOK = [
    Row("GET", "/{version}/{page-id}/feed", FB + "page/feed#read", headers=BEARER,
        params=fields("fields", "limit", "after", "before", "since", "until"),
        values={"fields": graph_fields(META_FIELDS, "post"), "limit": between(1, 100)}),
    Row("GET", "/{version}/{post-id}/comments", FB + "object/comments#read", headers=BEARER,
        params=fields("fields", "limit", "after", "before", "filter", "order", "summary"),
        values={"fields": graph_fields(META_FIELDS, "comments"), "limit": between(1, 100),
                "filter": one_of("toplevel", "stream"),
                "order": one_of("chronological", "reverse_chronological")}),
]  # fmt: skip
INSTAGRAM = [
    Row("GET", "/{version}/{ig-user-id}/media", IG + "ig-user/media#reading", headers=BEARER,
        params=fields("fields", "limit", "after", "before", "since", "until"),
        values={"fields": graph_fields(META_FIELDS, "media"), "limit": between(1, 100)}),
    Row("GET", "/{version}/{ig-media-id}/comments", IG + "ig-media/comments#reading",
        headers=BEARER, params=fields("fields", "limit", "after", "before"),
        values={"fields": graph_fields(META_FIELDS, "ig_comment"), "limit": between(1, 100)}),
    Row("GET", "/{version}/{ig-comment-id}/replies", IG + "ig-comment/replies#reading",
        headers=BEARER, params=fields("fields", "limit", "after", "before"),
        values={"fields": graph_fields(META_FIELDS, "replies"), "limit": between(1, 100)}),
]  # fmt: skip

LI = "learn.microsoft.com/linkedin/marketing/community-management/shares/"
LI_REST = fields("authorization", "linkedin-version", "x-restli-protocol-version")
LINKEDIN = [
    Row("GET", "/rest/posts", LI + "posts-api (Find Posts by Authors)", headers=LI_REST,
        required_params=fields("author", "q"),
        params=fields("count", "start", "sortBy", "viewContext"),
        values={"q": one_of("author"), "count": between(1, 100),
                "sortBy": one_of("LAST_MODIFIED", "CREATED"),
                "author": one_of(ORG)}),
    Row("GET", "/rest/socialActions/{post-urn}/comments", LI + "comments-api (Retrieve "
        "Comments on Shares)", headers=LI_REST, params=fields("start", "count"),
        values={"count": between(1, 100)}),
]  # fmt: skip


def _sync(store: Store, platform: str, recorder: Recorder, clock: Any, **creds: Any) -> None:
    with store.session() as s:
        add_account(s, f"jo-{platform}", platform=platform, kind="brand")
        save_credentials(s, f"jo-{platform}", **creds)
    for _ in range(2):
        (done,) = InboxSync(store, http=client(recorder), clock=clock).run(f"jo-{platform}")
        assert done.finished and done.notice is None, done.line()


def test_mastodon_reads_follow_the_published_contract(store: Store, clock: Any) -> None:
    fake = FakeMastodonInbox(clock=clock)
    for n in range(50):
        fake.write(f"hello {n}")
    seen = Recorder(fake)
    _sync(store, "mastodon", seen, clock, token="good-token", base_url=MASTODON_BASE)
    assert not mismatches([seen], MASTODON), mismatches([seen], MASTODON)


def test_facebook_and_instagram_reads_follow_the_published_contract(
    store: Store, clock: Any
) -> None:
    for platform, table, user in (("facebook", FACEBOOK, PAGE_ID), ("instagram", INSTAGRAM, IG_ID)):
        fake = FakeGraphInbox(clock=clock)
        for n in range(30):
            fake.post(f"post {n}", network=platform)
        first = [fake.write(f"c {n}", network=platform) for n in range(120)]
        for _ in range(30):  # past the first page of replies on Instagram
            fake.write("a reply", network=platform, reply_to=first[0])
        seen = Recorder(fake)
        _sync(store, platform, seen, clock, token=TOKEN, base_url=GRAPH_BASE, remote_user=user)
        wrong = mismatches([seen], table)
        assert not wrong, "\n".join(wrong)


def test_linkedin_reads_follow_the_published_contract(store: Store, clock: Any) -> None:
    fake = FakeLinkedInInbox(clock=clock)
    for n in range(25):
        fake.post(f"post {n}")
    for n in range(120):
        fake.write(f"c {n}")
    seen = Recorder(fake)
    _sync(store, "linkedin", seen, clock, token="good-token", base_url=LI_BASE, remote_user=ORG)
    wrong = mismatches([seen], LINKEDIN)
    assert not wrong, "\n".join(wrong)
