"""Advice for a connection request from a business contact to a personal account
("consider yourself on the clock"): redirect, accept into a restricted list, or accept and
treat the account as on the clock from then on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tactful.core.post import AccountKind
from tactful.networks.platforms import PLATFORM_NAMES
from tactful.store.accounts import AccountRecord
from tactful.store.contacts import ContactRecord
from tactful.store.kinds import Relation

DATA = Path(__file__).with_name("connection_advice.yml")
PRIVATE = frozenset({Relation.FRIEND, Relation.FAMILY})


@dataclass(frozen=True, slots=True)
class Advice:
    recommendation: str  # accept | redirect | restricted
    summary: str
    reasons: tuple[str, ...]
    restricted_howto: str
    redirect_message: str | None
    work_account: AccountRecord | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "recommendation": self.recommendation,
            "summary": self.summary,
            "reasons": list(self.reasons),
            "restricted_howto": self.restricted_howto,
            "redirect_message": self.redirect_message,
            "work_account": self.work_account.name if self.work_account else None,
        }


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


def _work_account(account: AccountRecord, accounts: list[AccountRecord]) -> AccountRecord | None:
    work = [a for a in accounts if a.kind is not AccountKind.PERSONAL and a.name != account.name]
    same = [a for a in work if a.platform is account.platform]
    candidates = same or work
    return candidates[0] if candidates else None


def advise_connection(
    contact: ContactRecord, account: AccountRecord, accounts: list[AccountRecord]
) -> Advice:
    howto = _data()["restricted"].get(account.platform.value) or _data()["restricted"]["generic"]
    if account.kind is not AccountKind.PERSONAL:
        return Advice(
            "accept",
            f"Accept: {account.name} is a {account.kind} account, made for contacts like "
            f"{contact.name}.",
            ("Business contacts belong on a work account.",),
            howto,
            None,
            None,
        )
    if contact.relation in PRIVATE:
        return Advice(
            "accept",
            f"Accept: {contact.name} is {contact.relation.value}, and this is your personal "
            "account.",
            ("Friends and family are who a personal account is for.",),
            howto,
            None,
            None,
        )
    work = _work_account(account, accounts)
    where = ""
    if work is not None:
        handle = f" (@{work.handle})" if work.handle else ""
        where = f" on {PLATFORM_NAMES[work.platform.value]}{handle}"
    message = _data()["redirect"].format(first_name=contact.first_name, where=where).strip()
    reasons = [
        f"{contact.name} is a {contact.relation.value.replace('_', ' ')}: once they see this "
        "account, everything on it speaks for your business too ('on the clock').",
        "Saying no outright can offend; pointing to your work profile keeps the relationship.",
    ]
    if work is None:
        reasons.append(
            "You have no work account recorded: add one (tactful accounts add ... --kind "
            "professional) to point them to."
        )
    return Advice(
        "redirect" if work is not None else "restricted",
        (
            f"Point {contact.name} to {work.name} instead"
            if work is not None
            else f"Accept {contact.name} only with limited visibility"
        ),
        tuple(reasons),
        howto,
        message,
        work,
    )
