"""Accounts: where posts go (platform, handle, kind, audience, clients in the audience) and
each account's own policy overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.core.post import Account, AccountKind, Audience, Post, parse_enum
from tactful.errors import InputError
from tactful.networks.platforms import Platform
from tactful.store.fields import text
from tactful.store.models import AccountEventRow, AccountRow, utcnow


@dataclass(frozen=True, slots=True)
class AccountRecord:
    name: str
    platform: Platform
    kind: AccountKind
    audience: Audience
    clients_in_audience: bool
    handle: str | None = None
    policy: Mapping[str, Any] | None = None

    def to_account(self) -> Account:
        return Account(
            kind=self.kind,
            audience=self.audience,
            clients_in_audience=self.clients_in_audience,
            name=self.name,
            handle=self.handle,
        )

    def context(self) -> dict[str, Any]:
        """What a post on this account is checked as: the keyword arguments of
        ``Post.build`` (and the fields of an audit's settings) that an account decides."""
        return {
            "platform": self.platform.value,
            "account_kind": self.kind.value,
            "audience": self.audience.value,
            "clients_in_audience": self.clients_in_audience,
            "account_name": self.name,
        }

    def post(self, text_: str, **given: Any) -> Post:
        """A post on this account: :func:`on_account` applied to ``given``."""
        return Post.build(text_, **on_account(self, given))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "platform": self.platform.value,
            "handle": self.handle,
            "kind": self.kind.value,
            "audience": self.audience.value,
            "clients_in_audience": self.clients_in_audience,
            "policy": dict(self.policy) if self.policy else None,
        }


def on_account(account: AccountRecord | None, given: Mapping[str, Any]) -> dict[str, Any]:
    """The one precedence rule for a post on a stored account, used by every surface: what
    the user gave explicitly (``given``; None means "not given") wins over what the account
    records, which wins over the defaults. The keyword arguments of ``Post.build``."""
    context = account.context() if account is not None else {}
    context.update({k: v for k, v in given.items() if v is not None})
    if account is not None:
        context["account_name"] = account.name
    return context


def _record(row: AccountRow) -> AccountRecord:
    return AccountRecord(
        name=row.name,
        platform=Platform(row.platform),
        kind=AccountKind(row.kind),
        audience=Audience(row.audience),
        clients_in_audience=row.clients_in_audience,
        handle=row.handle,
        policy=row.policy,
    )


def validate_policy(policy: Any, name: str) -> dict[str, Any] | None:
    """Check per-account overrides with the same parser as policy files (fails early, here,
    rather than at the next check)."""
    if policy is None:
        return None
    from tactful.core.policy import parse_layer
    from tactful.core.ruleset import default_ruleset

    if not isinstance(policy, Mapping):
        raise InputError(f"account {name!r}: policy must be a mapping like {{rules: {{...}}}}")
    parse_layer(dict(policy), f"account:{name}", default_ruleset())
    return dict(policy)


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise InputError("an account name is 1 to 80 characters, e.g. 'acme-linkedin'")
    return name


def _row(session: Session, name: str) -> AccountRow:
    row = session.scalar(select(AccountRow).where(AccountRow.name == name))
    if row is None:
        known = ", ".join(session.scalars(select(AccountRow.name).order_by(AccountRow.name)))
        hint = f"; known accounts: {known}" if known else "; add one with 'tactful accounts add'"
        raise InputError(f"no account named {name!r}{hint}")
    return row


def add_account(
    session: Session,
    name: str,
    *,
    platform: str,
    kind: str,
    audience: str = "public",
    clients_in_audience: bool = False,
    handle: str | None = None,
    policy: Mapping[str, Any] | None = None,
) -> AccountRecord:
    name = _name(name)
    if session.scalar(select(AccountRow.id).where(AccountRow.name == name)) is not None:
        raise InputError(f"an account named {name!r} exists; edit it or choose another name")
    row = AccountRow(
        name=name,
        platform=parse_enum(Platform, platform, "platform").value,
        kind=parse_enum(AccountKind, kind, "account kind").value,
        audience=parse_enum(Audience, audience, "audience").value,
        clients_in_audience=bool(clients_in_audience),
        handle=text((handle or "").strip().lstrip("@"), "handle", 200),
        policy=validate_policy(policy, name),
    )
    session.add(row)
    session.flush()
    return _record(row)


def get_account(session: Session, name: str) -> AccountRecord:
    return _record(_row(session, name))


def list_accounts(session: Session) -> list[AccountRecord]:
    return [_record(r) for r in session.scalars(select(AccountRow).order_by(AccountRow.name))]


EDITABLE = ("platform", "kind", "audience", "clients_in_audience", "handle", "policy", "new_name")


WATCHED = ("kind", "audience", "clients_in_audience")  # who sees the account: kept in history


def edit_account(
    session: Session,
    name: str,
    *,
    actor: str | None = None,
    reason: str | None = None,
    **changes: Any,
) -> AccountRecord:
    """Change an account; a change to who sees it is recorded in its history."""
    row = _row(session, name)
    before = {k: getattr(row, k) for k in WATCHED}
    for key, value in changes.items():
        if value is None:
            continue
        if key == "platform":
            row.platform = parse_enum(Platform, value, "platform").value
        elif key == "kind":
            row.kind = parse_enum(AccountKind, value, "account kind").value
        elif key == "audience":
            row.audience = parse_enum(Audience, value, "audience").value
        elif key == "clients_in_audience":
            row.clients_in_audience = bool(value)
        elif key == "handle":
            row.handle = text(str(value).strip().lstrip("@"), "handle", 200)
        elif key == "policy":
            row.policy = validate_policy(value, row.name)
        elif key == "new_name":
            new = _name(value)
            if new != row.name and session.scalar(
                select(AccountRow.id).where(AccountRow.name == new)
            ):
                raise InputError(f"an account named {new!r} exists")
            row.name = new
        else:
            raise InputError(f"cannot edit {key!r}; editable: {', '.join(EDITABLE)}")
    moved = [
        f"{k}: {before[k]} -> {getattr(row, k)}" for k in WATCHED if before[k] != getattr(row, k)
    ]
    if moved:
        from tactful.store.location import current_actor

        session.add(
            AccountEventRow(
                account_id=row.id,
                change="; ".join(moved),
                reason=text(reason, "reason", 10_000),
                actor=text(actor, "--by", 120) or current_actor(),
                created_at=utcnow(),
            )
        )
    session.flush()
    return _record(row)


@dataclass(frozen=True, slots=True)
class AccountEvent:
    change: str
    reason: str | None
    actor: str
    at: datetime


def account_history(session: Session, name: str) -> list[AccountEvent]:
    row = _row(session, name)
    rows = session.scalars(
        select(AccountEventRow)
        .where(AccountEventRow.account_id == row.id)
        .order_by(AccountEventRow.id)
    )
    return [AccountEvent(r.change, r.reason, r.actor, r.created_at) for r in rows]


def remove_account(session: Session, name: str, *, purge: bool = False) -> None:
    """Remove an account. One with audience history is kept unless ``purge``."""
    from tactful.store.db import delete_with_history

    row = _row(session, name)
    events = list(
        session.scalars(select(AccountEventRow).where(AccountEventRow.account_id == row.id))
    )
    delete_with_history(
        session,
        row,
        events,
        purge=purge,
        refusal=f"account {name!r} has a history of audience changes, which is never deleted "
        "quietly; add --purge to delete the account and its history",
    )
