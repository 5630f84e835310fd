"""Answering inbox items: a reply (checked first by the one checker, as a reply), hide, mute,
block and report, each through the account's connector and its network's moderator
(:mod:`tactful.inbox.moderation`), each recorded with who and when
(:class:`~tactful.store.models.InboxActionRow`), and undone where the network allows it.

- **The reply gate.** A reply is checked as the account's reply to the item
  (``reply_to`` set), so the reply-only rules run (``engagement.hostile_reply``: a reply that
  picks a public fight). Blocking findings stop it unless someone overrides them with a
  reason, recorded with the rules it let by, as ``tactful schedule --override`` does; the
  length the network takes is never overridden. Warnings go with it, shown first.
- **Recorded before it goes.** The row is written (``sending``) before the request, and its
  outcome after: a process killed in between leaves a row that says the answer may be out.
- **Refusals.** A token the network refuses is renewed once through the connector where it
  can be, and the action tried again. What the network cannot do (X mutes, LinkedIn
  anything) is refused here with what it can do; a report goes by link where the network
  takes none from apps.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select

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
        if self.detail and self.outcome != "done":
            head += f": {self.detail}"
        if self.undone_at:
            head += f"; undone {self.undone_at:%Y-%m-%d %H:%M} by {self.undone_by}"
        return head


def _view(row: InboxActionRow, undoable: frozenset[str]) -> ActionView:
    return ActionView(
        row.id, row.item_id, row.action, row.outcome, row.actor, row.acted_at, row.text,
        row.remote_id, row.url, row.detail, row.checked, row.override_reason,
        row.override_rules, row.undone_at, row.undone_by,
        undoable=row.action in undoable and row.outcome == "done" and row.undone_at is None,
    )  # fmt: skip


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
        self, item_id: int, text: str, *, checker: Checker, override: str | None = None
    ) -> tuple[ActionView, ReplyCheck]:
        """Check the reply, then send it unless blocking findings stop it
        (:class:`ReplyStopped`; ``override``: the reason to send it anyway)."""
        body = checked_text(text, "the reply", 10_000, required=True) or ""
        reason = checked_text(override, "--override reason", 2000)
        item = self.item(item_id)
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

    # ------------------------------------------------------------------ moderating

    def hide(self, item_id: int) -> ActionView:
        return self._act(self.item(item_id), "hide")

    def mute(self, item_id: int) -> ActionView:
        return self._act(self.item(item_id), "mute")

    def block(self, item_id: int) -> ActionView:
        return self._act(self.item(item_id), "block")

    def report(self, item_id: int, reason: str | None = None) -> ActionView:
        item = self.item(item_id)
        words = checked_text(reason, "--reason", 2000) or _default_reason(item)
        return self._act(item, "report", text=words)

    # ------------------------------------------------------------------ undo

    def undo(self, action_id: int) -> ActionView:
        """Take an action back where the network allows it (a reply deleted, a comment
        shown again, an author unmuted or unblocked); recorded on the action."""
        with self.store.session() as s:
            row = s.get(InboxActionRow, action_id)
            if row is None:
                raise InputError(f"no inbox action #{action_id}; see: tactful inbox show ITEM")
            action, outcome, undone = row.action, row.outcome, row.undone_at
            remote_id, item_id = row.remote_id, row.item_id
        item = self.item(item_id)
        mod = self.moderator_for(item.network)
        if undone is not None:
            raise InputError(f"action #{action_id} was undone already")
        if outcome != "done":
            raise InputError(f"action #{action_id} did not go through ({outcome}): nothing to undo")
        if action not in mod.undoable:
            raise InputError(f"{item.network} does not let a {action} be taken back")
        target = _target(item)
        result = self._send(item, lambda http, creds: _undo(mod, http, creds, action, target,
                                                            remote_id, self.clock()))  # fmt: skip
        if result.kind != "published":
            raise InputError(f"{item.network} did not take the {action} back: {result.detail}")
        with self.store.session() as s:
            row = s.get(InboxActionRow, action_id)
            assert row is not None
            row.undone_at = self.clock()
            row.undone_by = self.actor
            s.flush()
            return _view(row, mod.undoable)

    # ------------------------------------------------------------------ steps

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
        row_id = self._record(
            item, action, "sending", text=text, checked=checked,
            override_reason=override_reason, override_rules=override_rules,
        ).id  # fmt: skip
        target = _target(item)
        key = f"tactful-inbox-{row_id}-{secrets.token_hex(4)}"
        now = self.clock()

        def call(http: httpx.Client, creds: Credentials) -> Result:
            if action == "reply":
                return mod.reply(http, creds, target, text or "", key=key, now=now)
            if action == "hide":
                return mod.hide(http, creds, target, True)
            if action == "mute":
                return mod.mute(http, creds, target, True)
            if action == "block":
                return mod.block(http, creds, target, None, now=now)
            return mod.report(http, creds, target, text or "", item.category or "other")

        result = self._send(item, call)
        outcome = {"published": "done", "unknown": "unknown"}.get(result.kind, "failed")
        with self.store.session() as s:
            row = s.get(InboxActionRow, row_id)
            assert row is not None
            row.outcome = outcome
            row.remote_id = result.remote_id
            row.url = result.url
            row.detail = _detail(result, action) if outcome != "done" else None
            s.flush()
            return _view(row, mod.undoable)

    def _record(self, item: InboxItem, action: str, outcome: str, **values: Any) -> ActionView:
        with self.store.session() as s:
            row = InboxActionRow(
                item_id=item.id, action=action, outcome=outcome, actor=self.actor,
                acted_at=self.clock(), **values,
            )  # fmt: skip
            s.add(row)
            s.flush()
            return _view(row, frozenset())

    def _credentials(self, item: InboxItem) -> tuple[int, Credentials]:
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

    def _send(self, item: InboxItem, call: Callable[[httpx.Client, Credentials], Result]) -> Result:
        """``call`` with the account's credentials; a refused token is renewed once through
        the connector where the network allows it, and the call made again."""
        account_id, creds = self._credentials(item)
        result = call(self.http, creds)
        if result.kind != "auth":
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


def _target(item: InboxItem) -> Target:
    return Target(
        remote_id=item.remote_id,
        kind=item.kind,
        author_id=item.author_id,
        author_handle=item.author_handle,
        url=item.url,
        parent_id=item.parent_id,
    )


def _undo(
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


def _detail(result: Result, action: str) -> str:
    if result.kind == "unknown":
        return (
            f"no clear answer ({result.detail}): look on the network whether the {action} "
            "went through before trying again"
        )
    if result.kind == "retry":
        wait = f" in {result.retry_after:.0f} s" if result.retry_after else " later"
        return f"{result.detail}; try again{wait}"
    return result.detail
