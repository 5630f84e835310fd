"""Private-message drafts that ask a contact for permission to tag them (data in
``consent_drafts.yml``), worded for the platform and for a person or an organisation."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator, model_validator

from tactful.core.data import DataModel, Source, Text, placeholders
from tactful.networks.platforms import Platform
from tactful.store.kinds import ContactKind

if TYPE_CHECKING:  # the contacts module needs SQLAlchemy; a draft without a store does not
    from tactful.store.contacts import ContactRecord

Draft = Annotated[
    Text, AfterValidator(placeholders("greeting", "about", "sign_off", "sign_off_inline"))
]


class ConsentDraftsFile(DataModel):
    """``store/consent_drafts.yml``: a draft per platform (``generic`` for the others), for a
    person and for an organisation."""

    person: dict[Platform, Draft]
    organisation: dict[Platform, Draft]

    @model_validator(mode="after")
    def _has_generic(self) -> ConsentDraftsFile:
        for group in ("person", "organisation"):
            if Platform.GENERIC not in getattr(self, group):
                raise ValueError(f"{group} has no 'generic' draft; add one for other networks")
        return self


@cache
def _templates() -> ConsentDraftsFile:
    return Source.package("tactful.store", "consent_drafts.yml").load(ConsentDraftsFile)


def consent_request(
    contact: ContactRecord,
    platform: Platform,
    *,
    about: str | None = None,
    sender: str | None = None,
) -> str:
    """The draft asking ``contact`` for permission to tag them on ``platform``."""
    organisation = contact.kind is ContactKind.ORGANISATION
    greeting = f"{contact.name} team" if organisation else contact.first_name
    return ask_to_tag(
        platform, greeting=greeting, organisation=organisation, about=about, sender=sender
    )


def ask_to_tag(
    platform: Platform,
    *,
    greeting: str,
    organisation: bool = False,
    about: str | None = None,
    sender: str | None = None,
) -> str:
    """The draft for someone who is not (or not yet) a contact: ``greeting`` is how to
    address them ("Jane", "there", "Acme team"). Needs no store."""
    table: dict[Platform, str] = getattr(_templates(), "organisation" if organisation else "person")
    template = table.get(platform) or table[Platform.GENERIC]
    about = (about or "").strip().rstrip(".")
    return template.format(
        greeting=greeting,
        about=f" in a post about {about}" if about else "",
        sign_off=f"\n\n— {sender}" if sender else "",
        sign_off_inline=f"\n{sender}" if sender else "",
    ).strip()
