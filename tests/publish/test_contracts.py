"""Every request each connector sends, held up to its network's published contract.

Each network has a table (see :mod:`contract`): one row per request, naming the document it
comes from. A scenario drives the connector through what it does (connecting, posting text,
images with alt text, a thread's reply, finding a post, renewing a token) against the fake
server with a :class:`contract.Recorder` in between; every request must fit a row, and every
row must have been used.

The tables are written from the documents, not from the fakes: a fake that drifted from its
network would still let a connector pass its own tests, but not these."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from contract import (
    UPLOAD_URL,
    Recorder,
    Row,
    between,
    each_of,
    fields,
    matching,
    mismatches,
    one_of,
    size,
)
from fake_graph import APP_ID, APP_SECRET, DIALOG, FakeGraph
from fake_graph import BASE as GRAPH_BASE
from fake_http import client
from fake_linkedin import BASE as LI_BASE
from fake_linkedin import CLIENT_ID as LI_CLIENT_ID
from fake_linkedin import CLIENT_SECRET as LI_CLIENT_SECRET
from fake_linkedin import OAUTH_BASE, ORG, FakeLinkedIn
from fake_mastodon import BASE as MASTODON_BASE
from fake_mastodon import FakeMastodon
from fake_x import BASE as X_BASE
from fake_x import CLIENT_ID as X_CLIENT_ID
from fake_x import FakeX

from tactful.publish import connect
from tactful.publish.connect_linkedin import linkedin_oauth
from tactful.publish.connect_meta import meta_oauth
from tactful.publish.connectors.base import Credentials, MediaFile, Outgoing
from tactful.publish.connectors.facebook import FacebookConnector
from tactful.publish.connectors.instagram import InstagramConnector
from tactful.publish.connectors.linkedin import LinkedInConnector
from tactful.publish.connectors.mastodon import MastodonConnector
from tactful.publish.connectors.x import XConnector
from tactful.web.demo import demo_photo

BEARER = fields("authorization")
DIGITS = r"[0-9]{1,19}"  # X's id pattern
RFC3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"


def browser(server: Any) -> Callable[[str], None]:
    """A user who allows access on the network's page: the page is asked through the
    recorder (its URL is tactful's too), and the redirect followed to the local callback."""

    def open_url(url: str) -> None:
        page = server.handle(httpx.Request("GET", url))
        assert page.status_code == 302, page.text
        httpx.get(page.headers["location"], timeout=5)

    return open_url


def images(tmp_path: Path) -> tuple[str, str]:
    from PIL import Image

    gif = tmp_path / "moving.gif"
    Image.new("RGB", (8, 8), (200, 30, 30)).save(gif, "GIF")
    return str(demo_photo(tmp_path / "p.jpg")), str(gif)


def assert_fits(recorders: list[Recorder], table: list[Row]) -> None:
    wrong = mismatches(recorders, table)
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------- Mastodon

MD = "docs.joinmastodon.org/methods/"
# Scopes tactful may ask for (docs.joinmastodon.org/api/oauth-scopes)
MASTODON_SCOPES = each_of(
    "read",
    "write",
    "push",
    "profile",
    "follow",
    "read:accounts",
    "read:statuses",
    "read:notifications",
    "write:statuses",
    "write:media",
    "write:mutes",
    "write:blocks",
    sep=" ",
)
MASTODON = [
    Row("POST", "/api/v1/apps", MD + "apps/#create", "form",
        required=fields("client_name", "redirect_uris"), allowed=fields("scopes", "website"),
        values={"scopes": MASTODON_SCOPES}),
    Row("GET", "/oauth/authorize", MD + "oauth/#authorize",
        required_params=fields("response_type", "client_id", "redirect_uri"),
        params=fields("scope", "state", "code_challenge", "code_challenge_method",
                      "force_login", "lang"),
        values={"response_type": one_of("code"), "scope": MASTODON_SCOPES,
                "code_challenge_method": one_of("S256")}),
    Row("POST", "/oauth/token", MD + "oauth/#token", "form",
        required=fields("grant_type", "code", "client_id", "client_secret", "redirect_uri"),
        allowed=fields("code_verifier", "scope"),
        values={"grant_type": one_of("authorization_code")}),
    Row("GET", "/api/v1/accounts/verify_credentials", MD + "accounts/#verify_credentials",
        headers=BEARER),
    Row("GET", "/api/v2/instance", MD + "instance/#v2"),
    Row("POST", "/api/v2/media", MD + "media/#v2", "multipart", headers=BEARER,
        required=fields("file"), allowed=fields("thumbnail", "description", "focus"),
        values={"description": size(1, 1500)}),  # media_attachments.description_limit
    Row("GET", "/api/v1/media/{id}", MD + "media/#get", headers=BEARER),
    Row("POST", "/api/v1/statuses", MD + "statuses/#create", "json",
        headers=fields("authorization", "idempotency-key"),
        allowed=fields("status", "media_ids", "in_reply_to_id", "sensitive", "spoiler_text",
                       "visibility", "language", "scheduled_at", "quoted_status_id",
                       "quote_approval_policy"),
        values={"visibility": one_of("public", "unlisted", "private", "direct"),
                "media_ids": size(0, 4)}),  # max_media_attachments (the default)
    Row("GET", "/api/v1/accounts/{id}/statuses", MD + "accounts/#statuses",
        params=fields("max_id", "since_id", "min_id", "limit", "only_media", "exclude_replies",
                      "exclude_reblogs", "pinned", "tagged"),
        values={"limit": between(1, 40)}),  # public, or a token with read:statuses
]  # fmt: skip


def test_mastodon_requests_follow_the_published_contract(clock: Any, tmp_path: Path) -> None:
    photo, _gif = images(tmp_path)
    fake = FakeMastodon(clock=clock)
    seen = Recorder(fake)
    made = connect.mastodon_oauth(
        client(seen), MASTODON_BASE, port=0, open_url=browser(seen), say=lambda _m: None
    )
    creds = Credentials(MASTODON_BASE, made.token, made.remote_user)
    older = Credentials(MASTODON_BASE, "old-token", "109")  # no read:statuses: public list
    conn = MastodonConnector(poll_wait=0)
    with client(seen) as http:
        first = conn.publish(http, creds, Outgoing("Hello from tactful 1/2", "k1"))
        reply = Outgoing("And more 2/2", "k2", reply_to=first.posted(), root=first.posted())
        assert conn.publish(http, creds, reply).kind == "published"
        pictured = Outgoing("With a picture", "k3", (MediaFile(photo, "image/jpeg", "Skyline"),))
        assert conn.publish(http, creds, pictured).kind == "published"
        assert conn.find(http, creds, Outgoing("Hello from tactful 1/2", "k1"), None)
        assert conn.find(http, older, Outgoing("never sent", "k4"), None) is None
    assert_fits([seen], MASTODON)


# ---------------------------------------------------------------------------- X

XO = "X API v2 OpenAPI v2.167 (xdevplatform/xdk specs/openapi.json): "
X_OLD = "X API v2 OpenAPI v2.159 (xdevplatform/xdk latest-openapi.json): "
X_OAUTH = "docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code"
# X's OAuth 2.0 scopes (OpenAPI v2.167: components.securitySchemes.OAuth2UserToken)
X_SCOPES = each_of(
    "block.read",
    "bookmark.read",
    "bookmark.write",
    "dm.read",
    "dm.write",
    "follows.read",
    "follows.write",
    "like.read",
    "like.write",
    "list.read",
    "list.write",
    "media.write",
    "mute.read",
    "mute.write",
    "offline.access",
    "space.read",
    "tweet.moderate.write",
    "tweet.read",
    "tweet.write",
    "users.read",
    sep=" ",
)
TIMELINE = fields("max_results", "pagination_token", "start_time", "end_time", "since_id",
                  "until_id", "exclude", "expansions", "user.fields", "media.fields",
                  "poll.fields", "place.fields")  # fmt: skip
# The values of GET /2/users/{id}/tweets' fields parameter: post.fields in v2.167 ...
POST_FIELDS = (
    "article", "article_title", "attachments", "card_uri", "community_id",
    "context_annotations", "conversation_id", "created_at", "display_text_range",
    "edit_controls", "entities", "geo", "id", "lang", "matched_media_notes", "media_metadata",
    "non_public_metrics", "note_post", "note_request_suggestions", "organic_metrics",
    "paid_partnership", "possibly_sensitive", "promoted_metrics", "public_metrics",
    "reply_settings", "scopes", "source", "suggested_source_links",
    "suggested_source_links_with_counts", "text", "withheld",
)  # fmt: skip
# ... and tweet.fields in v2.159.
TWEET_FIELDS = (
    "article", "attachments", "author_id", "card_uri", "community_id", "context_annotations",
    "conversation_id", "created_at", "display_text_range", "edit_controls",
    "edit_history_tweet_ids", "entities", "geo", "id", "in_reply_to_user_id", "lang",
    "media_metadata", "non_public_metrics", "note_tweet", "organic_metrics",
    "possibly_sensitive", "promoted_metrics", "public_metrics", "referenced_tweets",
    "reply_settings", "scopes", "source", "suggested_source_links",
    "suggested_source_links_with_counts", "text", "withheld",
)  # fmt: skip
TIMELINE_VALUES = {
    "max_results": between(5, 100),
    "exclude": each_of("replies", "retweets"),
    "start_time": matching(RFC3339),
}
X_TABLE = [
    Row("GET", "/i/oauth2/authorize", X_OAUTH + " (Authorize URL)",
        required_params=fields("response_type", "client_id", "redirect_uri", "scope", "state",
                               "code_challenge", "code_challenge_method"),
        values={"response_type": one_of("code"), "scope": X_SCOPES,
                "code_challenge_method": one_of("S256", "plain")}),
    Row("POST", "/2/oauth2/token", X_OAUTH + " (token and refresh requests)", "form",
        required=fields("grant_type", "client_id"),
        allowed=fields("code", "redirect_uri", "code_verifier", "refresh_token"),
        values={"grant_type": one_of("authorization_code", "refresh_token")}),
    Row("GET", "/2/users/me", XO + "GET /2/users/me", headers=BEARER,
        params=fields("user.fields", "expansions", "post.fields")),
    Row("POST", "/2/media/upload", XO + "MediaUploadRequest", "multipart", headers=BEARER,
        required=fields("media", "media_category"), allowed=fields("additional_owners"),
        values={"media_category": one_of("tweet_image", "tweet_gif", "tweet_video", "dm_image",
                                          "dm_video", "dm_gif", "subtitles"),
                "media": size(1, 5 * 1024 * 1024)}),  # docs.x.com/x-api/media: images 5 MB
    Row("GET", "/2/media/upload", XO + "GET /2/media/upload (getMediaUploadStatus)",
        headers=BEARER, required_params=fields("media_id"), params=fields("command"),
        values={"media_id": matching(DIGITS), "command": one_of("STATUS")}),
    Row("POST", "/2/media/metadata", XO + "CreateMediaMetadataRequest", "json", headers=BEARER,
        required=fields("id"), allowed=fields("metadata.alt_text.text"),
        values={"id": matching(DIGITS), "metadata.alt_text.text": size(1, 1000)}),
    Row("POST", "/2/tweets", XO + "CreatePostsRequest, CreatePostsMedia, CreatePostsReply",
        "json", headers=BEARER,
        allowed=fields("text", "media.media_ids", "media.tagged_user_ids",
                       "reply.in_reply_to_tweet_id", "reply.exclude_reply_user_ids",
                       "reply.auto_populate_reply_metadata",
                       "quote_tweet_id", "reply_settings", "for_super_followers_only",
                       "nullcast", "made_with_ai", "paid_partnership", "community_id",
                       "card_uri", "direct_message_deep_link", "share_with_followers"),
        values={"media.media_ids": size(1, 4), "reply.in_reply_to_tweet_id": matching(DIGITS)}),
    Row("GET", "/2/users/{id}/tweets", XO + "GET /2/users/{id}/tweets", headers=BEARER,
        params=TIMELINE | {"post.fields"},
        values={**TIMELINE_VALUES,
                "post.fields": each_of(*POST_FIELDS)}),
    # Sent only when X refuses post.fields (the live API may still speak v2.159).
    Row("GET", "/2/users/{id}/tweets", X_OLD + "GET /2/users/{id}/tweets", headers=BEARER,
        params=TIMELINE | {"tweet.fields"},
        values={**TIMELINE_VALUES,
                "tweet.fields": each_of(*TWEET_FIELDS)}),
]  # fmt: skip


def test_x_requests_follow_the_published_contract(clock: Any, tmp_path: Path) -> None:
    photo, gif = images(tmp_path)
    fake = FakeX(clock=clock)
    seen = Recorder(fake)
    made = connect.x_oauth(
        client(seen), X_CLIENT_ID, api_url=X_BASE, authorize_url=f"{X_BASE}/i/oauth2/authorize",
        port=0, open_url=browser(seen), say=lambda _m: None, now=fake.clock,
    )  # fmt: skip
    creds = Credentials(X_BASE, made.token, made.remote_user, made.extra)
    conn = XConnector(clock=clock, sleep=lambda _s: None)
    with client(seen) as http:
        first = conn.publish(http, creds, Outgoing("A thread starts 1/2", "k1"))
        reply = Outgoing("and goes on 2/2", "k2", reply_to=first.posted(), root=first.posted())
        assert conn.publish(http, creds, reply).kind == "published"
        media = (MediaFile(photo, "image/jpeg", "A skyline"), MediaFile(gif, "image/gif"))
        assert conn.publish(http, creds, Outgoing("Two images", "k3", media)).kind == "published"
        assert conn.find(http, creds, reply, clock()) is not None
        assert isinstance(conn.refresh(http, creds), Credentials)
    older = FakeX(clock=clock, fields_param="tweet.fields")  # an API still on v2.159
    seen_older = Recorder(older)
    with client(seen_older) as http:
        assert conn.find(http, Credentials(X_BASE, "good-token", made.remote_user),
                         Outgoing("never sent", "k4"), None) is None  # fmt: skip
    assert_fits([seen, seen_older], X_TABLE)


def test_the_x_table_catches_what_the_connector_used_to_send(clock: Any, tmp_path: Path) -> None:
    """The old upload (with media_type) and the old fields name against v2.167 alone."""
    photo = demo_photo(tmp_path / "p.jpg").read_bytes()
    bearer = {"Authorization": "Bearer good-token"}
    seen = Recorder(FakeX(clock=clock))
    with client(seen) as http:
        http.post(
            f"{X_BASE}/2/media/upload",
            headers=bearer,
            files={"media": ("p.jpg", photo, "image/jpeg")},
            data={"media_category": "tweet_image", "media_type": "image/jpeg"},
        )
        http.get(f"{X_BASE}/2/users/1/tweets", headers=bearer, params={"tweet.fields": "text"})
    current = [row for row in X_TABLE if row.source.startswith(XO)]
    wrong = mismatches([seen], current)
    assert any("body field media_type is not allowed" in w for w in wrong), wrong
    assert any("parameter tweet.fields is not allowed" in w for w in wrong), wrong


# ---------------------------------------------------------------------------- LinkedIn

LI = "learn.microsoft.com/linkedin/"
POSTS = LI + "marketing/community-management/shares/posts-api"
LI_REST = fields("authorization", "linkedin-version", "x-restli-protocol-version")
LI_SCOPES = each_of("openid", "profile", "email", "w_member_social", "r_member_social",
                    "w_organization_social", "r_organization_social", sep=" ")  # fmt: skip
LINKEDIN = [
    Row("GET", "/oauth/v2/authorization", LI + "shared/authentication/authorization-code-flow",
        required_params=fields("response_type", "client_id", "redirect_uri", "scope"),
        params=fields("state"),
        values={"response_type": one_of("code"), "scope": LI_SCOPES}),
    Row("POST", "/oauth/v2/accessToken", LI + "shared/authentication/authorization-code-flow",
        "form", required=fields("grant_type", "code", "redirect_uri", "client_id",
                                "client_secret"),
        values={"grant_type": one_of("authorization_code")}),
    Row("POST", "/oauth/v2/accessToken",
        LI + "shared/authentication/programmatic-refresh-tokens", "form",
        required=fields("grant_type", "refresh_token", "client_id", "client_secret"),
        values={"grant_type": one_of("refresh_token")}),
    Row("GET", "/v2/userinfo", LI + "consumer/integrations/self-serve/sign-in-with-linkedin-v2",
        headers=BEARER),
    Row("POST", "/rest/posts", POSTS + " (Create a post; Post schema)", "json", headers=LI_REST,
        required=fields("author", "commentary", "visibility", "distribution.feedDistribution",
                        "lifecycleState"),
        allowed=fields("distribution.targetEntities", "distribution.thirdPartyDistributionChannels",
                       "isReshareDisabledByAuthor", "content.media.id", "content.media.altText",
                       "content.media.title", "content.multiImage.images[].id",
                       "content.multiImage.images[].altText", "contentLandingPage",
                       "contentCallToActionLabel", "container"),
        values={"author": matching(r"urn:li:(person|organization):[^:\s]+"),
                "visibility": one_of("PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"),
                "distribution.feedDistribution": one_of("MAIN_FEED", "NONE"),
                "lifecycleState": one_of("PUBLISHED"),
                "content.multiImage.images#count": between(2, 20),  # multiimage-post-api
                "content.media.id": matching(r"urn:li:image:\S+"),
                "content.multiImage.images[].id": matching(r"urn:li:image:\S+")}),
    Row("GET", "/rest/posts", POSTS + " (Find Posts by Authors)", headers=LI_REST,
        required_params=fields("author", "q"), params=fields("count", "start", "sortBy",
                                                             "viewContext"),
        values={"q": one_of("author"), "count": between(1, 100),
                "sortBy": one_of("LAST_MODIFIED", "CREATED"),
                "author": matching(r"urn:li:(person|organization):[^:\s]+")}),
    Row("POST", "/rest/images", LI + "marketing/community-management/shares/images-api "
        "(Initialize Image Upload)", "json", headers=LI_REST,
        required=fields("initializeUploadRequest.owner"), required_params=fields("action"),
        values={"action": one_of("initializeUpload"),
                "initializeUploadRequest.owner": matching(r"urn:li:(person|organization):\S+")}),
    Row("PUT", UPLOAD_URL, LI + "marketing/community-management/shares/images-api "
        "(Upload the Image: PUT to the uploadUrl given)", "bytes", headers=BEARER),
]  # fmt: skip


def test_linkedin_requests_follow_the_published_contract(clock: Any, tmp_path: Path) -> None:
    photo, gif = images(tmp_path)
    fake = FakeLinkedIn(clock=clock, programmatic_refresh=True)
    seen = Recorder(fake)
    made = linkedin_oauth(
        client(seen), LI_CLIENT_ID, LI_CLIENT_SECRET, api_url=LI_BASE, oauth_url=OAUTH_BASE,
        port=0, open_url=browser(seen), say=lambda _m: None, now=fake.clock,
    )  # fmt: skip
    member = Credentials(LI_BASE, made.token, made.remote_user, made.extra)
    page = Credentials(LI_BASE, "good-token", ORG)
    conn = LinkedInConnector(clock=clock)
    one = (MediaFile(photo, "image/jpeg", "A skyline"),)
    three = (*one, MediaFile(gif, "image/gif"), MediaFile(photo, "image/jpeg"))
    with client(seen) as http:
        assert conn.publish(http, member, Outgoing("Hello #tactful (1)", "k1")).kind == "published"
        assert conn.publish(http, page, Outgoing("One picture", "k2", one)).kind == "published"
        assert conn.publish(http, page, Outgoing("Three", "k3", three)).kind == "published"
        again = conn.publish(http, page, Outgoing("One picture", "k4", one))  # 422, then looks
        assert again.kind == "published"
        renewed = conn.refresh(http, member)
        assert isinstance(renewed, Credentials)
    assert_fits([seen], LINKEDIN)


# ---------------------------------------------------------------------------- Facebook, Instagram

FB = "developers.facebook.com/docs/"
IG = FB + "instagram-platform/instagram-graph-api/reference/"
# The permissions tactful asks for (developers.facebook.com/docs/permissions)
META_SCOPES = each_of(
    "pages_show_list",
    "pages_read_engagement",
    "pages_manage_posts",
    "instagram_basic",
    "instagram_content_publish",
    "business_management",
    "pages_read_user_content",
    "pages_manage_engagement",
    "instagram_manage_comments",
    sep="[ ,]",
)
CONNECT_META = [
    Row("GET", "/{version}/dialog/oauth", FB + "facebook-login/guides/advanced/manual-flow",
        required_params=fields("client_id", "redirect_uri"),
        params=fields("state", "scope", "response_type"),
        values={"response_type": one_of("code"), "scope": META_SCOPES}),
    # grant_type=authorization_code is RFC 6749's; Facebook's guide names the other four.
    Row("POST", "/{version}/oauth/access_token", FB + "facebook-login/guides/advanced/manual-flow "
        "(exchanging code for an access token)", "form",
        required=fields("client_id", "redirect_uri", "client_secret", "code"),
        allowed=fields("grant_type"), values={"grant_type": one_of("authorization_code")}),
    Row("GET", "/{version}/oauth/access_token",
        FB + "facebook-login/guides/access-tokens/get-long-lived",
        required_params=fields("grant_type", "client_id", "client_secret", "fb_exchange_token"),
        values={"grant_type": one_of("fb_exchange_token")}),
    Row("GET", "/{version}/me/accounts", FB + "graph-api/reference/user/accounts",
        headers=BEARER, params=fields("fields", "limit", "after"),
        values={"fields": each_of("id", "name", "access_token", "instagram_business_account",
                                  "category", "tasks")}),
]  # fmt: skip
PAGE_PHOTOS = Row(
    "POST", "/{version}/{page-id}/photos", FB + "graph-api/reference/page/photos#upload",
    "multipart", headers=BEARER, required=fields("source"),
    allowed=fields("message", "published", "alt_text_custom", "temporary"),
    values={"published": one_of("true", "false")},
)  # fmt: skip
FACEBOOK = [
    *CONNECT_META,
    PAGE_PHOTOS,
    Row("POST", "/{version}/{page-id}/feed", FB + "graph-api/reference/page/feed#publish",
        "form", headers=BEARER,
        allowed=fields("message", "attached_media[]", "link", "published",
                       "scheduled_publish_time"),
        values={"attached_media[]": matching(r'\{"media_fbid": "\d+"\}')}),
    Row("GET", "/{version}/{page-id}/posts", FB + "graph-api/reference/page/feed#read",
        headers=BEARER, params=fields("fields", "limit", "since", "until", "after", "before"),
        values={"fields": each_of("id", "message", "created_time", "permalink_url"),
                "limit": between(1, 100)}),
]  # fmt: skip
INSTAGRAM = [
    *CONNECT_META,
    Row("GET", "/{version}/{page-id}", FB + "graph-api/reference/page",
        headers=BEARER, required_params=fields("fields"),
        values={"fields": each_of("instagram_business_account")}),
    Row("GET", "/{version}/{ig-user-id}", IG + "ig-user", headers=BEARER,
        required_params=fields("fields"), values={"fields": each_of("username")}),
    PAGE_PHOTOS,  # the image hosted as an unpublished Page photo, for its public URL
    Row("GET", "/{version}/{photo-id}", FB + "graph-api/reference/photo", headers=BEARER,
        required_params=fields("fields"), values={"fields": each_of("images", "link")}),
    Row("DELETE", "/{version}/{photo-id}", FB + "graph-api/reference/photo#deleting",
        headers=BEARER),
    Row("POST", "/{version}/{ig-user-id}/media", IG + "ig-user/media#creating", "form",
        headers=BEARER, required=fields("image_url"), allowed=fields("caption", "alt_text"),
        values={"caption": size(0, 2200), "image_url": matching(r"https://\S+")}),
    Row("GET", "/{version}/{ig-container-id}", IG + "ig-container", headers=BEARER,
        required_params=fields("fields"), values={"fields": each_of("status_code", "status")}),
    Row("POST", "/{version}/{ig-user-id}/media_publish", IG + "ig-user/media_publish", "form",
        headers=BEARER, required=fields("creation_id")),
    Row("GET", "/{version}/{ig-media-id}", IG + "ig-media", headers=BEARER,
        required_params=fields("fields"), values={"fields": each_of("permalink")}),
    Row("GET", "/{version}/{ig-user-id}/media", IG + "ig-user/media#reading", headers=BEARER,
        params=fields("fields", "limit", "after", "before", "since", "until"),
        values={"fields": each_of("id", "caption", "timestamp", "permalink"),
                "limit": between(1, 100)}),
]  # fmt: skip


def meta(seen: Recorder, fake: FakeGraph, platform: str) -> Credentials:
    made = meta_oauth(
        client(seen), APP_ID, APP_SECRET, platform, graph_url=GRAPH_BASE, dialog_url=DIALOG,
        port=0, open_url=browser(seen), say=lambda _m: None, now=fake.clock,
    )  # fmt: skip
    return Credentials(made.base_url, made.token, made.remote_user, made.extra)


def test_facebook_requests_follow_the_published_contract(clock: Any, tmp_path: Path) -> None:
    photo, _gif = images(tmp_path)
    fake = FakeGraph(clock=clock)
    seen = Recorder(fake)
    creds = meta(seen, fake, "facebook")
    conn = FacebookConnector()
    one = (MediaFile(photo, "image/jpeg", "A loaf"),)
    two = (*one, MediaFile(photo, "image/jpeg"))
    with client(seen) as http:
        assert conn.publish(http, creds, Outgoing("Open at 8", "k1")).kind == "published"
        assert conn.publish(http, creds, Outgoing("A loaf", "k2", one)).kind == "published"
        assert conn.publish(http, creds, Outgoing("Two", "k3", two)).kind == "published"
        assert conn.find(http, creds, Outgoing("Open at 8", "k1"), clock()) is not None
    assert_fits([seen], FACEBOOK)


def test_instagram_requests_follow_the_published_contract(clock: Any, tmp_path: Path) -> None:
    photo, _gif = images(tmp_path)
    fake = FakeGraph(clock=clock)
    seen = Recorder(fake)
    creds = meta(seen, fake, "instagram")
    conn = InstagramConnector(poll_wait=0)
    one = (MediaFile(photo, "image/jpeg", "A loaf"),)
    with client(seen) as http:
        assert conn.publish(http, creds, Outgoing("Sourdough day", "k1", one)).kind == "published"
        assert conn.find(http, creds, Outgoing("Sourdough day", "k1"), None) is not None
    assert_fits([seen], INSTAGRAM)
