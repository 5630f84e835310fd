"""The personal-safety (PII) detector: the contract, and ``safety.contact`` (phones, e-mails).

Location and identity data are in ``test_pii_location.py`` and ``test_pii_identity.py``.
Each span table row is ``(text, rule_id, check, expected excerpt)``: the excerpt is
``text[start:end]`` of the finding's span in the ORIGINAL text.
"""

from __future__ import annotations

import re

import pytest

from tactful.core.findings import Finding, Severity
from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext, Detector
from tactful.detectors.pii import PiiDetector
from tactful.detectors.pii._common import pii_data

DETECTOR = PiiDetector()


def detect(text: str, account_kind: str = "personal") -> tuple[list[Finding], DetectContext]:
    ctx = DetectContext(norm=normalize(text))
    return DETECTOR.detect(Post.build(text, account_kind=account_kind), ctx), ctx


def assert_span(text: str, rule_id: str, check: str, excerpt: str) -> Finding:
    findings, ctx = detect(text)
    got = [(f.rule_id, f.check, f.excerpt(text)) for f in findings]
    match = [f for f in findings if f.rule_id == rule_id and f.excerpt(text) == excerpt]
    assert match, f"expected {rule_id} {excerpt!r} in {text!r}, got {got}"
    finding = match[0]
    assert finding.check == check, got
    ((start, end),) = finding.spans
    assert 0 <= start < end <= len(text)
    assert text[start:end] == excerpt
    assert finding.matched == normalize(excerpt).text  # the span maps back to what matched
    assert ctx.scores[rule_id] >= finding.score
    return finding


# -- the contract --------------------------------------------------------------------------


def test_is_a_detector_named_pii() -> None:
    assert isinstance(DETECTOR, Detector)
    assert DETECTOR.name == "pii"


def test_entry_point_path_imports() -> None:
    from importlib import import_module

    module = import_module("tactful.detectors.pii")
    assert module.PiiDetector is PiiDetector


def test_word_lists_load_once_from_yaml() -> None:
    assert pii_data() is pii_data()
    assert "gmail.com" in pii_data().emails.free_mail_domains
    assert all(
        isinstance(w, str)
        for section in pii_data().model_dump(exclude={"phones": {"reserved_ranges"}}).values()
        for words in section.values()
        for w in words
    )
    assert [r.region for r in pii_data().phones.reserved_ranges] == ["GB", "GB"]


@pytest.mark.parametrize(
    "text",
    [
        "Call me on 07700 900123 tonight",
        "Write to jane.doe@gmail.com please",
        "I live at 1234 Elm Street, Springfield",
        "Card: 4111 1111 1111 1111",
    ],
)
def test_every_finding_is_complete(text: str) -> None:
    findings, ctx = detect(text)
    assert findings
    for f in findings:
        assert f.detector == "pii"
        assert f.rule_id.startswith("safety.")
        assert f.message and "\n" not in f.message
        assert "Found by the" in f.explanation  # says which pattern fired
        assert f.suggestions and all(s.description for s in f.suggestions)
        assert f.check
        assert 0.0 <= f.score <= 1.0
        assert ctx.scores[f.rule_id] == max(g.score for g in findings if g.rule_id == f.rule_id)


def test_empty_and_plain_posts_have_no_findings() -> None:
    assert detect("")[0] == []
    assert detect("🎉🎉🎉")[0] == []
    assert detect("Great quarter, team! Thanks to everyone who made it happen.")[0] == []


def test_findings_are_sorted_by_position() -> None:
    text = "Mail jane@gmail.com or call +44 20 7946 0958. I live at 42 Oak Road."
    findings, _ = detect(text)
    starts = [f.start for f in findings]
    assert starts == sorted(starts) and len(findings) == 3


def test_account_kind_does_not_change_results() -> None:
    text = "Our office at 10 Main Street; call 020 7946 0958 or mail press@acme.com"
    personal = [f.to_dict(text) for f in detect(text, "personal")[0]]
    brand = [f.to_dict(text) for f in detect(text, "brand")[0]]
    assert personal == brand


def test_a_mismatched_context_is_renormalised() -> None:
    text = "Text me on 020 7946 0958"
    ctx = DetectContext(norm=normalize("something else"))
    (finding,) = DETECTOR.detect(Post.build(text), ctx)
    assert finding.excerpt(text) == "020 7946 0958"


# -- phone numbers ------------------------------------------------------------------------

