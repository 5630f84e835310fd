"""The outbox over HTTP: schedule a post to accounts at a wall-clock time in a time zone,
edit, cancel or retry it, follow every attempt, and see what the worker inside the server is
doing. The same functions as ``tactful schedule``, with the same gate and messages: a post
the gate stops is kept as a draft and the answer says why (that is not an error)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from tactful.errors import InputError
from tactful.web.schemas import Offset, RowId
from tactful.web.state import app_state

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from tactful.publish.outbox import OutboxView, Scheduled
    from tactful.publish.times import WallTime
    from tactful.web.state import AppState

router = APIRouter(prefix="/api/schedule", tags=["schedule"])

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="A library image's SHA-256.")]
AccountName = Annotated[str, Field(min_length=1, max_length=80)]
LocalTime = Annotated[
    str,
    Field(
        max_length=32,
        description="The wall-clock time in `zone`, without an offset: `2026-12-01 09:30`.",
        examples=["2026-12-01 09:30"],
    ),
]
Zone = Annotated[
    str,
    Field(
        max_length=64,
        description="An IANA time zone (default: this machine's).",
        examples=["Europe/London"],
    ),
]
Occurrence = Annotated[
    Literal["first", "second"],
    Field(description="For a time that happens twice (the clocks go back): which one."),
]
Override = Annotated[
    str,
    Field(
        max_length=2000,
        description="Publish despite blocking findings: why (recorded with who let it by).",
    ),
]


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=100_000, description="The post, as written.")
    accounts: list[AccountName] = Field(min_length=1, max_length=50)
    local_time: LocalTime | None = Field(None, description="Left out: kept as a draft.")
    zone: Zone | None = None
    occurrence: Occurrence | None = None
    media: list[Sha256] = Field(default_factory=list, max_length=20)
    thread: bool = Field(
        False, description="Too long for one post: split it into a numbered thread."
    )
    override: Override | None = None


class SchedulePatch(BaseModel):
    """What is left out stays as it is."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, max_length=100_000)
    local_time: LocalTime | None = None
    zone: Zone | None = Field(None, description="The zone of `local_time` (default: the post's).")
    occurrence: Occurrence | None = None
    draft: bool = Field(False, description="Take it off the schedule (keep it as a draft).")
    media: list[Sha256] | None = Field(None, max_length=20, description="[]: no images.")
    thread: bool | None = None
    override: Override | None = None


class ProblemOut(BaseModel):
    account: str
    rule_id: str = Field(description="A checker rule, or publish.* for what the network refuses.")
    message: str


class AttemptOut(BaseModel):
    action: str = Field(description="publish, reconcile, check or refresh")
    part: int = Field(description="1-based, in a thread")
    started_at: datetime
    outcome: str | None = Field(description="null: no answer recorded (in flight)")
    http_status: int | None
    detail: str | None


class DeliveryOut(BaseModel):
    account: str
    platform: str
    connected: bool = Field(description="False: never connected, so nothing goes out")
    state: str = Field(
        description="draft, scheduled, claimed, publishing, published, needs_attention, "
        "failed or cancelled"
    )
    attempts: int
    remote_url: str | None
    last_error: str | None
    parts: list[str] = Field(description="A thread's parts (empty: one post)")
    posted: int = Field(description="How many parts are out")
    log: list[AttemptOut] = Field(description="Every attempt (only on GET /api/schedule/{id})")


class PostOut(BaseModel):
    id: int
    text: str
    local_time: str | None = Field(
        description="When it goes out on the zone's clock: 2026-12-01T09:30 (null: a draft); "
        "a time the clocks skip is moved to when it really goes out"
    )
    zone: str | None
    scheduled_at: datetime | None = Field(description="That instant in UTC")
    media: list[str] = Field(description="SHA-256 of the attached library images")
    thread: bool = Field(description="Goes out as a thread on at least one account")
    override_by: str | None
    override_reason: str | None
    deliveries: list[DeliveryOut]


class ScheduledOut(BaseModel):
    id: int
    state: Literal["scheduled", "draft"]
    message: str = Field(description="One line, as tactful schedule says it")
    problems: list[ProblemOut] = Field(description="What keeps it a draft")
    overridable: bool = Field(description="An override reason would let it by")
    note: str | None = Field(description="Said when the time had to move (a DST gap)")
    warnings: list[str] = Field(
        description="What lets it be queued but not go out (an account never connected)"
    )
    parts: int = Field(description="The most parts any account's thread has")
    post: PostOut


class PostPage(BaseModel):
    items: list[PostOut]
    total: int
    offset: int
    limit: int


class CancelOut(BaseModel):
    id: int
    cancelled: int = Field(description="Deliveries cancelled")
    post: PostOut


class RetryOut(BaseModel):
    id: int
    queued: int = Field(description="Deliveries queued again")
    post: PostOut


class NoticeOut(BaseModel):
    id: int
    account: str | None
    kind: str
    message: str
    created_at: datetime


