"""Request bodies of the HTTP API (responses use the report's own documented JSON shape)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path, Query
from pydantic import BaseModel, Field

Platform = Literal["linkedin", "x", "facebook", "instagram", "mastodon", "bluesky", "generic"]
Kind = Literal["personal", "professional", "brand"]
Audience = Literal["public", "connections", "friends"]
# Ids and offsets within what every database's integers hold.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


class PostIn(BaseModel):
    text: str = Field(max_length=100_000, description="The post, as written.")
    platform: Platform | None = None
    account: str | None = Field(None, description="A stored account's name (its context).")
    account_kind: Kind = "personal"
    audience: Audience = "public"
    clients_in_audience: bool = False
    mentions: list[str] = Field(default_factory=list, max_length=50)
    media: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] = Field(
        default_factory=list, max_length=20, description="Media library ids of attached images."
    )
    reply_to: str | None = None
    inbound: bool = False
    id: str | None = None

    def context(self) -> dict[str, Any]:
        return {
            "platform": self.platform or "generic",
            "account_kind": self.account_kind,
            "audience": self.audience,
            "clients_in_audience": self.clients_in_audience,
            "mentions": self.mentions,
            "reply_to": self.reply_to,
            "inbound": self.inbound,
            "source_id": self.id,
        }

    def given(self) -> set[str]:
        """The keys of :meth:`context` this request set explicitly (the rest are defaults,
        which a stored account's own settings replace)."""
        names = {"id": "source_id"}
        return {names.get(f, f) for f in self.model_fields_set}


class ScanIn(BaseModel):
    posts: list[PostIn] = Field(max_length=1000)


class AccountIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    platform: Platform
    kind: Kind
    audience: Audience = "public"
    clients_in_audience: bool = False
    handle: str | None = Field(None, max_length=200)
    policy: dict[str, Any] | None = None


class AccountPatch(BaseModel):
    platform: Platform | None = None
    kind: Kind | None = None
    audience: Audience | None = None
    clients_in_audience: bool | None = None
    handle: str | None = Field(None, max_length=200)
    reason: str | None = Field(None, max_length=2000)


Relation = Literal[
    "client",
    "prospect",
    "colleague",
    "employer",
    "former_employer",
    "partner",
    "supplier",
    "friend",
    "family",
    "competitor",
    "press",
    "connection",
    "other",
]


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["person", "organisation"] = "person"
    relation: Relation = "other"
    handles: dict[str, str] = Field(default_factory=dict, description="platform -> @handle")
    organisation: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=320)


class ConsentIn(BaseModel):
    status: Literal["pending", "granted", "refused", "withdrawn"]
    platform: Platform | None = None
    expires_at: datetime | None = None
    evidence: str | None = Field(None, max_length=10_000)
    reason: str | None = Field(None, max_length=10_000)


class AskIn(BaseModel):
    platform: Platform
    about: str | None = Field(None, max_length=500)
    sign: str | None = Field(None, max_length=120)
    again: bool = False


class RightsIn(BaseModel):
    basis: Literal["own", "licence", "permission", "unknown"]
    licence_name: str | None = Field(None, max_length=200)
    licence_url: str | None = Field(None, max_length=500)
    attribution: str | None = Field(None, max_length=500)
    permission_from: str | None = Field(None, max_length=200)
    evidence: str | None = Field(None, max_length=10_000)

    def details(self) -> dict[str, str | None]:
        return self.model_dump(exclude={"basis"})


class ReleaseIn(BaseModel):
    person: str = Field(min_length=1, max_length=200)
    evidence: str | None = Field(None, max_length=10_000)
    contact_id: int | None = Field(None, ge=1, le=2_147_483_647)


class PolicyIn(BaseModel):
    rules: dict[str, str] = Field(
        default_factory=dict,
        description="rule id or family -> off, on, block, warn or info",
        max_length=500,
    )


class SignIn(BaseModel):
    token: str = Field(max_length=200)
