"""Tables of the store (SQLAlchemy 2 declarative). Alembic migrations create them; see
``migrations/versions``. A test compares these models with the migrated schema.

The consent ledger, the do-not-tag list and media rights are append-only: a change is a new
row with who, when and why, and the current state is the newest row. :mod:`tactful.store.db`
refuses updates and deletes of those rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone; PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(20))
    clients_in_audience: Mapped[bool] = mapped_column(Boolean, default=False)
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AccountEventRow(Base):
    """A change to who sees an account (kind, audience, clients in it), with who and why."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    change: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PolicyEventRow(Base):
    """The organisation's policy, one row per change: the layer every check uses (between the
    built-in policies and an account's own overrides), who set it and why. The newest row is
    in force; a row with no policy clears it. Rows are never edited or deleted."""

    __tablename__ = "policy_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    policy: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(Text)  # the file it was read from, if any
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ContactRow(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # person | organisation
    relation: Mapped[str] = mapped_column(String(30))
    organisation: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    notes: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    handles: Mapped[list[HandleRow]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="HandleRow.id"
    )


class HandleRow(Base):
    __tablename__ = "contact_handles"
    __table_args__ = (UniqueConstraint("platform", "handle", name="uq_contact_handles_platform"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(20))
    handle: Mapped[str] = mapped_column(String(200))

    contact: Mapped[ContactRow] = relationship(back_populates="handles")


class ConsentEventRow(Base):
    """One entry of the tag-consent ledger; ``platform`` None means every platform."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="RESTRICT"), index=True
    )
    platform: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # pending | granted | refused | withdrawn
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evidence: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DoNotTagEventRow(Base):
    """An organisation put on (``active``) or taken off the do-not-tag list, and why."""

    __tablename__ = "do_not_tag_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MediaRow(Base):
    """A file in the media library, identified by the sha256 of its bytes."""

    __tablename__ = "media"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(500))
    mime: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    faces: Mapped[int] = mapped_column(Integer, default=0)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    metadata_fields: Mapped[list[str] | None] = mapped_column(JSON)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RightsEventRow(Base):
    """The recorded right to use a media file: own work, a licence, written permission."""

    __tablename__ = "media_rights"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"), index=True)
    basis: Mapped[str] = mapped_column(String(20))  # own | licence | permission | unknown
    licence_name: Mapped[str | None] = mapped_column(String(200))
    licence_url: Mapped[str | None] = mapped_column(String(500))
    attribution: Mapped[str | None] = mapped_column(String(500))
    permission_from: Mapped[str | None] = mapped_column(String(200))
    evidence: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReleaseRow(Base):
    """A release (consent to be shown) from one person who appears in a media file."""

    __tablename__ = "media_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"), index=True)
    person: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    evidence: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditRunRow(Base):
    """One audit of an export: what was read, with which context and filters, how far."""

    __tablename__ = "audit_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text, index=True)
    options: Mapped[str] = mapped_column(String(64))  # hash of context and filters
    format: Mapped[str] = mapped_column(String(30))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # running | interrupted | done | failed
    items_done: Mapped[int] = mapped_column(Integer, default=0)
    posts: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)  # skipped and unreadable, by reason
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditResultRow(Base):
    """One checked post of an audit run; the full report is kept for flagged posts."""

    __tablename__ = "audit_results"
    __table_args__ = (UniqueConstraint("run_id", "seq", name="uq_audit_results_run_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("audit_runs.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    source_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str | None] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(10))
    risk: Mapped[float] = mapped_column(Float, default=0.0)
    categories: Mapped[str] = mapped_column(Text, default="")  # comma-separated rule ids
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class CredentialRow(Base):
    """How tactful reaches an account's network: the server (a Mastodon instance, a PDS) and
    the tokens, encrypted with the key in the user's data folder (never stored in clear)."""

    __tablename__ = "account_credentials"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    base_url: Mapped[str | None] = mapped_column(Text)
    remote_user: Mapped[str | None] = mapped_column(Text)  # the network's id for the account
    secret: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted JSON: tokens and client
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the account's own server accepts (a Mastodon instance's characters and media),
    # read when it was connected; None: the network's defaults (publish/networks.yml).
    limits: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class OutboxPostRow(Base):
    """A post to publish: its text and media, the wall-clock time and zone it was scheduled
    in (and that instant in UTC), and the check it passed or the override that let it by."""

    __tablename__ = "outbox_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[str]] = mapped_column(JSON, default=list)  # sha256 of library media
    local_time: Mapped[str | None] = mapped_column(String(32))  # as chosen: 2026-03-29T09:30
    zone: Mapped[str | None] = mapped_column(String(64))  # IANA name
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: a draft
    verdict: Mapped[str | None] = mapped_column(String(10))  # at the last check
    override_by: Mapped[str | None] = mapped_column(String(120))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_rules: Mapped[list[str]] = mapped_column(JSON, default=list)  # blocks let by
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    deliveries: Mapped[list[DeliveryRow]] = relationship(
        back_populates="post", order_by="DeliveryRow.id"
    )


class DeliveryRow(Base):
    """One post to one account: its state, the claim a worker holds on it, and what the
    network answered. The idempotency key is made once and sent with every attempt."""

    __tablename__ = "outbox_deliveries"
    __table_args__ = (UniqueConstraint("post_id", "account_id", name="uq_outbox_deliveries_post"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("outbox_posts.id", ondelete="RESTRICT"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    remote_id: Mapped[str | None] = mapped_column(Text)
    remote_url: Mapped[str | None] = mapped_column(Text)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A thread: the texts of its parts (None: the post's text, one part) and the parts
    # already out, as Posted dicts {remote_id, url, ref}, in order.
    parts: Mapped[list[str] | None] = mapped_column(JSON)
    posted: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    post: Mapped[OutboxPostRow] = relationship(back_populates="deliveries")


class AttemptRow(Base):
    """One step of publishing a delivery, written before the request goes out and completed
    after: the log that lets a restarted worker reconcile instead of retrying blindly."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_deliveries.id", ondelete="RESTRICT"), index=True
    )
    worker: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))  # publish | reconcile | check | refresh
    part: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # in a thread
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(20))  # None while in flight
    http_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeRow(Base):
    """Something the user must act on that no single post shows: a token that could not be
    refreshed before a scheduled post. One open notice per account and kind."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FeedbackRow(Base):
    """A user's "this finding is wrong" for one account: the rule, the words it pointed at,
    the post, who said so, when and why. Later checks of that account hide the same finding
    on the same words (``scope`` "words") or the rule altogether (``scope`` "rule"); the rows
    are also the labelled examples ``tactful feedback export`` writes for training. Removing
    the feedback deletes the row, post text included; removing the account removes its rows."""

    __tablename__ = "finding_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    rule_id: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(10))  # words | rule
    words: Mapped[str] = mapped_column(Text)  # what the finding pointed at, as written
    text: Mapped[str] = mapped_column(Text)  # the post, kept here only
    context: Mapped[dict[str, Any]] = mapped_column(JSON)  # platform, kind, audience, clients
    severity: Mapped[str] = mapped_column(String(10))  # the finding's, when it was marked
    detector: Mapped[str] = mapped_column(String(40))
    exact: Mapped[bool] = mapped_column(Boolean, default=False)  # exact evidence, confirmed
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InboxItemRow(Base):
    """Something another person wrote to one of the user's accounts (a mention, a reply, a
    quote, a comment), as the network served it. ``text`` is kept as first read (evidence
    never changes); ``triage`` holds what the checker found and the class it was sorted into.
    One row per account and network item id: a sync run again updates nothing twice."""

    __tablename__ = "inbox_items"
    __table_args__ = (
        UniqueConstraint("account_id", "network", "remote_id", name="uq_inbox_items_remote"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    network: Mapped[str] = mapped_column(String(20))
    remote_id: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))  # mention | reply | quote | comment
    author_handle: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(Text)  # what it answers, on the network
    # The posts above it, oldest first: [{id, author, text, url, created_at}]
    thread: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # on the network
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Over the size limits (inbox/limits.yml): kept, cut to the limit, and marked.
    oversize: Mapped[bool] = mapped_column(Boolean, default=False)
    original_chars: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(20), index=True)  # None: not triaged
    rank: Mapped[int | None] = mapped_column(Integer)  # lower first
    whereabouts: Mapped[bool] = mapped_column(Boolean, default=False)
    triage: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str | None] = mapped_column(String(120))


class InboxCursorRow(Base):
    """How far an account's inbox has been read. ``since`` is the newest item of the last
    sync that finished; a sync under way keeps the page to go on from (``resume``) and the
    newest item it has seen (``top``), written with the items of each page in one commit,
    so a sync cut short anywhere goes on where it stopped."""

    __tablename__ = "inbox_cursors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), unique=True
    )
    since: Mapped[str | None] = mapped_column(Text)
    resume: Mapped[str | None] = mapped_column(Text)
    top: Mapped[str | None] = mapped_column(Text)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last finished sync
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class InboxActionRow(Base):
    """What the user did about an inbox item through the network (reply, hide, mute, block,
    report), with who and when; ``outcome`` says how it went (``sending`` until the network
    answers; one a stopped process left is settled by :mod:`tactful.inbox.settle`). An undo
    is recorded on the row it undoes (``undone_at``, ``undone_by``). A reply keeps what the
    checker found and, when blocking findings were let by, who let them by (``actor``), why
    and which rules."""

    __tablename__ = "inbox_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_items.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))  # reply | hide | mute | block | report
    # sending | done | link | failed | unknown | retried (tried again as another action);
    # undoing while an undo is out (undone_at: since when)
    outcome: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(120))
    acted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str | None] = mapped_column(Text)  # the reply, the report's reason
    remote_id: Mapped[str | None] = mapped_column(Text)  # the reply, the block record
    url: Mapped[str | None] = mapped_column(Text)  # the reply, or the report form
    detail: Mapped[str | None] = mapped_column(Text)  # what the network said
    checked: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_rules: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(120))


APPEND_ONLY: tuple[type[Base], ...] = (
    AccountEventRow,
    ConsentEventRow,
    DoNotTagEventRow,
    RightsEventRow,
    ReleaseRow,
)
