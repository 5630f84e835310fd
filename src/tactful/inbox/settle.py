"""Settling the inbox's actions that a stopped process left in flight.

An action is written ``sending`` (an undo ``undoing``) before its request goes, and its
outcome after (:mod:`tactful.inbox.actions`). A process stopped in between (killed, Ctrl-C, a
machine that went to sleep) leaves the row in flight, and nobody can tell from it whether
the network did the thing. Once it is older than
:data:`~tactful.inbox.actions.SENDING_GRACE` (far longer than any request takes), whatever
looks next settles it: the next action on the item, ``tactful inbox sync``, the serve
worker's sync, ``tactful inbox show``.

- **Hide, mute, block** (:data:`~tactful.inbox.moderation.REPEATABLE`) are asked again with
  the same request, and what the network says now is recorded: asking twice does nothing
  new (Bluesky's block goes under a record key made from the action, so a second block
  record is never made).
- **An undo** is asked again too; a reply being deleted is first looked for: when it is not
  there any more, the delete went through.
- **A reply** is never sent again: it could be posted twice. It is looked for on the network
  (:meth:`~tactful.inbox.moderation.Moderator.find_reply`: the account's posts on Mastodon
  and X, its record key on Bluesky, the comment's replies on Facebook and Instagram):
  there, ``done`` with its link; certainly not there, ``failed`` (it never went out);
  anything else, ``unknown``, with where to look. Sending it again is the user's call
  (``tactful inbox retry``, the page's "Try again"), which looks once more first.
- **Not connected any more**: nothing can be asked; ``unknown`` (an undo: not undone), with
  what to do.
- **A report** is ``unknown``: a second would reach the moderators as another report.

Two processes may settle the same row at once: each request they make is safe to make
twice, and the first answer written stands (a settlement writes only over a row still in
flight). A process that was only paused, and answers after all, writes over the
settlement: its answer is the network's own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import and_, or_, select

from tactful.errors import InputError
from tactful.inbox.actions import (
    STOPPED,
    ActionView,
    InboxActions,
    action_call,
    action_key,
    outcome_detail,
    target_of,
    undo_call,
)
from tactful.inbox.moderation import REPEATABLE, Moderator
from tactful.inbox.store import InboxItem
from tactful.publish.connectors.base import Credentials, Result
from tactful.store import Store
from tactful.store.models import AccountRow, InboxActionRow, InboxItemRow


def in_flight(
    store: Store, cutoff: datetime, item_id: int | None = None, account: str | None = None
) -> list[int]:
    """The ids of actions in flight since ``cutoff`` or before (``sending`` by when they
    were asked for, ``undoing`` by when the undo was), oldest first."""
    query = select(InboxActionRow.id).where(
        or_(
            and_(InboxActionRow.outcome == "sending", InboxActionRow.acted_at <= cutoff),
            and_(InboxActionRow.outcome == "undoing", InboxActionRow.undone_at <= cutoff),
        )
    )
    if item_id is not None:
        query = query.where(InboxActionRow.item_id == item_id)
    if account is not None:
        query = (
            query.join(InboxItemRow, InboxItemRow.id == InboxActionRow.item_id)
            .join(AccountRow, AccountRow.id == InboxItemRow.account_id)
            .where(AccountRow.name == account)
        )
    with store.session() as s:
        return list(s.scalars(query.order_by(InboxActionRow.id)))


def settle(actions: InboxActions, action_id: int) -> ActionView:
    """Settle one action left in flight (see the module's docstring)."""
    row = actions.action_row(action_id)
    item = actions.item(row.item_id)
    stopped = STOPPED.format(network=item.network)
    where = item.url or f"the item (tactful inbox show {item.id})"
    try:
        mod = actions.moderator_for(item.network)
        creds = actions.credentials(item)
    except InputError as exc:  # not connected any more, or no moderator: nothing to ask
        if row.outcome == "undoing":
            said = f"{stopped} to the undo, and it cannot be asked now ({exc})"
            return _write(actions, row, "done", f"{said}; look at {where}, then undo it again",
                          undone_at=None, undone_by=None)  # fmt: skip
        said = f"{stopped}, and it cannot be asked now ({exc})"
        return _write(actions, row, "unknown", f"{said}: look at {where} before doing it again")
    if row.outcome == "undoing":
        result = _undo_again(actions, mod, item, row, creds)
        if result.kind == "published":
            return _write(actions, row, "done", f"{stopped} to the undo; asked again, it is "
                          "taken back", undoable=mod.undoable)  # fmt: skip
        said = f"{stopped} to the undo; asked again: {result.detail}"
        return _write(actions, row, "done", f"{said}; look at {where}, then undo it again",
                      undoable=mod.undoable, undone_at=None, undone_by=None)  # fmt: skip
    if row.action == "reply":
        found = actions.call_network(item, actions.reply_lookup(mod, item, row), creds)
        if found is None:
            said = f"{stopped}, and the reply is not there: it never went out; send it again"
            return _write(actions, row, "failed", said)
        if found.kind == "published":
            said = f"{stopped}; the reply was found there"
            return _write(actions, row, "done", said, result=found, undoable=mod.undoable)
        said = f"{stopped}, and whether the reply went out cannot be told ({found.detail})"
        return _write(actions, row, "unknown", f"{said}: look at {where}, and send it again "
                      "only if it is not there")  # fmt: skip
    if row.action not in REPEATABLE:  # a report: a second would be another report
        said = f"{stopped}: the {row.action} may have gone through; do it again only to send "
        return _write(actions, row, "unknown", said + "a second one")
    key = action_key(row.id, row.acted_at)  # the request as it first went
    call = action_call(mod, item, row.action, row.text, key, row.acted_at)
    result = actions.call_network(item, call, creds)
    outcome = {"published": "done", "unknown": "unknown"}.get(result.kind, "failed")
    said = "it is done" if outcome == "done" else outcome_detail(result, row.action)
    return _write(actions, row, outcome, f"{stopped}; asked again: {said}", result=result,
                  undoable=mod.undoable)  # fmt: skip


def _undo_again(
    actions: InboxActions,
    mod: Moderator,
    item: InboxItem,
    row: InboxActionRow,
    creds: tuple[int, Credentials],
) -> Result:
    """The undo asked again; a reply that is gone already was deleted the first time."""
    if row.action == "reply":
        there = actions.call_network(item, actions.reply_lookup(mod, item, row), creds)
        if there is None:
            return Result("published", detail="the reply is gone")

    def take_back(http: httpx.Client, c: Credentials) -> Result:
        target = target_of(item)
        return undo_call(mod, http, c, row.action, target, row.remote_id, actions.clock())

    return actions.call_network(item, take_back, creds)


def _write(
    actions: InboxActions, row: InboxActionRow, outcome: str, detail: str, **values: Any
) -> ActionView:
    return actions.record_outcome(row.id, outcome, only_in_flight=True, detail=detail, **values)
