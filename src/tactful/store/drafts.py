"""Private-message drafts that ask a contact for permission to tag them (data in
``consent_drafts.yml``), worded for the platform and for a person or an organisation."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tactful.networks.platforms import Platform
from tactful.store.contacts import ContactRecord
from tactful.store.kinds import ContactKind

DATA = Path(__file__).with_name("consent_drafts.yml")


@cache
def _templates() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return data


def consent_request(
    contact: ContactRecord,
    platform: Platform,
    *,
    about: str | None = None,
    sender: str | None = None,
) -> str:
    group = "organisation" if contact.kind is ContactKind.ORGANISATION else "person"
    table = _templates()[group]
    template: str = table.get(platform.value) or table["generic"]
    greeting = f"{contact.name} team" if group == "organisation" else contact.first_name
    about = (about or "").strip().rstrip(".")
    return template.format(
        greeting=greeting,
        about=f" in a post about {about}" if about else "",
        sign_off=f"\n\n— {sender}" if sender else "",
        sign_off_inline=f"\n{sender}" if sender else "",
    ).strip()
