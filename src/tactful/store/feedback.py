"""Feedback on findings: "this is wrong", kept per account with who, when and why.

Each row hides one finding on later checks of its account (the same rule on the same words,
or with scope ``rule`` the rule altogether; see :mod:`tactful.core.feedback`), and is a
labelled example for the next training run (:func:`export_examples`). The post text stays in
this store; nothing is sent anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.core.feedback import (
    FeedbackRule,
    Scope,
    check_allowed,
    finding_words,
    is_exact_evidence,
)
from tactful.core.findings import Finding, Report
from tactful.errors import InputError
from tactful.store.fields import MAX_ID, text
from tactful.store.models import AccountRow, FeedbackRow, utcnow

# What an exported example says: this rule should not have fired on this text.
LABEL = "false_positive"


@dataclass(frozen=True, slots=True)
class Feedback:
    id: int
    account: str
    rule_id: str
    scope: Scope
    words: str
    text: str
    context: dict[str, Any]
    severity: str
    detector: str
    exact: bool
    reason: str
    actor: str
    at: datetime

    def rule(self) -> FeedbackRule:
        return FeedbackRule(
            self.id, self.rule_id, self.scope, self.words, self.reason, self.actor, self.at
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account": self.account,
            "rule_id": self.rule_id,
            "scope": self.scope,
            "words": self.words,
            "text": self.text,
            "context": dict(self.context),
            "severity": self.severity,
            "detector": self.detector,
            "exact": self.exact,
            "reason": self.reason,
            "by": self.actor,
            "at": self.at.isoformat(),
        }

    def example(self) -> dict[str, Any]:
        """One labelled example for training (a line of ``tactful feedback export``)."""
        return {
            "text": self.text,
            "rule_id": self.rule_id,
            "label": LABEL,
            "reason": self.reason,
            "account": self.account,
            "when": self.at.isoformat(),
            "by": self.actor,
            "words": self.words,
            "scope": self.scope,
            "severity": self.severity,
            "detector": self.detector,
            **{k: self.context[k] for k in ("platform", "account_kind") if k in self.context},
        }


def _record(row: FeedbackRow, account: str) -> Feedback:
    scope: Scope = "rule" if row.scope == "rule" else "words"
    return Feedback(
        id=row.id,
        account=account,
        rule_id=row.rule_id,
        scope=scope,
        words=row.words,
        text=row.text,
        context=dict(row.context or {}),
        severity=row.severity,
        detector=row.detector,
        exact=row.exact,
        reason=row.reason,
        actor=row.actor,
        at=row.created_at,
    )


def _account_id(session: Session, name: str) -> int:
    found = session.scalar(select(AccountRow.id).where(AccountRow.name == name))
    if found is None:
        known = ", ".join(session.scalars(select(AccountRow.name).order_by(AccountRow.name)))
        raise InputError(
            f"no account named {name!r} (known: {known or 'none yet'}); see 'tactful accounts list'"
        )
    return found


def mark_wrong(
    session: Session,
    report: Report,
    finding: Finding,
    *,
    reason: str,
    actor: str,
    scope: Scope = "words",
    confirm_exact: bool = False,
    now: datetime | None = None,
) -> Feedback:
    """Record that ``finding`` (from ``report``, a check of a post on a stored account) is
    wrong. Refuses feedback on exact evidence without ``confirm_exact``, a whole rule that
    found exact evidence, and feedback without a reason."""
    account = report.post.account.name
    if not account:
        raise InputError("feedback is kept per account: check the post on a stored account")
    why = text(reason, "reason", 2_000)
    if not why:
        raise InputError("say why the finding is wrong (--reason): it is kept for training")
    check_allowed(finding, scope=scope, confirm_exact=confirm_exact)
    post = report.post
    row = FeedbackRow(
        account_id=_account_id(session, account),
        rule_id=finding.rule_id,
        scope=scope,
        words=finding_words(finding, post.text),
        text=post.text,
        context={
            "platform": post.platform.value,
            "account_kind": post.account.kind.value,
            "audience": post.account.audience.value,
            "clients_in_audience": post.account.clients_in_audience,
        },
        severity=finding.severity.value,
        detector=finding.detector,
        exact=is_exact_evidence(finding),
        reason=why,
        actor=text(actor, "--by", 120) or actor,
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    return _record(row, account)


def _rows(session: Session, account: str | None) -> Iterator[tuple[FeedbackRow, str]]:
    query = (
        select(FeedbackRow, AccountRow.name)
        .join(AccountRow, AccountRow.id == FeedbackRow.account_id)
        .order_by(FeedbackRow.id)
    )
    if account is not None:
        query = query.where(FeedbackRow.account_id == _account_id(session, account))
    yield from session.execute(query).tuples()


def list_feedback(session: Session, account: str | None = None) -> list[Feedback]:
    """Every piece of feedback, oldest first (one account's with ``account``)."""
    return [_record(row, name) for row, name in _rows(session, account)]


def remove_feedback(session: Session, feedback_id: int) -> Feedback:
    """Delete feedback (and the post text it kept): the finding shows again on later checks."""
    row = session.get(FeedbackRow, feedback_id) if 0 < feedback_id <= MAX_ID else None
    if row is None:
        raise InputError(f"no feedback #{feedback_id}; see tactful feedback list")
    name = session.scalar(select(AccountRow.name).where(AccountRow.id == row.account_id))
    gone = _record(row, name or "")
    session.delete(row)
    session.flush()
    return gone


def rules_by_account(session: Session) -> dict[str, tuple[FeedbackRule, ...]]:
    """What the checker needs: each account's feedback, oldest first (for the snapshot)."""
    out: dict[str, list[FeedbackRule]] = defaultdict(list)
    for row, name in _rows(session, None):
        out[name].append(_record(row, name).rule())
    return {name: tuple(rules) for name, rules in out.items()}


def export_examples(session: Session, account: str | None = None) -> list[dict[str, Any]]:
    """The feedback as labelled examples (JSON objects), oldest first."""
    return [f.example() for f in list_feedback(session, account)]