PHONES = [
    # US
    ("My number is (212) 555-0198, call anytime", "(212) 555-0198"),
    ("Reach me at 415-555-2671", "415-555-2671"),
    ("Call me: +1 415 555 2671", "+1 415 555 2671"),
    ("text 212.555.0198 if you're lost", "212.555.0198"),
    # UK
    ("Text me on 020 7946 0958", "020 7946 0958"),
    ("Ring +44 20 7946 0958 before noon", "+44 20 7946 0958"),
    ("Call me on 07700 900123 tonight", "07700 900123"),
    ("Text me at +44 7700 900123", "+44 7700 900123"),
    ("tel 0044 20 7946 0958", "0044 20 7946 0958"),
    # DE
    ("Ruf mich an: 030 12345678", "030 12345678"),
    ("Handy: +49 (0)30 1234567", "+49 (0)30 1234567"),
    ("Erreichbar unter 0151 23456789", "0151 23456789"),
    # FR
    ("Appelle-moi au 01 42 68 53 00", "01 42 68 53 00"),
    ("Mon portable : 06 12 34 56 78", "06 12 34 56 78"),
    ("WhatsApp +33 6 12 34 56 78", "+33 6 12 34 56 78"),
    # IN
    ("WhatsApp +91 98765 43210", "+91 98765 43210"),
    ("Mobile: 98765 43210", "98765 43210"),
    ("Call 022 2345 6789 any time", "022 2345 6789"),
    # only "possible", so it needs the cue
    ("call 555 123 4567 after six", "555 123 4567"),
    # a generic label ("no.", "#") after a phone word is still a phone
    ("Mobile no. 07700 900123", "07700 900123"),
    ("Phone #: 020 7946 0958", "020 7946 0958"),
    ("Ref: call 020 7946 0958", "020 7946 0958"),
    # spans index the original text through invisible and full-width characters
    ("Call me\u200b on 020 7946 0958", "020 7946 0958"),
    ("Phone ０２０ ７９４６ ０９５８ please", "０２０ ７９４６ ０９５８"),
]


@pytest.mark.parametrize(("text", "excerpt"), PHONES)
def test_phone_numbers(text: str, excerpt: str) -> None:
    finding = assert_span(text, "safety.contact", "phone", excerpt)
    assert finding.severity is Severity.WARN
    assert finding.suggestions[0].replacement == "[business phone]"
    assert "phonenumbers" in finding.explanation


def test_a_cue_raises_the_phone_score() -> None:
    cued = assert_span("Text me on 020 7946 0958", "safety.contact", "phone", "020 7946 0958")
    bare = assert_span("The line is 020 7946 0958", "safety.contact", "phone", "020 7946 0958")
    possible = assert_span("call 555 123 4567 after six", "safety.contact", "phone", "555 123 4567")
    assert cued.score > bare.score > possible.score


# The explanation names the country in words. A national number is the country's that
# groups the digits as typed, or that keeps the range for drama ("07700 900123" is a UK
# mobile, though Germany's looser plan also calls it valid).
COUNTRIES = [
    ("Call me on 07700 900123 tonight", "mobile number (United Kingdom)"),
    ("Text me at +44 7700 900123", "mobile number (United Kingdom)"),
    ("ring 07700900123", "mobile number (United Kingdom)"),
    ("call 01632 960123", "landline number (United Kingdom)"),
    ("Text me on 020 7946 0958", "(United Kingdom)"),
    ("Mon portable : 06 12 34 56 78", "mobile number (France)"),
    ("Call 022 2345 6789 any time", "(India)"),
    ("Ruf mich an: 030 12345678", "(Germany)"),
    ("Erreichbar unter 0151 23456789", "mobile number (Germany)"),
    ("Call me: +1 415 555 2671", "(United States)"),
]


@pytest.mark.parametrize(("text", "country"), COUNTRIES)
def test_the_explanation_names_the_right_country(text: str, country: str) -> None:
    findings, _ = detect(text)
    (phone,) = [f for f in findings if f.check == "phone"]
    assert country in phone.explanation
    assert not re.search(r"\b(?:GB|DE|FR|IN|US)\b", phone.explanation), phone.explanation


def test_a_number_kept_for_drama_scores_like_a_real_one() -> None:
    drama = assert_span("Call me on 07700 900123", "safety.contact", "phone", "07700 900123")
    real = assert_span("Call me on 020 7946 0958", "safety.contact", "phone", "020 7946 0958")
    assert drama.score == real.score
    assert "Ofcom keeps for drama" in drama.explanation