class TallyOut(BaseModel):
    published: int = 0
    retried: int = 0
    unknown: int = 0
    attention: int = 0
    reconciled: int = 0
    lost_claims: int = 0
    refreshed: int = 0
    by_outcome: dict[str, int] = Field(default_factory=dict)


class WorkerOut(BaseModel):
    running: bool = Field(description="false: this server does not publish (--no-worker)")
    interval_s: float | None
    started_at: datetime | None
    last_run_at: datetime | None
    last_error: str | None = Field(description="The last run's failure, if one failed")
    last_error_at: datetime | None
    runs: int
    handled: int = Field(description="Deliveries handled since the server started")
    tally: TallyOut


# ---------------------------------------------------------------------------- helpers


def _ref(post_id: int) -> str:
    return f"#{post_id}"


def _zone(name: str | None, fallback: str | None = None) -> str:
    """The zone to read a time in: the one given, else ``fallback``, else this machine's."""
    from tactful.publish.times import zone

    chosen = name or fallback
    if not chosen:
        import tzlocal

        chosen = str(tzlocal.get_localzone_name() or "UTC")
    try:
        zone(chosen)
    except OSError:  # a folder of the zone database ("America"), or no such file at all
        raise InputError(
            f"unknown time zone {chosen!r}; use an IANA name such as Europe/London or "
            "America/New_York"
        ) from None
    return chosen


def _when(local_time: str, zone_name: str, occurrence: str | None) -> WallTime:
    from tactful.publish.times import schedule_time

    try:
        return schedule_time(local_time, zone_name, occurrence=occurrence)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by the zone's offset
        raise InputError(
            f"{local_time!r} is out of range; write it like 2026-03-29 09:30"
        ) from None


def _media(state: AppState, hashes: list[str]) -> list[str]:
    """Library images by hash, each with a copy where the worker will look for it."""
    from sqlalchemy import select

    from tactful.store.files import files_dir_for, keep_copy, stored_file
    from tactful.store.models import MediaRow

    wanted = list(dict.fromkeys(hashes))
    if not wanted:
        return []
    with state.store.session() as s:
        rows = {
            r.sha256: (r.filename, r.mime)
            for r in s.scalars(select(MediaRow).where(MediaRow.sha256.in_(wanted)))
        }
    worker_dir = files_dir_for(state.store)
    for sha in wanted:
        if sha not in rows:
            raise InputError(
                f"no image {sha[:12]} in the media library; upload it first (POST /api/media)"
            )
        filename, mime = rows[sha]
        if stored_file(worker_dir, sha, mime).exists():
            continue
        uploaded = stored_file(state.files_dir, sha, mime)
        if not uploaded.exists():
            raise InputError(
                f"the file of {filename} is not kept here (it was added from the command line); "
                "upload it on the media page, or schedule it with tactful schedule add --media"
            )
        keep_copy(worker_dir, uploaded, sha, mime)
    return wanted


def _post_out(view: OutboxView) -> PostOut:
    return PostOut(
        id=view.id,
        text=view.text,
        local_time=view.local_time,
        zone=view.zone,
        scheduled_at=view.scheduled_at,
        media=list(view.media),
        thread=any(d.parts for d in view.deliveries),
        override_by=view.override_by,
        override_reason=view.override_reason,
        deliveries=[
            DeliveryOut(
                account=d.account,
                platform=d.platform,
                connected=d.connected,
                state=d.state,
                attempts=d.attempts,
                remote_url=d.remote_url,
                last_error=d.last_error,
                parts=list(d.parts),
                posted=d.posted,
                log=[AttemptOut(**a.to_dict()) for a in d.log],
            )
            for d in view.deliveries
        ],
    )


def _one(s: Session, post_id: int) -> PostOut:
    from tactful.publish.outbox import get_post

    return _post_out(get_post(s, _ref(post_id)))


def _message(done: Scheduled, post: PostOut) -> str:
    """What ``tactful schedule add`` prints, in one line."""
    if done.state == "scheduled" and post.local_time and post.scheduled_at:
        thread = f" as a thread of {done.parts} posts" if done.parts > 1 else ""
        local = post.local_time.replace("T", " ")
        return (
            f"scheduled #{done.post_id}{thread} for {local} {post.zone} "
            f"({post.scheduled_at:%Y-%m-%d %H:%M} UTC)"
        )
    if not done.problems:
        return f"kept as draft #{done.post_id} (no time): give it a time to schedule it"
    return f"kept as draft #{done.post_id}: it does not go out until this is fixed"


def _answer(s: Session, done: Scheduled) -> ScheduledOut:
    post = _one(s, done.post_id)
    return ScheduledOut(
        id=done.post_id,
        state="scheduled" if done.state == "scheduled" else "draft",
        message=_message(done, post),
        problems=[
            ProblemOut(account=p.account, rule_id=p.rule_id, message=p.message)
            for p in done.problems
        ],
        overridable=any(not p.rule_id.startswith("publish.") for p in done.problems),
        note=done.note,
        warnings=list(done.warnings),
        parts=done.parts,
        post=post,
    )


