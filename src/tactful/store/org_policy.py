"""The organisation's policy, kept in the store so that every process checks with the same
one: the composer, audits, the schedule gate and each publishing worker.

It is one policy layer (the format of a policy file: ``rules``, ``allow``, ``settings``),
applied after the built-in layers and before an account's own overrides. Every change is a
new row with who made it and why; the newest row is in force and nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tactful.errors import InputError
from tactful.store.fields import text
from tactful.store.models import PolicyEventRow, utcnow

LAYER_NAME = "organisation"


@dataclass(frozen=True, slots=True)
class PolicyEvent:
    policy: Mapping[str, Any] | None  # None: the policy was cleared
    source: str | None
    reason: str
    actor: str
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy": dict(self.policy) if self.policy is not None else None,
            "source": self.source,
            "reason": self.reason,
            "actor": self.actor,
            "at": self.at.isoformat(),
        }


def _event(row: PolicyEventRow) -> PolicyEvent:
    return PolicyEvent(row.policy, row.source, row.reason, row.actor, row.created_at)


def current_policy(session: Session) -> PolicyEvent | None:
    """The change in force (None: no organisation policy was ever set)."""
    row = session.scalars(select(PolicyEventRow).order_by(PolicyEventRow.id.desc())).first()
    return _event(row) if row is not None else None


def policy_history(session: Session) -> list[PolicyEvent]:
    rows = session.scalars(select(PolicyEventRow).order_by(PolicyEventRow.id))
    return [_event(r) for r in rows]


def _validated(policy: Mapping[str, Any]) -> dict[str, Any]:
    from tactful.core.policy import parse_layer
    from tactful.core.ruleset import default_ruleset

    if not isinstance(policy, Mapping):
        raise InputError("an organisation policy is a mapping like {rules: {...}}")
    parse_layer(dict(policy), LAYER_NAME, default_ruleset())
    return dict(policy)


def set_policy(
    session: Session,
    policy: Mapping[str, Any] | None,
    *,
    reason: str,
    actor: str,
    source: str | None = None,
) -> PolicyEvent:
    """Record a new organisation policy (``None`` clears it), checked like a policy file
    before it is kept. ``reason`` is required: the history says why rules changed."""
    why = text(reason, "reason", 10_000)
    if not why:
        raise InputError("say why the policy changes (--reason), for the history")
    row = PolicyEventRow(
        policy=_validated(policy) if policy is not None else None,
        source=text(source, "source", 1_000),
        reason=why,
        actor=text(actor, "--by", 120) or actor,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return _event(row)


def adopt_policy_file(session: Session, path: str, *, actor: str, reason: str) -> str:
    """Make the file at ``path`` the organisation's policy, as ``serve --policy`` does:
    ``"set"`` when recorded, ``"unchanged"`` when it already is the policy in force, and
    ``"kept"`` when someone set another policy since (``tactful policy set`` or ``clear``):
    a restart with an old file never quietly undoes their change."""
    from tactful.core.policy import read_policy_file

    policy = read_policy_file(path)
    current = current_policy(session)
    if current is not None and current.policy == policy:
        return "unchanged"
    if current is not None and current.source != path:
        return "kept"
    set_policy(session, policy, reason=reason, actor=actor, source=path)
    return "set"