def test_two_numbers_joined_by_a_slash() -> None:
    text = "Call 020 7946 0958 / +49 30 12345678"
    findings, _ = detect(text)
    assert [f.excerpt(text) for f in findings] == ["020 7946 0958", "+49 30 12345678"]


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Call our office on 0800 123 4567", "0800 123 4567"),
        ("Contact us via the form. Call 1-800-555-0199 toll free.", "1-800-555-0199"),
        ("Customer service: 020 7946 0958", "020 7946 0958"),
        ("Book a demo: 020 7946 0958", "020 7946 0958"),
        ("Call 020 7946 0958 to book a demo", "020 7946 0958"),
        # a business word or a role address elsewhere in the clause
        ("Email our team at hello@brightpath.co.uk or call 020 7946 0958.", "020 7946 0958"),
        ("Email hello@brightpath.co.uk or call 020 7946 0958.", "020 7946 0958"),
        ("Questions? info@acme.io or 020 7946 0958", "020 7946 0958"),
    ],
)
def test_business_phone_numbers_score_low(text: str, excerpt: str) -> None:
    finding = assert_span(text, "safety.contact", "business-phone", excerpt)
    assert finding.score == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Call me on 07700 900123, the office is closed.", "07700 900123"),
        ("Email our team at hello@brightpath.co.uk or call me on 07700 900123.", "07700 900123"),
        ("Email jane@brightpath.co.uk or call 020 7946 0958.", "020 7946 0958"),
    ],
)
def test_a_personal_word_keeps_a_phone_personal(text: str, excerpt: str) -> None:
    finding = assert_span(text, "safety.contact", "phone", excerpt)
    assert finding.score >= 0.85


BUSINESS_CONTACT = (
    "Email our team at hello@brightpath.co.uk or call the office on 020 7946 0958 to book a demo."
)


def test_business_contacts_are_low_score_business_checks() -> None:
    email = assert_span(
        BUSINESS_CONTACT, "safety.contact", "business-email", "hello@brightpath.co.uk"
    )
    phone = assert_span(BUSINESS_CONTACT, "safety.contact", "business-phone", "020 7946 0958")
    findings, ctx = detect(BUSINESS_CONTACT)
    assert [f.check for f in findings] == ["business-email", "business-phone"]
    assert all(f.score <= 0.3 for f in findings)
    assert ctx.scores["safety.contact"] <= 0.3
    assert "role address hello@" in email.explanation
    assert "company domain brightpath.co.uk" in email.explanation
    assert "business word" in email.explanation
    assert "business word" in phone.explanation


NOT_PHONES = [
    "In 1988 we had 1500000 users, order #12345678",
    "price $1,299.00 on 12/03/2024 at 10:30",
    "order 123-456-7890 shipped today",
    "We closed Q3 with revenue of 12,500,000 and 3 new hires.",
    "Our 2023 report: 45% growth, 1200 customers, 15 countries.",
    "Join our webinar on 14 March 2024 at 10:00 CET.",
    "Version 2.14.1029 is live. Build 20240312.",
    "Order #A-1234567 has shipped. Tracking 1Z999AA10123456784.",
    "ISBN 978-3-16-148410-0 is my new book.",
    "From 2019 to 2024 we grew 10x. 2019 2020 2021 2022.",
    "We hit 1,000,000 downloads!",
    "Meeting 10:30-12:45 and the deadline is 2024-03-12.",
    "From 192.168.100.200 we saw 2019-2023 data",
    "€ 1500000 raised in the seed round",
    "Reference 555 123 4567 in the ticket",
    "Dates: 12.03.2024 and 03/12/2024",
    "Invoice no. 4567 8901 234 is late",
    "We passed 2125550198 impressions this year",
    "Room 536-22-1234 is booked",
    # reference, case, registration and ticket numbers: "number" or "call" nearby is no cue
    "Case number 2023-0415-7789 was finally closed after two years.",
    "Our company registration number is 09876543",
    "Company no. 09876543, registered in England and Wales.",
    "Ticket ID 48213377 was resolved in under an hour by our support team.",
    "Order number 4417 8821 09 ships on Monday from our Leeds warehouse.",
    "Invoice INV-2024-00017 was paid within 30 days.",
    "Tracking number 9400 1000 0000 0000 0000 00 says the samples arrive Friday.",
    "ISBN 978-0-13-468599-1: the second edition is finally out.",
    "Policy number 8812 4410 77 renewed without a hitch.",
    "Our VAT number is GB 123 4567 89.",
    "Claim reference 2024 118 5567 is now settled.",
    "Application ID 20240517 submitted for the innovation grant!",
    "Call for papers closes soon: submission ID 2024-0567-1123.",
]


@pytest.mark.parametrize("text", NOT_PHONES)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert [f.to_dict(text) for f in detect(text)[0]] == []


# -- e-mail addresses ---------------------------------------------------------------------

PERSONAL_EMAILS = [
    ("Write to jane.doe@gmail.com please", "jane.doe@gmail.com"),
    ("jane+news@googlemail.com", "jane+news@googlemail.com"),
    ("mail: Max.Mustermann@web.de", "Max.Mustermann@web.de"),
    ("ping pierre@orange.fr for the slides", "pierre@orange.fr"),
    ("me@outlook.com or me@hotmail.co.uk", "me@outlook.com"),
    ("Old address: sam_1990@yahoo.co.uk.", "sam_1990@yahoo.co.uk"),
    ("icloud: kim@icloud.com", "kim@icloud.com"),
    ("secure: alex@proton.me", "alex@proton.me"),
    ("GMX: lena@gmx.de", "lena@gmx.de"),
    ("email me: jane [at] gmail [dot] com", "jane [at] gmail [dot] com"),
    ("Mail JANE at GMAIL dot COM", "JANE at GMAIL dot COM"),
]


