"""Advice for a connection request from a business contact to a personal account
("consider yourself on the clock"): redirect, accept into a restricted list, or accept and
treat the account as on the clock from then on."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

from pydantic import AfterValidator, model_validator

from tactful.core.data import DataModel, Source, Text, placeholders
from tactful.core.post import AccountKind
from tactful.networks.platforms import PLATFORM_NAMES, Platform
from tactful.store.accounts import AccountRecord
from tactful.store.contacts import ContactRecord
from tactful.store.kinds import Relation

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


class ConnectionAdviceFile(DataModel):
    """``store/connection_advice.yml``: per platform, how to accept with limited visibility
    (``generic`` for the others); and the note that points a contact to the work account."""

    restricted: dict[Platform, Text]
    redirect: Annotated[Text, AfterValidator(placeholders("first_name", "where"))]

    @model_validator(mode="after")
    def _has_generic(self) -> ConnectionAdviceFile:
        if Platform.GENERIC not in self.restricted:
            raise ValueError("restricted has no 'generic' entry; add one for other networks")
        return self


@cache
def _data() -> ConnectionAdviceFile:
    return Source.package("tactful.store", "connection_advice.yml").load(ConnectionAdviceFile)


def _work_account(account: AccountRecord, accounts: list[AccountRecord]) -> AccountRecord | None:
    work = [a for a in accounts if a.kind is not AccountKind.PERSONAL and a.name != account.name]
    same = [a for a in work if a.platform is account.platform]
    candidates = same or work
    return candidates[0] if candidates else None


def advise_connection(
    contact: ContactRecord, account: AccountRecord, accounts: list[AccountRecord]
) -> Advice:
    restricted = _data().restricted
    howto = restricted.get(account.platform) or restricted[Platform.GENERIC]
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
    message = _data().redirect.format(first_name=contact.first_name, where=where).strip()
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
