"""The store's vocabularies, importable without SQLAlchemy (the CLI builds its choices from
them at start-up)."""

from __future__ import annotations

from enum import StrEnum


class ContactKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"


class Relation(StrEnum):
    CLIENT = "client"
    PROSPECT = "prospect"
    COLLEAGUE = "colleague"
    EMPLOYER = "employer"
    FORMER_EMPLOYER = "former_employer"
    PARTNER = "partner"
    SUPPLIER = "supplier"
    FRIEND = "friend"
    FAMILY = "family"
    COMPETITOR = "competitor"
    PRESS = "press"
    CONNECTION = "connection"
    OTHER = "other"


class ConsentStatus(StrEnum):
    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    NONE = "none"  # nothing recorded (never stored)
    EXPIRED = "expired"  # a grant past its expiry (never stored)


class RightsBasis(StrEnum):
    OWN = "own"  # own work
    LICENCE = "licence"
    PERMISSION = "permission"  # written permission from the owner
    UNKNOWN = "unknown"
