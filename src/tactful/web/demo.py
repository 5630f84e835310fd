"""The demo ``tactful serve --demo`` starts on: a fresh SQLite store seeded from ``demo.yml``
with two accounts, contacts with and without tag consent, a photo carrying GPS metadata in
the media library, a finished sample audit, posts in the outbox over the next days, and an
inbox (a threat that says where the user works, a complaint, trolling, a question, praise,
spam) sorted by the one checker as a sync's items are. The accounts are not connected, so
nothing is ever published or answered, and the demo's network client (:func:`offline`)
refuses every request before it leaves the machine. Every run starts from a clean copy."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import AfterValidator, Field

from tactful.core.data import DataModel, Source, Text, WholeNumber
from tactful.core.post import AccountKind, Audience
from tactful.networks.platforms import Platform
from tactful.store import Store
from tactful.store.kinds import ContactKind, Relation

if TYPE_CHECKING:
    from tactful.core.checker import Checker

ACTOR = "demo"


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ValueError, ZoneInfoNotFoundError):
        raise ValueError(f"{value!r} is not a time zone like Europe/London; fix it") from None
    return value


class DemoAccount(DataModel):
    name: Text
    platform: Platform
    kind: AccountKind
    audience: Audience = Audience.PUBLIC
    clients_in_audience: bool = False
    handle: str | None = None


class DemoConsent(DataModel):
    status: Literal["pending", "granted", "refused", "withdrawn"]
    platform: Platform | None = None
    evidence: str | None = None
    reason: str | None = None


class DemoContact(DataModel):
    name: Text
    kind: ContactKind = ContactKind.PERSON
    relation: Relation = Relation.OTHER
    organisation: str | None = None
    handles: dict[Platform, Text] = Field(default_factory=dict)
    consent: tuple[DemoConsent, ...] = ()
    do_not_tag: Text | None = None  # the reason


class DemoPost(DataModel):
    text: Text
    accounts: Annotated[tuple[Text, ...], Field(min_length=1)]
    in_days: WholeNumber
    at: Annotated[str, Field(pattern=r"^\d{1,2}:\d{2}$")]
    zone: Annotated[str, AfterValidator(_zone)]
    thread: bool = False


class DemoAudit(DataModel):
    format: Text
    account: Text
    posts: Annotated[tuple[Text, ...], Field(min_length=1)]


class DemoInboxItem(DataModel):
    """Something someone wrote to a demo account, as a sync would have stored it."""

    account: Text
    kind: Literal["mention", "reply", "quote", "comment"]
    author: Text
    text: Text
    hours_ago: WholeNumber
    replying_to: Text | None = None  # the account's post it answers (the thread above it)
    sorted_as: Literal[
        "threat", "harassment", "hate", "complaint", "trolling", "spam", "question", "praise",
        "other",
    ]  # what the checker sorts it as (tests hold the seeded store to it)  # fmt: skip


class DemoFile(DataModel):
    """``web/demo.yml``: what the demo store is seeded with."""

    accounts: tuple[DemoAccount, ...]
    contacts: tuple[DemoContact, ...] = ()
    schedule: tuple[DemoPost, ...] = ()
    audit: DemoAudit
    inbox: tuple[DemoInboxItem, ...] = ()


@cache
def _demo() -> DemoFile:
    return Source.package("tactful.web", "demo.yml").load(DemoFile)


def _data() -> dict[str, Any]:
    """``demo.yml`` validated, as plain values in the file's own shape (keys as written)."""
    return _demo().model_dump(mode="json", exclude_unset=True)


def inbox_items() -> tuple[DemoInboxItem, ...]:
    """The demo's inbox as ``demo.yml`` writes it."""
    return _demo().inbox


def offline() -> httpx.Client:
    """The demo's network client: every request is refused before it leaves the machine
    (the accounts are never connected, so nothing should ask; this makes sure)."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(
            "the demo never reaches a network: its accounts are made up and not connected",
            request=request,
        )

    return httpx.Client(transport=httpx.MockTransport(refuse))


def demo_photo(path: Path, sky: tuple[int, int, int] = (120, 170, 220)) -> Path:
    """A made-up photo (a drawn skyline) whose EXIF still says where it was taken."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), sky)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 300, 640, 400), fill=(70, 110, 60))
    for i, height in enumerate((120, 200, 160, 240, 140, 180)):
        left = 40 + i * 95
        draw.rectangle((left, 300 - height, left + 70, 300), fill=(60 + 20 * i, 60, 90))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 26.0), 3: "W", 4: (0.0, 7.0, 39.0)})  # central London
    exif[0x010F] = "DemoCam"  # camera make
    image.save(path, "JPEG", exif=exif.tobytes(), quality=88)
    return path


