"""The inbox over HTTP, for the Inbox page: items by priority with filters, one item with its
findings, suggested action, drafted reply and what was done about it; a reply checked live
and sent through the same gate as ``tactful inbox reply``; hide, mute, block, report, done,
undo, and trying a failed or unclear answer again; the evidence export; and what the
worker's sync did last. Same code as the CLI. Reading never calls a network: what a stopped
process left in flight is settled by the next action on the item and the worker's sync."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from tactful.web import problems
from tactful.web.schemas import RowId
from tactful.web.state import AppState, app_state

if TYPE_CHECKING:
    from tactful.inbox.actions import InboxActions

router = APIRouter(prefix="/api/inbox", tags=["inbox"])
Moderation = Literal["hide", "mute", "block", "report"]


class ReplyText(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)


class ReplyIn(ReplyText):
    override: str | None = Field(
        None, max_length=2000, description="Why to send it although blocking findings stop it"
    )


class ActionIn(BaseModel):
    reason: str | None = Field(None, max_length=2000, description="A report's words")


class DoneIn(BaseModel):
    undo: bool = False


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _actions(state: AppState) -> Iterator[InboxActions]:
    from tactful.inbox.actions import InboxActions

    with state.inbox_http() as http:
        yield InboxActions(state.store, http=http, clock=_now, actor=state.actor)


@router.get("", summary="Items by priority (filters: account, class)")
def list_inbox(
    request: Request,
    account: str | None = Query(None, max_length=200),
    category: str | None = Query(None, alias="class", max_length=20),
    include_done: bool = False,
) -> dict[str, Any]:
    from sqlalchemy import select

    from tactful.inbox.store import list_items
    from tactful.inbox.triage import CLASSES
    from tactful.store.models import AccountRow, InboxItemRow

    state = app_state(request)
    with state.store.session() as s:
        items = list_items(s, account=account, category=category, include_done=include_done)
        everything = list_items(s, include_done=include_done)
        names = list(
            s.scalars(
                select(AccountRow.name)
                .join(InboxItemRow, InboxItemRow.account_id == AccountRow.id)
                .distinct()
                .order_by(AccountRow.name)
            )
        )
    counts = {c: sum(1 for i in everything if i.category == c) for c in CLASSES}
    return {
        "items": [i.to_dict() for i in items],
        "total": len(items),
        "accounts": names,
        "classes": list(CLASSES),
        "counts": counts,
    }


@router.get("/sync", summary="What the worker's inbox sync did last")
def sync_status(request: Request) -> dict[str, Any]:
    worker = app_state(request).worker
    status = worker.status()["inbox"] if worker is not None else None
    return {"enabled": status is not None, "status": status}


@router.get("/evidence.json", summary="Evidence of threats and harassment: the hash chain")
def evidence_json(request: Request, account: str | None = None) -> Response:
    return _evidence(app_state(request), "json", account)


@router.get("/evidence.html", summary="Evidence of threats and harassment: one page")
def evidence_html(request: Request, account: str | None = None) -> Response:
    return _evidence(app_state(request), "html", account)


def _evidence(state: AppState, kind: str, account: str | None) -> Response:
    from tactful.inbox.evidence import export

    now = _now()
    with tempfile.TemporaryDirectory() as folder, state.store.session() as s:
        made = export(s, Path(folder) / "evidence", now=now, account=account)
        path = made.json_path if kind == "json" else made.html_path
        body = path.read_bytes()
    name = f"evidence-{now:%Y%m%d-%H%M%S}.{kind}"
    media = "application/json" if kind == "json" else "text/html; charset=utf-8"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Evidence-Head": made.head,
        "X-Evidence-Records": str(made.records),
    }
    return Response(body, media_type=media, headers=headers)


@router.get("/{item_id}", summary="One item: findings, suggested action, drafted reply, actions")
def get_inbox_item(item_id: RowId, request: Request) -> dict[str, Any]:
    from tactful.inbox.actions import history, suggested_reply
    from tactful.inbox.answers import hold_back, report_link
    from tactful.inbox.moderation import ACTIONS, moderator
    from tactful.inbox.store import get_item

    state = app_state(request)
    with state.store.session() as s:
        item = get_item(s, item_id)
    account = state.account(item.account)
    try:
        mod = moderator(item.network)
        can = [a for a in ACTIONS if a in mod.actions or a == "report"]
    except Exception:  # a network tactful cannot answer on: nothing to offer
        can = []
    link = report_link(item.network, item.url)
    return {
        "item": item.to_dict(),
        "actions": [a.to_dict() for a in history(state.store, item_id)],
        "drafted_reply": suggested_reply(item, account),
        "hold_back": hold_back(item.category),
        "can": can,
        "report_link": None if "report" in (mod.actions if can else ()) else link.url,
    }


@router.post("/{item_id}/reply/check", summary="Check a reply as it is typed")
async def check_reply(item_id: RowId, body: ReplyText, request: Request) -> dict[str, Any]:
    """The same check that stops a reply at ``POST /api/inbox/{id}/reply``."""
    from tactful.inbox.actions import check_reply as check
    from tactful.inbox.store import get_item

    state = app_state(request)

    def one() -> dict[str, Any]:
        with state.store.session() as s:
            item = get_item(s, item_id)
        return check(state.checker(), item, state.account(item.account), body.text).to_dict()

    result: dict[str, Any] = await state.checks.run(one)
    return result


@router.post("/{item_id}/reply", status_code=201, summary="Send a reply (checked first)")
def send_reply(item_id: RowId, body: ReplyIn, request: Request) -> Any:
    """Blocking findings stop it (409, with the check) unless ``override`` says why."""
    from tactful.inbox.actions import ReplyStopped

    state = app_state(request)
    try:
        with _actions(state) as actions:
            view, check = actions.reply(
                item_id, body.text, checker=state.checker(), override=body.override
            )
    except ReplyStopped as stopped:
        return problems.problem(
            409,
            "The reply was not sent",
            str(stopped),
            "reply-stopped",
            check=stopped.check.to_dict(),
        )
    return {"action": view.to_dict(), "check": check.to_dict()}


@router.post("/{item_id}/done", summary="Mark an item dealt with (or put it back)")
def mark_item_done(item_id: RowId, body: DoneIn, request: Request) -> dict[str, Any]:
    from tactful.inbox.store import mark_done

    state = app_state(request)
    with state.store.session() as s:
        item = mark_done(s, item_id, actor=state.actor, now=_now(), undo=body.undo)
    return item.to_dict()


@router.post("/actions/{action_id}/undo", summary="Take an action back where the network allows")
def undo_action(action_id: RowId, request: Request) -> dict[str, Any]:
    with _actions(app_state(request)) as actions:
        view = actions.undo(action_id)
    result: dict[str, Any] = view.to_dict()
    return result


@router.post(
    "/actions/{action_id}/retry", status_code=201, summary="Do a failed or unclear answer again"
)
def retry_action(action_id: RowId, request: Request) -> Any:
    """A new action; a reply is looked for first, and recorded as done when it went out after
    all (never posted twice). Answers like the reply and moderation routes: 409 when the
    checker stops the reply, 502 when the network refuses."""
    from tactful.inbox.actions import ReplyStopped

    state = app_state(request)
    try:
        with _actions(state) as actions:
            view = actions.retry(action_id, checker=state.checker())
    except ReplyStopped as stopped:
        return problems.problem(
            409, "The reply was not sent", str(stopped), "reply-stopped",
            check=stopped.check.to_dict(),
        )  # fmt: skip
    status = 201 if view.outcome in ("done", "link") else 502
    return JSONResponse(_jsonable(view.to_dict()), status_code=status)


@router.post("/{item_id}/{action}", status_code=201, summary="Hide, mute, block or report")
def moderate(
    item_id: RowId, action: Moderation, request: Request, body: ActionIn | None = None
) -> Any:
    """Through the account's connector; a report on a network with no report API is recorded
    with the link to its report form (``outcome`` ``link``). A failed one answers 502."""
    with _actions(app_state(request)) as actions:
        if action == "report":
            view = actions.report(item_id, body.reason if body else None)
        else:
            view = getattr(actions, action)(item_id)
    status = 201 if view.outcome in ("done", "link") else 502
    return JSONResponse(_jsonable(view.to_dict()), status_code=status)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    import json

    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded
