"""Answering inbox items: a reply (checked first by the one checker, as a reply), hide, mute,
block and report, each through the account's connector and its network's moderator
(:mod:`tactful.inbox.moderation`), each recorded with who and when
(:class:`~tactful.store.models.InboxActionRow`), and undone where the network allows it.

- **The reply gate.** A reply is checked as the account's reply to the item
  (``reply_to`` set), so the reply-only rules run (``engagement.hostile_reply``: a reply that
  picks a public fight). Blocking findings stop it unless someone overrides them with a
  reason, recorded with the rules it let by, as ``tactful schedule --override`` does; the
  length the network takes is never overridden. Warnings go with it, shown first.
- **Recorded before it goes.** The row is written (``sending``; an undo ``undoing``) before
  the request, and its outcome after. A process stopped in between (killed, Ctrl-C, a
  machine that slept) leaves the row in flight; :meth:`InboxActions.reconcile` settles it
  once it is older than :data:`SENDING_GRACE` (the next action on the item, ``inbox sync``,
  the worker's sync, ``inbox show``): a hide, mute, block or undo is asked again (safe to
  ask twice), a reply is looked for on the network and never sent again (found: ``done``;
  certainly not there: ``failed``; else ``unknown``, with where to look), and a report is
  ``unknown`` (a second one would be filed). Trying again is then the user's call
  (:meth:`InboxActions.retry`), and a reply is not sent twice by accident: the same words
  on an item whose reply is out, on its way or unclear are refused.
- **Refusals.** A token the network refuses is renewed once through the connector where it
  can be, and the action tried again. What the network cannot do (X mutes, LinkedIn
  anything) is refused here with what it can do; a report goes by link where the network
  takes none from apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import httpx
from sqlalchemy import CursorResult, select, update

from tactful.core.checker import Checker
from tactful.errors import InputError
from tactful.inbox.answers import draft_reply, hold_back, report_link
from tactful.inbox.moderation import ACTIONS, Moderator, Target
from tactful.inbox.moderation import moderator as default_moderator
from tactful.inbox.store import InboxItem, get_item
from tactful.publish.connectors import connector as default_connector
from tactful.publish.connectors.base import Connector, Credentials, Result
from tactful.publish.tokens import TokenRenewer, unsealed
from tactful.store import Store
from tactful.store.accounts import AccountRecord, get_account
from tactful.store.fields import text as checked_text
from tactful.store.models import AccountRow, CredentialRow, InboxActionRow, InboxItemRow

Clock = Callable[[], datetime]
NEVER_OVERRIDDEN = ("platform.length",)  # the network refuses it whatever anyone says
UNDO_VERB = {"reply": "deleted", "hide": "shown again", "mute": "unmuted", "block": "unblocked"}
# How long an action may stay in flight before it is taken for cut off: far longer than one
# request's timeouts (30 s) with a token renewal and the call made again, as a publishing
# lease (tactful.publish.worker.LEASE). Measured on the clock that stamped the action.
SENDING_GRACE = timedelta(minutes=5)
IN_FLIGHT = ("sending", "undoing")
STOPPED = "tactful was stopped before {network} answered"
_R = TypeVar("_R", Result, Result | None)


@dataclass(frozen=True, slots=True)
class ReplyCheck:
    """What the checker found in a reply: the report (as the composer shows it), the rule
    ids that stop it, and the advice for the item's class (``hold_back``: don't feed it)."""

    report: dict[str, Any]
    blocking: tuple[str, ...]
    hold_back: str | None

    @property
    def flagged(self) -> list[dict[str, Any]]:
        """Findings at warn or block: shown before the reply goes."""
        return [f for f in self.report["findings"] if f["severity"] in ("warn", "block")]

    def stopping(self, override: str | None) -> tuple[str, ...]:
        if not override:
            return self.blocking
        return tuple(r for r in self.blocking if r.startswith(NEVER_OVERRIDDEN))

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "blocking": list(self.blocking),
            "overridable": bool(self.blocking) and not self.stopping("reason"),
            "hold_back": self.hold_back,
        }


class ReplyStopped(InputError):
    """A reply with blocking findings, not overridden: nothing was sent or recorded."""

    def __init__(self, check: ReplyCheck, overridable: bool):
        rules = ", ".join(check.blocking)
        hint = "; to send it anyway say why: --override REASON" if overridable else ""
        super().__init__(f"the reply was not sent: blocking findings ({rules}) stop it{hint}")
        self.check = check


@dataclass(frozen=True, slots=True)
class ActionView:
    id: int
    item_id: int
    action: str
    outcome: str
    actor: str
    acted_at: datetime
    text: str | None
    remote_id: str | None
    url: str | None
    detail: str | None
    checked: dict[str, Any] | None
    override_reason: str | None
    override_rules: list[str] | None
    undone_at: datetime | None
    undone_by: str | None
    undoable: bool = False
    retryable: bool = False  # failed or unclear: `tactful inbox retry` does it again

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__slots__}
        for key in ("acted_at", "undone_at"):
            out[key] = out[key].isoformat() if out[key] else None
        return out

    def line(self) -> str:
        when = f"{self.acted_at:%Y-%m-%d %H:%M}"
        head = f"action #{self.id}: {self.action} #{self.item_id} {self.outcome}"
        head += f" ({when}, {self.actor})"
        if self.url and self.outcome in ("link", "done"):
            head += f" {self.url}"
        if self.outcome == "sending":
            head += ": no answer from the network yet (if tactful was stopped, the next sync, "
            head += "`tactful inbox show` or action on the item looks)"
        elif self.detail and self.outcome != "done":
            head += f": {self.detail}"
        if self.undone_at and self.outcome == "undoing":
            head += f"; being taken back since {self.undone_at:%Y-%m-%d %H:%M} by {self.undone_by}"
        elif self.undone_at:
            head += f"; undone {self.undone_at:%Y-%m-%d %H:%M} by {self.undone_by}"
        if self.retryable:
            head += f"; try again with: tactful inbox retry {self.id}"
        return head


def _view(row: InboxActionRow, undoable: frozenset[str]) -> ActionView:
    return ActionView(
        row.id, row.item_id, row.action, row.outcome, row.actor, row.acted_at, row.text,
        row.remote_id, row.url, row.detail, row.checked, row.override_reason,
        row.override_rules, row.undone_at, row.undone_by,
        undoable=row.action in undoable and row.outcome == "done" and row.undone_at is None,
        retryable=row.outcome in ("failed", "unknown"),
    )  # fmt: skip


def action_key(action_id: int, acted_at: datetime) -> str:
    """The key an action goes out with (Mastodon's ``Idempotency-Key``; Bluesky's record key
    is made from it): the same when a cut-off reply is looked for, from the row's id and
    the moment it was stamped, so two stores' rows never share one."""
    return f"tactful-inbox-{action_id}-{acted_at.astimezone(UTC):%Y%m%dT%H%M%S%f}"


def check_reply(checker: Checker, item: InboxItem, account: AccountRecord, text: str) -> ReplyCheck:
    """Check ``text`` as the account's reply to ``item`` (the composer's live check uses
    this too, so what it shows is what stops the reply)."""
    # The person answered, as the mention detector reads it (their handle is no new tag).
    replying_to = f"@{item.author_handle.lstrip('@')}" if item.author_handle else item.remote_id
    report = checker.check(account.post(text, reply_to=replying_to))
    return ReplyCheck(
        report=report.to_dict(),
        blocking=tuple(sorted({f.rule_id for f in report.blocking})),
        hold_back=hold_back(item.category),
    )


def suggested_reply(item: InboxItem, account: AccountRecord) -> str | None:
    """The drafted reply for the item's class on this account (complaints), if any."""
    return draft_reply(item.category, item.network, account.kind.value, item.author_handle)


def history(store: Store, item_id: int) -> list[ActionView]:
    """The actions on an item, oldest first."""
    from tactful.inbox.moderation import moderator

    with store.session() as s:
        item = get_item(s, item_id)
        rows = s.scalars(
            select(InboxActionRow)
            .where(InboxActionRow.item_id == item_id)
            .order_by(InboxActionRow.id)
        ).all()
        undoable = _undoable(moderator, item.network)
        return [_view(r, undoable) for r in rows]


def _undoable(moderator_for: Callable[[str], Moderator], network: str) -> frozenset[str]:
    try:
        return moderator_for(network).undoable
    except InputError:
        return frozenset()


@dataclass
class InboxActions:
    """Answers items of the store's accounts as ``actor``. ``moderator_for`` and
    ``connector_for`` are the networks (tests pass ones bound to fake servers)."""

    store: Store
    http: httpx.Client
    clock: Clock
    actor: str
    moderator_for: Callable[[str], Moderator] = default_moderator
    connector_for: Callable[[str], Connector] = default_connector
    _tokens: TokenRenewer | None = field(default=None, init=False, repr=False)

    # ------------------------------------------------------------------ replying

    def account_of(self, item: InboxItem) -> AccountRecord:
        with self.store.session() as s:
            return get_account(s, item.account)

    def item(self, item_id: int) -> InboxItem:
        with self.store.session() as s:
            return get_item(s, item_id)

    def reply(
        self, item_id: int, text: str, *, checker: Checker, override: str | None = None,
        retrying: int | None = None,
    ) -> tuple[ActionView, ReplyCheck]:  # fmt: skip
        """Check the reply, then send it unless blocking findings stop it
        (:class:`ReplyStopped`; ``override``: the reason to send it anyway). The same words
        as a reply on the item that is out, on its way or unclear are refused, but for the
        action ``retrying`` names (:meth:`retry`: the user looked and sends it again)."""
        body = checked_text(text, "the reply", 10_000, required=True) or ""
        reason = checked_text(override, "--override reason", 2000)
        item = self.item(item_id)
        self.reconcile(item.id)
        self._refuse_twice(item, body, retrying)
        check = check_reply(checker, item, self.account_of(item), body)
        if check.stopping(reason):
            raise ReplyStopped(check, overridable=not check.stopping("reason"))
        let_by = list(check.blocking) if reason and check.blocking else None
        checked = {
            "verdict": check.report["verdict"],
            "findings": [
                {k: f.get(k) for k in ("rule_id", "check", "severity", "message", "excerpts")}
                for f in check.report["findings"]
            ],
        }
        view = self._act(
            item, "reply", text=body, checked=checked,
            override_reason=reason if let_by else None, override_rules=let_by,
        )  # fmt: skip
        return view, check

    def _refuse_twice(self, item: InboxItem, body: str, retrying: int | None) -> None:
        words = " ".join(body.split())
        with self.store.session() as s:
            earlier = s.scalars(
                select(InboxActionRow)
                .where(InboxActionRow.item_id == item.id, InboxActionRow.action == "reply")
                .order_by(InboxActionRow.id.desc())
            ).all()
            for row in earlier:
                if row.id == retrying or " ".join((row.text or "").split()) != words:
                    continue
                where = row.url or item.url or f"the item (tactful inbox show {item.id})"
                if row.outcome == "done" and row.undone_at is None:
                    raise InputError(
                        f"this reply went out already (action #{row.id}, {where}); "
                        "change the words to send another"
                    )
                if row.outcome in IN_FLIGHT:
                    raise InputError(
                        f"the same reply is on its way (action #{row.id}); see how it went: "
                        f"tactful inbox show {item.id}"
                    )
                if row.outcome == "unknown":
                    raise InputError(
                        f"the same reply may have gone out already (action #{row.id}); look at "
                        f"{where}, and send it again only if it is not there: "
                        f"tactful inbox retry {row.id}"
                    )

    # ------------------------------------------------------------------ moderating

    def hide(self, item_id: int) -> ActionView:
        return self._act(self._settled_item(item_id), "hide")

    def mute(self, item_id: int) -> ActionView:
        return self._act(self._settled_item(item_id), "mute")

    def block(self, item_id: int) -> ActionView:
        return self._act(self._settled_item(item_id), "block")

    def report(self, item_id: int, reason: str | None = None) -> ActionView:
        item = self._settled_item(item_id)
        words = checked_text(reason, "--reason", 2000) or _default_reason(item)
        return self._act(item, "report", text=words)

    def _settled_item(self, item_id: int) -> InboxItem:
        """The item, once what a stopped process left in flight on it is settled."""
        item = self.item(item_id)
        self.reconcile(item.id)
        return item

    # ------------------------------------------------------------------ undo

    def undo(self, action_id: int) -> ActionView:
        """Take an action back where the network allows it (a reply deleted, a comment
        shown again, an author unmuted or unblocked); recorded on the action, ``undoing``
        while the request is out."""
        row = self.action_row(action_id)
        item = self._settled_item(row.item_id)
        row = self.action_row(action_id)
        mod = self.moderator_for(item.network)
        if row.undone_at is not None and row.outcome != "undoing":
            raise InputError(f"action #{action_id} was undone already")
        if row.outcome == "undoing":
            raise InputError(f"action #{action_id} is being taken back already")
        if row.outcome != "done":
            raise InputError(
                f"action #{action_id} did not go through ({row.outcome}): nothing to undo"
            )
        if row.action not in mod.undoable:
            raise InputError(f"{item.network} does not let a {row.action} be taken back")
        creds = self.credentials(item)
        with self.store.session() as s:  # recorded before it goes, as every action
            claimed = s.execute(
                update(InboxActionRow)
                .where(
                    InboxActionRow.id == action_id,
                    InboxActionRow.outcome == "done",
                    InboxActionRow.undone_at.is_(None),
                )
                .values(outcome="undoing", undone_at=self.clock(), undone_by=self.actor)
            )
        if not cast(CursorResult[Any], claimed).rowcount:
            raise InputError(f"action #{action_id} is being taken back already")
        target = target_of(item)

        def take_back(http: httpx.Client, c: Credentials) -> Result:
            return undo_call(mod, http, c, row.action, target, row.remote_id, self.clock())

        result = self.call_network(item, take_back, creds)
        if result.kind != "published":
            self.record_outcome(action_id, "done", undone_at=None, undone_by=None)
            raise InputError(f"{item.network} did not take the {row.action} back: {result.detail}")
        return self.record_outcome(
            action_id, "done", undone_at=self.clock(), undone_by=self.actor, undoable=mod.undoable
        )

    # ------------------------------------------------------------------ after a stop

    def reconcile(
        self, item_id: int | None = None, *, account: str | None = None
    ) -> list[ActionView]:
        """Settle the actions a stopped process left in flight (``sending``, ``undoing``)
        for longer than :data:`SENDING_GRACE` on :attr:`clock`, on one item, one account's
        items or all (see :mod:`tactful.inbox.settle`). Never sends a reply or a report
        again. Returns the actions settled, as recorded (where another process settled one
        first, as that one wrote it)."""
        from tactful.inbox.settle import in_flight, settle

        cutoff = self.clock() - SENDING_GRACE
        return [settle(self, i) for i in in_flight(self.store, cutoff, item_id, account)]

    def retry(self, action_id: int, *, checker: Checker) -> ActionView:
        """Do a failed or unclear action again, as a new action (the old one is then
        ``retried``, naming it). A reply is looked for first: when it is on the network
        after all, the action is recorded ``done``, not sent twice."""
        row = self.action_row(action_id)
        item = self._settled_item(row.item_id)
        row = self.action_row(action_id)
        if row.outcome not in ("failed", "unknown"):
            raise InputError(
                f"action #{action_id} is {row.outcome}: only a failed or unclear action is "
                "tried again"
            )
        if row.action != "reply":
            return self._retried(action_id, self._act(item, row.action, text=row.text))
        mod = self.moderator_for(item.network)
        found = self.call_network(item, self.reply_lookup(mod, item, row), self.credentials(item))
        if isinstance(found, Result) and found.kind == "published":
            said = "it was on the network when tried again: not sent twice"
            return self.record_outcome(
                action_id, "done", result=found, undoable=mod.undoable, detail=said
            )
        view, _ = self.reply(
            item.id, row.text or "", checker=checker, override=row.override_reason,
            retrying=action_id,
        )  # fmt: skip
        return self._retried(action_id, view)

    def _retried(self, action_id: int, again: ActionView) -> ActionView:
        """Marks the action tried again (not to be tried twice); returns the new one."""
        self.record_outcome(action_id, "retried", detail=f"tried again as action #{again.id}")
        return again

    # ------------------------------------------------------------------ steps

    def action_row(self, action_id: int) -> InboxActionRow:
        with self.store.session() as s:
            row = s.get(InboxActionRow, action_id)
            if row is None:
                raise InputError(f"no inbox action #{action_id}; see: tactful inbox show ITEM")
            s.expunge(row)
            return row

    def _act(
        self,
        item: InboxItem,
        action: str,
        *,
        text: str | None = None,
        checked: dict[str, Any] | None = None,
        override_reason: str | None = None,
        override_rules: list[str] | None = None,
    ) -> ActionView:
        assert action in ACTIONS
        mod = self.moderator_for(item.network)
        if action == "report" and action not in mod.actions:
            link = report_link(item.network, item.url)
            return self._record(item, action, "link", text=text, url=link.url, detail=link.how)
        if action not in mod.actions:
            can = ", ".join(a for a in ACTIONS if a in mod.actions) or "nothing"
            raise InputError(
                f"{item.network} does not let apps {action} this (tactful can: {can} there)"
            )
        creds = self.credentials(item)  # not connected: refused before anything is recorded
        row = self._record(
            item, action, "sending", text=text, checked=checked,
            override_reason=override_reason, override_rules=override_rules,
        )  # fmt: skip
        call = action_call(mod, item, action, text, action_key(row.id, row.acted_at), row.acted_at)
        result = self.call_network(item, call, creds)
        outcome = {"published": "done", "unknown": "unknown"}.get(result.kind, "failed")
        detail = outcome_detail(result, action) if outcome != "done" else None
        return self.record_outcome(
            row.id, outcome, result=result, detail=detail, undoable=mod.undoable
        )

    def reply_lookup(
        self, mod: Moderator, item: InboxItem, row: InboxActionRow | ActionView
    ) -> Callable[[httpx.Client, Credentials], Result | None]:
        """Looks for the reply ``row`` sent, under the key and time it went with."""
        key = action_key(row.id, row.acted_at)

        def find(http: httpx.Client, creds: Credentials) -> Result | None:
            target = target_of(item)
            return mod.find_reply(http, creds, target, row.text or "", key=key, now=row.acted_at)

        return find

    def _record(self, item: InboxItem, action: str, outcome: str, **values: Any) -> ActionView:
        with self.store.session() as s:
            row = InboxActionRow(
                item_id=item.id, action=action, outcome=outcome, actor=self.actor,
                acted_at=self.clock(), **values,
            )  # fmt: skip
            s.add(row)
            s.flush()
            return _view(row, frozenset())

    def record_outcome(
        self,
        action_id: int,
        outcome: str,
        *,
        result: Result | None = None,
        only_in_flight: bool = False,
        undoable: frozenset[str] = frozenset(),
        **values: Any,
    ) -> ActionView:
        """Record how the action went (``values``: more columns, ``detail`` among them).
        ``only_in_flight``: only while it is still in flight (a settlement: an answer
        another process wrote first stands)."""
        if result is not None:
            values |= {"remote_id": result.remote_id, "url": result.url}
        with self.store.session() as s:
            query = update(InboxActionRow).where(InboxActionRow.id == action_id)
            if only_in_flight:
                query = query.where(InboxActionRow.outcome.in_(IN_FLIGHT))
            s.execute(query.values(outcome=outcome, **values))
            row = s.get(InboxActionRow, action_id)
            assert row is not None
            return _view(row, undoable)

    def credentials(self, item: InboxItem) -> tuple[int, Credentials]:
        with self.store.session() as s:
            found = s.execute(
                select(AccountRow.id, CredentialRow)
                .join(CredentialRow, CredentialRow.account_id == AccountRow.id)
                .join(InboxItemRow, InboxItemRow.account_id == AccountRow.id)
                .where(InboxItemRow.id == item.id)
            ).first()
            if found is None:
                raise InputError(
                    f"{item.account} is not connected; run: tactful accounts connect {item.account}"
                )
            return found[0], unsealed(found[1])

    def call_network(
        self,
        item: InboxItem,
        call: Callable[[httpx.Client, Credentials], _R],
        credentials: tuple[int, Credentials],
    ) -> _R:
        """``call`` with the account's credentials; a refused token is renewed once through
        the connector where the network allows it, and the call made again."""
        account_id, creds = credentials
        result = call(self.http, creds)
        if result is None or result.kind != "auth":
            return result
        conn = self.connector_for(item.network)
        if not hasattr(conn, "refresh"):
            return result
        if self._tokens is None:
            self._tokens = TokenRenewer(
                self.store, http=self.http, clock=self.clock, connector_for=self.connector_for
            )
        fresh = self._tokens.renew(conn, account_id, creds.token, force=True)
        return call(self.http, fresh) if isinstance(fresh, Credentials) else result


