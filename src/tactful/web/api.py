"""The HTTP API: check, scan, rules, accounts, contacts and the consent ledger. Every route
uses the same checker and store code as the CLI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request

from tactful.core.post import Media, Post
from tactful.errors import InputError
from tactful.web.schemas import (
    AccountIn,
    AccountPatch,
    AskIn,
    ConsentIn,
    ContactIn,
    Offset,
    PostIn,
    RowId,
    ScanIn,
)
from tactful.web.state import app_state

if TYPE_CHECKING:
    from tactful.web.state import AppState

router = APIRouter(prefix="/api")
MAX_PAGE = 200


def build_post(body: PostIn, state: AppState) -> Post:
    """The post a request describes; on a stored account, by the one precedence rule
    (what the request sets explicitly wins over the account: :func:`on_account`)."""
    from tactful.store.accounts import on_account

    context = body.context()
    if body.media:
        context["media"] = [_attachment(state, media_id) for media_id in body.media]
    if body.account:
        given = {k: v for k, v in context.items() if k in body.given()}
        context.update(on_account(state.account(body.account), given))
    return Post.build(body.text, **context)


def _attachment(state: AppState, media_id: int) -> Media:
    """An attached library image, by id: checked from what the library recorded about it."""
    for record in state.snapshot().media:
        if record.id == media_id:
            return Media(sha256=record.sha256)
    raise InputError(f"no media #{media_id} in the library; upload it first (POST /api/media)")


def page(items: list[Any], offset: int, limit: int) -> dict[str, Any]:
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "offset": offset,
        "limit": limit,
    }


@router.post("/check", summary="Check one post")
async def check(body: PostIn, request: Request) -> dict[str, Any]:
    """The report for one draft: findings with spans into the text, why, and fixes, and its
    length as the network counts it (``length``)."""
    state = app_state(request)

    def one() -> dict[str, Any]:
        return state.checker().check(build_post(body, state)).to_dict()

    return await state.checks.run(one)


@router.post("/scan", summary="Check a batch of posts (up to 1,000)")
async def scan(body: ScanIn, request: Request) -> dict[str, Any]:
    state = app_state(request)

    def batch() -> dict[str, Any]:
        reports = state.checker().check_batch([build_post(p, state) for p in body.posts])
        return {"reports": [r.to_dict() for r in reports]}

    return await state.checks.run(batch)


@router.get("/rules", summary="Every rule, with its title, what it catches and the fix")
def rules(request: Request) -> list[dict[str, Any]]:
    catalogue = app_state(request).checker().ruleset.catalogue
    return [
        {"id": rid, "title": r.title, "catches": r.catches, "fix": r.fix, "source": r.source}
        for rid, r in sorted(catalogue.items())
    ]


@router.get("/accounts", summary="Accounts (paginated)")
def list_accounts(
    request: Request,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    from tactful.store.accounts import list_accounts as list_all

    with app_state(request).store.session() as s:
        return page([a.to_dict() for a in list_all(s)], offset, limit)


@router.post("/accounts", status_code=201, summary="Add an account")
def add_account(body: AccountIn, request: Request) -> dict[str, Any]:
    from tactful.store.accounts import add_account as add

    state = app_state(request)
    with state.write() as s:
        rec = add(s, **body.model_dump())
    return rec.to_dict()


@router.get("/accounts/{name}", summary="One account")
def get_account(name: str, request: Request) -> dict[str, Any]:
    return app_state(request).account(name).to_dict()


@router.patch("/accounts/{name}", summary="Change an account (audience changes are kept)")
def edit_account(name: str, body: AccountPatch, request: Request) -> dict[str, Any]:
    from tactful.store.accounts import edit_account as edit

    state = app_state(request)
    changes = body.model_dump(exclude_none=True, exclude={"reason"})
    with state.write() as s:
        rec = edit(s, name, actor=state.actor, reason=body.reason, **changes)
    return rec.to_dict()


@router.get("/contacts", summary="Contacts (paginated, optionally by relation)")
def list_contacts(
    request: Request,
    relation: str | None = None,
    search: str | None = Query(None, max_length=200),
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    from tactful.store.contacts import list_contacts as list_all

    with app_state(request).store.session() as s:
        return page(
            [c.to_dict() for c in list_all(s, relation=relation, search=search)], offset, limit
        )


@router.post("/contacts", status_code=201, summary="Add a contact")
def add_contact(body: ContactIn, request: Request) -> dict[str, Any]:
    from tactful.store.contacts import add_contact as add

    state = app_state(request)
    with state.write() as s:
        rec = add(s, **body.model_dump())
    return rec.to_dict()


@router.get("/contacts/{contact_id}/consent", summary="A contact's consent history")
def consent_history(contact_id: RowId, request: Request) -> dict[str, Any]:
    from tactful.store.consent import ledger

    with app_state(request).store.session() as s:
        book = ledger(s, f"#{contact_id}")
    return {
        "contact": book.contact.to_dict(),
        "consent": [e.to_dict() for e in book.consent],
        "do_not_tag": [d.to_dict() for d in book.do_not_tag],
    }


@router.post(
    "/contacts/{contact_id}/consent",
    status_code=201,
    summary="Record an answer (a new ledger entry; nothing is overwritten)",
)
def record_consent(contact_id: RowId, body: ConsentIn, request: Request) -> dict[str, Any]:
    from tactful.store.consent import record_consent as record

    state = app_state(request)
    with state.write() as s:
        event = record(
            s,
            f"#{contact_id}",
            body.status,
            actor=state.actor,
            platform=body.platform,
            expires_at=body.expires_at,
            evidence=body.evidence,
            reason=body.reason,
        )
    return event.to_dict()


@router.post(
    "/contacts/{contact_id}/consent/ask",
    summary="Draft a private message asking to tag the contact; records it as pending",
)
def ask_consent(contact_id: RowId, body: AskIn, request: Request) -> dict[str, Any]:
    from tactful.store.consent import ask

    state = app_state(request)
    with state.write() as s:
        contact, draft, event = ask(
            s,
            f"#{contact_id}",
            platform=body.platform,
            actor=state.actor,
            about=body.about,
            sender=body.sign,
            again=body.again,
        )
    return {"contact": contact.to_dict(), "draft": draft, "event": event.to_dict()}
