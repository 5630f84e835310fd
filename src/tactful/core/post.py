"""The input side of the pipeline: a post and everything known about where it goes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from tactful.errors import InputError
from tactful.networks.platforms import Platform


class AccountKind(StrEnum):
    PERSONAL = "personal"
    PROFESSIONAL = "professional"
    BRAND = "brand"


class Audience(StrEnum):
    PUBLIC = "public"
    CONNECTIONS = "connections"
    FRIENDS = "friends"


_E = TypeVar("_E", bound=StrEnum)


def parse_enum(enum: type[_E], value: str | _E, what: str) -> _E:
    if isinstance(value, enum):
        return value
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InputError(f"unknown {what} {value!r}; choose one of: {choices}") from None


@dataclass(frozen=True, slots=True)
class Account:
    """Who is posting and who will see it."""

    kind: AccountKind = AccountKind.PERSONAL
    audience: Audience = Audience.PUBLIC
    clients_in_audience: bool = False
    name: str | None = None
    handle: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """An @mention or tag; ``start``/``end`` point into the post text when it appears there."""

    handle: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Media:
    """An attached image or video, identified by path and/or content hash."""

    path: str | None = None
    sha256: str | None = None
    alt_text: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """Text plus context. Immutable."""

    text: str
    platform: Platform = Platform.GENERIC
    account: Account = field(default_factory=Account)
    mentions: tuple[Mention, ...] = ()
    media: tuple[Media, ...] = ()
    reply_to: str | None = None
    inbound: bool = False
    created_at: datetime | None = None
    source_id: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.reply_to is not None

    @classmethod
    def build(
        cls,
        text: str,
        *,
        platform: str | Platform = Platform.GENERIC,
        account_kind: str | AccountKind = AccountKind.PERSONAL,
        audience: str | Audience = Audience.PUBLIC,
        clients_in_audience: bool = False,
        mentions: Sequence[str | Mention] = (),
        media: Sequence[str | Media] = (),
        reply_to: str | None = None,
        inbound: bool = False,
        created_at: datetime | None = None,
        source_id: str | None = None,
        account_name: str | None = None,
    ) -> Post:
        """Build a post from loose values (strings from a CLI, JSON or an API), validating each."""
        if not isinstance(text, str):
            raise InputError(f"post text must be a string, got {type(text).__name__}")
        account = Account(
            kind=parse_enum(AccountKind, account_kind, "account kind"),
            audience=parse_enum(Audience, audience, "audience"),
            clients_in_audience=bool(clients_in_audience),
            name=account_name,
        )
        return cls(
            text=text,
            platform=parse_enum(Platform, platform, "platform"),
            account=account,
            mentions=tuple(m if isinstance(m, Mention) else Mention(str(m)) for m in mentions),
            media=tuple(m if isinstance(m, Media) else Media(path=str(m)) for m in media),
            reply_to=reply_to,
            inbound=bool(inbound),
            created_at=created_at,
            source_id=source_id,
        )

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Post:
        """Build a post from a JSON object (``scan`` input, HTTP API body); strict about types."""
        return _post_from_mapping(data)


def _flag(data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if isinstance(value, bool) or value is None:
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InputError(f"{key} must be true or false, got {value!r}")


def _string_list(data: Mapping[str, Any], key: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(f"{key} must be a list of strings, got {value!r}")
    return value


def _optional_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"{key} must be a string, got {value!r}")


def _choice(data: Mapping[str, Any], key: str, default: str) -> str:
    value = data.get(key)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise InputError(f"{key} must be a string, got {value!r}")
    return value


def _post_from_mapping(data: Mapping[str, Any]) -> Post:
    if "text" not in data:
        raise InputError("missing field 'text'")
    if not isinstance(data["text"], str):
        raise InputError(f"text must be a string, got {type(data['text']).__name__}")
    created = data.get("created_at")
    created_at = None
    if created:
        try:
            created_at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"created_at {created!r} is not an ISO 8601 date-time") from None
    return Post.build(
        data["text"],
        platform=_choice(data, "platform", Platform.GENERIC.value),
        account_kind=_choice(data, "account_kind", AccountKind.PERSONAL.value),
        audience=_choice(data, "audience", Audience.PUBLIC.value),
        clients_in_audience=_flag(data, "clients_in_audience"),
        mentions=_string_list(data, "mentions"),
        media=_string_list(data, "media"),
        reply_to=_optional_str(data, "reply_to"),
        inbound=_flag(data, "inbound"),
        created_at=created_at,
        source_id=_optional_str(data, "id"),
        account_name=_optional_str(data, "account_name"),
    )