# ---------------------------------------------------------------------------- routes
# The fixed paths come before /{post_id}.


@router.get("/notices", summary="What you must act on (a token the network would not renew)")
def notices(request: Request) -> list[NoticeOut]:
    from tactful.publish.outbox import open_notices

    with app_state(request).store.session() as s:
        return [
            NoticeOut(
                id=n.id, account=n.account, kind=n.kind, message=n.message, created_at=n.created_at
            )
            for n in open_notices(s)
        ]


@router.get("/worker", summary="The worker inside this server: running, last run, tally")
def worker_status(request: Request) -> WorkerOut:
    worker = app_state(request).worker
    if worker is None:
        return WorkerOut(
            running=False,
            interval_s=None,
            started_at=None,
            last_run_at=None,
            last_error=None,
            last_error_at=None,
            runs=0,
            handled=0,
            tally=TallyOut(),
        )
    return WorkerOut.model_validate(worker.status())


@router.get("", summary="The queue, soonest first (drafts last; paginated)")
def queue(
    request: Request,
    show_all: bool = Query(
        False, alias="all", description="Include what has been published or cancelled."
    ),
    offset: Offset = 0,
    limit: int = Query(200, ge=1, le=1000),
) -> PostPage:
    from tactful.publish.outbox import list_posts

    with app_state(request).store.session() as s:
        views = list_posts(s, include_done=show_all)
        items = [_post_out(v) for v in views[offset : offset + limit]]
    return PostPage(items=items, total=len(views), offset=offset, limit=limit)


@router.post(
    "",
    status_code=201,
    summary="Schedule a post (checked now; one the gate stops is kept as a draft, with why)",
)
def create(body: ScheduleIn, request: Request) -> ScheduledOut:
    """The post is kept either way (201): ``state`` is ``scheduled``, or ``draft`` with the
    ``problems`` that stop it. Where ``overridable``, send it again with an ``override``
    reason (PATCH the draft) to let the blocking findings by; what the network cannot take
    (``publish.*``) needs the post changed."""
    from tactful.publish.outbox import schedule

    state = app_state(request)
    when = None
    if body.local_time is not None:
        when = _when(body.local_time, _zone(body.zone), body.occurrence)
    hashes = _media(state, body.media)
    with state.store.session() as s:
        done = schedule(
            s,
            state.checker(),
            body.text,
            body.accounts,
            when,
            actor=state.actor,
            media=hashes,
            override=body.override,
            thread=body.thread,
        )
        return _answer(s, done)


@router.get("/{post_id}", summary="One post, its deliveries and every attempt")
def get_one(post_id: RowId, request: Request) -> PostOut:
    with app_state(request).store.session() as s:
        return _one(s, post_id)


@router.patch("/{post_id}", summary="Change a post that has not gone out, and check it again")
def edit(post_id: RowId, body: SchedulePatch, request: Request) -> ScheduledOut:
    """Text, time (with its zone; default the post's), images, thread splitting, or an
    override reason. ``draft`` takes it off the schedule. A post that has gone out, or may
    have (an answer never came back), cannot be edited: cancel or retry it."""
    from tactful.publish.outbox import edit as do_edit
    from tactful.publish.outbox import find_post

    state = app_state(request)
    if body.draft and body.local_time:
        raise InputError("give either a time or draft, not both")
    if body.zone and not body.local_time:
        raise InputError("give the time (local_time) with its zone")
    when = None
    if body.local_time:
        with state.store.session() as s:
            current = find_post(s, _ref(post_id)).zone
        when = _when(body.local_time, _zone(body.zone, current), body.occurrence)
    hashes = _media(state, body.media) if body.media is not None else None
    with state.store.session() as s:
        done = do_edit(
            s,
            state.checker(),
            _ref(post_id),
            actor=state.actor,
            text_=body.text,
            when=when,
            unschedule=body.draft,
            media=hashes,
            override=body.override,
            thread=body.thread,
        )
        return _answer(s, done)


@router.post("/{post_id}/cancel", summary="Cancel what has not gone out yet")
def cancel(post_id: RowId, request: Request) -> CancelOut:
    from tactful.publish.outbox import cancel as do_cancel

    with app_state(request).store.session() as s:
        n = do_cancel(s, _ref(post_id))
        s.flush()
        return CancelOut(id=post_id, cancelled=n, post=_one(s, post_id))


@router.post(
    "/{post_id}/retry",
    summary="Try again what needs attention (after reconnecting an account, say)",
)
def retry(
    post_id: RowId,
    request: Request,
    not_there: bool = Query(
        False,
        description="You looked: the post is not on the account (an answer never came back), "
        "so send it again without looking for it first.",
    ),
) -> RetryOut:
    from tactful.publish.outbox import requeue

    state = app_state(request)
    with state.store.session() as s:
        n = requeue(s, _ref(post_id), not_there=not_there, actor=state.actor)
        if not n:
            raise InputError(f"nothing of #{post_id} needs attention")
        s.flush()
        return RetryOut(id=post_id, queued=n, post=_one(s, post_id))
