"""E-mail addresses: personal (free-mail domains) versus business ones.

Only runs when the text has an "@" or a spelled-out "[at]"/"(at)"/" at ... dot ". Free-mail
domains come from ``pii_data.yml``; any other domain (a company's) is reported as
``business-email`` with a low score so that policy can keep it quiet, and the pattern says
what marks it as an organisation's: a role address (hello@, info@, press@), business words
around it ("our team", "book a demo") or only the company domain. Business scores never go
above ``SCORE_BUSINESS``. Fediverse handles (``@jane@mastodon.social``) and retina file
names (``logo@2x.png``) are not addresses.
"""

from __future__ import annotations

import re
from typing import ClassVar

from tactful.core.findings import Severity, Suggestion
from tactful.detectors.pii._common import (
    CONTACT,
    CheckInfo,
    Hit,
    Recognizer,
    Scan,
    near,
    phrase_regex,
    words,
)

_LOCAL = r"[a-z0-9](?:[a-z0-9._%+-]{0,63}[a-z0-9_+-])?"
_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}"
_EMAIL = re.compile(rf"(?<![\w.+@-])(?P<local>{_LOCAL})@(?P<domain>{_DOMAIN})(?![\w-]|\.\w)")
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|(?P<plain>\s+at\s+))"
_DOT = r"(?:\s*[\[({<]\s*dot\s*[\])}>]\s*|\s+dot\s+|\.)"
_SPELLED = re.compile(
    rf"(?<![\w.+@-])(?P<local>{_LOCAL}){_AT}(?P<domain>[a-z0-9-]+(?:{_DOT}[a-z0-9-]+)*?{_DOT}"
    r"[a-z]{2,24})(?![\w-])"
)
_DOT_WORD = re.compile(rf"{_DOT}")
_PREFILTER = re.compile(r"[\[({<]\s*at\s*[\])}>]")


class EmailRecognizer(Recognizer):
    """``personal-email`` for free-mail domains, ``business-email`` for the rest."""

    name = "emails"
    FREE_MAIL: ClassVar[frozenset[str]] = frozenset(words("emails", "free_mail_domains"))
    FILE_EXTENSIONS: ClassVar[frozenset[str]] = frozenset(words("emails", "file_extensions"))
    ROLES: ClassVar[frozenset[str]] = frozenset(words("emails", "role_local_parts"))
    # Not the start of an address: "sales@acme.io" is no business word for its neighbour.
    BUSINESS_CUES: ClassVar[re.Pattern[str]] = re.compile(
        phrase_regex(words("phones", "business_cues")).pattern + "(?!@)"
    )
    BUSINESS_BEFORE: ClassVar[int] = 40
    BUSINESS_AFTER: ClassVar[int] = 40
    SCORE_PERSONAL: ClassVar[float] = 0.9
    SCORE_SPELLED: ClassVar[float] = 0.85
    SCORE_BUSINESS: ClassVar[float] = 0.3

    CHECKS: ClassVar[dict[str, CheckInfo]] = {
        "personal-email": CheckInfo(
            CONTACT,
            Severity.WARN,
            "Personal e-mail address in the post",
            "A personal address in a public post is harvested for spam and phishing, lets "
            "strangers reach you directly to harass you, and ties your private inbox to your "
            "professional profile where clients can see it.",
            (
                Suggestion(
                    "replace", "Share a business contact instead", replacement="[business e-mail]"
                ),
                Suggestion("remove", "Remove it and ask people to send you a private message"),
            ),
        ),
        "business-email": CheckInfo(
            CONTACT,
            Severity.WARN,
            "E-mail address in the post (looks like a business address)",
            "A work or role address is usually fine to share, but it will be harvested by "
            "spammers and phishers; make sure it is not a colleague's personal inbox.",
            (
                Suggestion(
                    "other", "Keep it only if it is a published role address (press@, info@)"
                ),
                Suggestion("replace", "Link to a contact form", replacement="[contact page]"),
            ),
        ),
    }

    def applies(self, scan: Scan) -> bool:
        text = scan.text
        if "@" in text:
            return True
        if "at" not in scan.words:
            return False
        return "dot" in scan.words or _PREFILTER.search(text) is not None

    def analyze(self, scan: Scan) -> list[Hit]:
        text = scan.text
        hits: list[Hit] = []
        if "@" in text:
            for m in _EMAIL.finditer(text):
                hit = self._classify(text, m, m.group("domain"), spelled=False)
                if hit is not None:
                    hits.append(hit)
        for m in _SPELLED.finditer(text):
            if m.group("plain") and "dot" not in m.group("domain"):
                continue  # "sign up at yahoo.com" is a site, not an address
            domain = _DOT_WORD.sub(".", m.group("domain"))
            hit = self._classify(text, m, domain, spelled=True)
            # A spelled-out address only counts on a known free-mail domain: "meet at noon dot".
            if hit is not None and hit.check == "personal-email":
                hits.append(hit)
        return hits

    def _is_free_mail(self, domain: str) -> bool:
        parts = domain.split(".")
        return any(".".join(parts[i:]) in self.FREE_MAIL for i in range(len(parts) - 1))

    def _classify(self, text: str, m: re.Match[str], domain: str, *, spelled: bool) -> Hit | None:
        """The validate step: drop file names, then sort personal from business domains."""
        start, end = m.start(), m.end()
        tld = domain.rsplit(".", 1)[-1]
        if tld in self.FILE_EXTENSIONS:
            return None
        how = "spelled-out address" if spelled else "address"
        if self._is_free_mail(domain):
            score = self.SCORE_SPELLED if spelled else self.SCORE_PERSONAL
            return Hit("personal-email", start, end, score, f"{how} on free-mail domain {domain}")
        local = m.group("local")
        if local in self.ROLES:
            why = f"role {how} {local}@ on company domain {domain}"
        else:
            why = f"{how} on company domain {domain}"
        if near(self.BUSINESS_CUES, text, start, end, self.BUSINESS_BEFORE, self.BUSINESS_AFTER):
            why += " near a business word"
        return Hit("business-email", start, end, self.SCORE_BUSINESS, why)