def action_call(
    mod: Moderator, item: InboxItem, action: str, text: str | None, key: str, when: datetime
) -> Callable[[httpx.Client, Credentials], Result]:
    """The request an action makes; ``key`` and ``when`` are the action's own (see
    :func:`action_key`), so a request made again is the same request."""
    target = target_of(item)

    def call(http: httpx.Client, creds: Credentials) -> Result:
        if action == "reply":
            return mod.reply(http, creds, target, text or "", key=key, now=when)
        if action == "hide":
            return mod.hide(http, creds, target, True)
        if action == "mute":
            return mod.mute(http, creds, target, True)
        if action == "block":
            return mod.block(http, creds, target, None, now=when)
        return mod.report(http, creds, target, text or "", item.category or "other")

    return call


def target_of(item: InboxItem) -> Target:
    return Target(
        remote_id=item.remote_id,
        kind=item.kind,
        author_id=item.author_id,
        author_handle=item.author_handle,
        url=item.url,
        parent_id=item.parent_id,
    )


def undo_call(
    mod: Moderator,
    http: httpx.Client,
    creds: Credentials,
    action: str,
    target: Target,
    remote_id: str | None,
    now: datetime,
) -> Result:
    if action == "reply":
        if not remote_id:
            return Result("rejected", detail="the network never named the reply")
        return mod.unreply(http, creds, remote_id)
    if action == "hide":
        return mod.hide(http, creds, target, False)
    if action == "mute":
        return mod.mute(http, creds, target, False)
    return mod.block(http, creds, target, remote_id or "", now=now)


def _default_reason(item: InboxItem) -> str:
    because = ", ".join((item.triage or {}).get("because", [])) or "tactful's checker"
    return f"Reported from tactful: sorted as {item.category or 'other'} ({because})."


def outcome_detail(result: Result, action: str) -> str:
    if result.kind == "unknown":
        return (
            f"no clear answer ({result.detail}): look on the network whether the {action} "
            "went through before trying again"
        )
    if result.kind == "retry":
        wait = f" in {result.retry_after:.0f} s" if result.retry_after else " later"
        return f"{result.detail}; try again{wait}"
    return result.detail