@pytest.mark.parametrize(("text", "excerpt"), PERSONAL_EMAILS)
def test_personal_emails(text: str, excerpt: str) -> None:
    finding = assert_span(text, "safety.contact", "personal-email", excerpt)
    assert finding.score >= 0.85
    assert finding.suggestions[0].replacement == "[business e-mail]"


@pytest.mark.parametrize(
    ("text", "excerpt"),
    [
        ("Contact press@acme.com for interviews", "press@acme.com"),
        ("hello@studio-nord.de", "hello@studio-nord.de"),
        ("Reach jane.doe@bigcorp.co.uk about the role", "jane.doe@bigcorp.co.uk"),
        ("Questions? info@acme.io", "info@acme.io"),
        ("Send your CV to careers@brightpath.co.uk", "careers@brightpath.co.uk"),
        ("sales@acme.com, support@acme.com", "support@acme.com"),
        ("Drop the team a line: team@acme.dev", "team@acme.dev"),
        ("SALES@ACME.COM", "SALES@ACME.COM"),
    ],
)
def test_business_emails_score_low(text: str, excerpt: str) -> None:
    finding = assert_span(text, "safety.contact", "business-email", excerpt)
    assert finding.score == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Email hello@brightpath.co.uk", "hello"),
        ("info@acme.io", "info"),
        ("sales@acme.io", "sales"),
        ("support@acme.io", "support"),
        ("press@acme.io", "press"),
        ("careers@acme.io", "careers"),
        ("team@acme.io", "team"),
    ],
)
def test_role_addresses_are_named_in_the_explanation(text: str, role: str) -> None:
    (finding,) = detect(text)[0]
    assert finding.check == "business-email"
    assert f"role address {role}@" in finding.explanation
    assert finding.score <= 0.3


def test_a_named_address_on_a_company_domain_is_still_business() -> None:
    (finding,) = detect("Reach jane.doe@bigcorp.co.uk about the role")[0]
    assert "role address jane" not in finding.explanation
    assert "recognizer: address on company domain bigcorp.co.uk" in finding.explanation


@pytest.mark.parametrize(
    "text",
    [
        "follow me at @jane@mastodon.social",
        "the retina logo@2x.png is ready",
        "@sarah great post!",
        "sign up at yahoo.com today",
        "The email@ thing failed.",
        "Use your work address, not a personal one.",
    ],
)
def test_not_emails(text: str) -> None:
    assert detect(text)[0] == []


# -- ordinary professional posts ------------------------------------------------------------

ORDINARY_POSTS = [
    # numbers that are not contact details
    "Invoice INV-2024-00017 was paid within 30 days, which is why cash flow looks healthy.",
    "Ticket ID 48213377 was resolved in under an hour by our support team.",
    "Our VAT number is GB 123 4567 89, for anyone updating supplier records.",
    "Our registration number is 12345678 and our office is in Leeds.",
    "Policy number 8812 4410 77 renewed without a hitch, thanks to our broker.",
    # places and "at the ..." phrases that say nothing about where the author is now
    "Ten years at the Bar taught me how to listen before I argue.",
    "Women at the Bar still face a 20% pay gap.",
    "At the end of the day, culture eats strategy for breakfast.",
    "We're at the forefront of battery research right now, and hiring.",
    "AI at scale is hard: our platform now serves 40 countries.",
    "I'm currently in the market for a senior product role in Manchester.",
    "At the moment we're hiring for 3 roles in our London office.",
    "The team at the hospital today is the reason I love this job.",
    "Proud that our stand at the market today drew 300 visitors.",
    "I'm at work right now, so I'll reply to comments after 5.",
    "We're in the arena now, competing with the biggest players.",
    "Sitting in on the board meeting right now as an observer.",
    # absences that are not an empty home
    "Back on the 14th with part two of this series on pricing!",
    "The office is empty for two weeks over the holidays, so the team is fully remote.",
    "Our CEO is away for two weeks at the Davos summit, so Priya is leading the all-hands.",
    "Lights are on but nobody's home: that's how most dashboards feel.",
    "Onboarding in 10 minutes: how we redesigned our signup flow.",
    "Boarding school taught me resilience; 20 years later I run a 40-person team.",
]


@pytest.mark.parametrize("text", ORDINARY_POSTS)
def test_ordinary_professional_posts_have_no_findings(text: str) -> None:
    assert [(f.check, f.excerpt(text)) for f in detect(text)[0]] == []