def seed(folder: Path) -> Store:
    """Create ``folder`` anew with a seeded ``demo.db``; returns the open store."""
    from tactful.core.factory import checker_for
    from tactful.store.accounts import add_account
    from tactful.store.consent import record_consent, set_do_not_tag
    from tactful.store.contacts import add_contact

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    data = _data()
    store = Store(str(folder / "demo.db"))
    with store.session() as s:
        for account in data["accounts"]:
            add_account(s, **account)
        for person in data["contacts"]:
            fields = {k: v for k, v in person.items() if k not in ("consent", "do_not_tag")}
            contact = add_contact(s, **fields)
            for entry in person.get("consent", ()):
                record_consent(s, f"#{contact.id}", actor=ACTOR, **entry)
            if person.get("do_not_tag"):
                set_do_not_tag(
                    s, f"#{contact.id}", active=True, reason=person["do_not_tag"], actor=ACTOR
                )
    _seed_media(store, folder)
    checker = checker_for(store)
    _seed_audit(store, folder, data["audit"], checker)
    _seed_schedule(store, data.get("schedule") or (), checker)
    _seed_inbox(store, checker, datetime.now(UTC))
    return store


def _seed_inbox(store: Store, checker: Checker, now: datetime) -> None:
    """Store the demo's inbox as a sync stores what it reads, then sort it through the one
    pipeline (:func:`~tactful.inbox.store.triage_pending`), as a sync does after."""
    from sqlalchemy import select

    from tactful.inbox.items import Incoming, ThreadPost
    from tactful.inbox.store import triage_pending
    from tactful.inbox.sync import store_items
    from tactful.store.models import AccountRow

    with store.session() as s:
        for number, spec in enumerate(inbox_items(), start=1):
            owner = s.scalar(select(AccountRow).where(AccountRow.name == spec.account))
            if owner is None:
                raise ValueError(f"demo.yml: the inbox names no demo account {spec.account!r}")
            parent = thread = None
            if spec.replying_to:
                parent = f"demo-post-{number}"
                thread = (ThreadPost(parent, spec.replying_to, author=owner.handle),)
            written = now - timedelta(hours=spec.hours_ago)
            incoming = Incoming(
                remote_id=f"demo-{number}", kind=spec.kind, text=spec.text,
                author_handle=spec.author, author_id=f"demo-author-{number}",
                created_at=written, parent_id=parent, thread=thread or (),
            )  # fmt: skip
            store_items(s, owner.id, owner.platform, [incoming], now)
    triage_pending(store, checker, now=now)


def _seed_schedule(store: Store, posts: Any, checker: Checker) -> None:
    """Queue the demo's posts ``in_days`` from today at their wall-clock time and zone."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from tactful.publish.outbox import schedule
    from tactful.publish.times import schedule_time

    for spec in posts:
        day = datetime.now(ZoneInfo(spec["zone"])).date() + timedelta(days=spec["in_days"])
        when = schedule_time(f"{day} {spec['at']}", spec["zone"])
        with store.session() as s:
            schedule(
                s,
                checker,
                spec["text"],
                spec["accounts"],
                when,
                actor=ACTOR,
                thread=bool(spec.get("thread")),
            )


def _seed_media(store: Store, folder: Path) -> None:
    from tactful.store.files import files_dir_for, stored_file
    from tactful.store.media import add_media

    work = folder / "incoming"
    work.mkdir(parents=True, exist_ok=True)
    photo = demo_photo(work / "offsite-skyline.jpg")
    with store.session() as s:
        record, _ = add_media(s, photo)
    target = stored_file(files_dir_for(store), record.sha256, record.mime)
    target.parent.mkdir(parents=True, exist_ok=True)
    photo.replace(target)
    shutil.rmtree(work, ignore_errors=True)


def _seed_audit(store: Store, folder: Path, spec: dict[str, Any], checker: Checker) -> None:
    from tactful.archives import ArchiveSource, create
    from tactful.archives.synthetic import write
    from tactful.audit.runner import run_audit
    from tactful.audit.settings import AuditSettings

    work = folder / "sample-export"
    work.mkdir()
    path = write(spec["format"], work, spec["posts"])
    assert checker.store is not None
    account = next(a for a in checker.store.accounts if a.name == spec["account"])
    settings = AuditSettings(**account.context())
    source = ArchiveSource(path)
    try:
        run_audit(store, source, create(spec["format"]), checker, settings, workers=1)
    finally:
        source.close()
    shutil.rmtree(work, ignore_errors=True)
