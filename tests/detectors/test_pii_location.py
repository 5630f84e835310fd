"""``safety.location``: addresses, where you live, where you are now, routines, schools.

Each span table row is ``(text, check, expected excerpt)``: the excerpt is ``text[start:end]``
of the finding's span in the ORIGINAL text.
"""

from __future__ import annotations

import pytest

from tactful.detectors.base import DetectContext
from tactful.detectors.pii import PiiDetector
from tactful.findings import Finding, Severity
from tactful.post import Post
from tactful.text import normalize

DETECTOR = PiiDetector()
RULE = "safety.location"


def detect(text: str) -> list[Finding]:
    return DETECTOR.detect(Post.build(text), DetectContext(norm=normalize(text)))


def assert_span(text: str, check: str, excerpt: str) -> Finding:
    findings = detect(text)
    got = [(f.rule_id, f.check, f.excerpt(text)) for f in findings]
    match = [f for f in findings if f.rule_id == RULE and f.excerpt(text) == excerpt]
    assert match, f"expected {excerpt!r} in {text!r}, got {got}"
    finding = match[0]
    assert finding.check == check, got
    assert finding.severity is Severity.WARN
    ((start, end),) = finding.spans
    assert text[start:end] == excerpt
    assert finding.matched == normalize(excerpt).text
    return finding


ADDRESSES = [
    # US / UK
    ("Visit me at 1234 Elm Street, Springfield", "street-address", "1234 Elm Street, Springfield"),
    ("Party at 12 Main St tonight", "street-address", "12 Main St"),
    ("It's 1600 Pennsylvania Avenue, not mine", "street-address", "1600 Pennsylvania Avenue"),
    (
        "Visit 221B Baker Street, London NW1 6XE",
        "street-address",
        "221B Baker Street, London NW1 6XE",
    ),
    ("10 Downing Street, London SW1A 2AA", "street-address", "10 Downing Street, London SW1A 2AA"),
    ("Meet at 55 St Mary's Road after work", "street-address", "55 St Mary's Road"),
    ("Postcode SW1A 1AA is nice", "postcode", "SW1A 1AA"),
    ("Come round, we're in M1 1AE", "postcode", "M1 1AE"),
    # German (ß is two letters once normalised; the span still ends in the right place)
    (
        "Ich wohne in der Hauptstraße 5, 10115 Berlin",
        "street-address",
        "Hauptstraße 5, 10115 Berlin",
    ),
    ("Treffpunkt Berliner Straße 12", "street-address", "Berliner Straße 12"),
    ("Lindenallee 3a ist schön", "street-address", "Lindenallee 3a"),
    ("Adresse: Schlossring 7, 20095 Hamburg", "street-address", "Schlossring 7, 20095 Hamburg"),
    # French
    (
        "J'habite au 12 rue de la Paix, 75002 Paris",
        "street-address",
        "12 rue de la Paix, 75002 Paris",
    ),
    (
        "We met at 5 avenue des Champs-Élysées, 75008 Paris",
        "street-address",
        "5 avenue des Champs-Élysées, 75008 Paris",
    ),
    ("Rendez-vous 3 bis rue Victor Hugo demain", "street-address", "3 bis rue Victor Hugo"),
    # where you live
    ("I live at 1234 Elm Street, Springfield", "home-address", "at 1234 Elm Street, Springfield"),
    ("I live at 42 Oak Road", "home-address", "at 42 Oak Road"),
    ("I live on Maple Avenue near the park", "home-address", "on Maple Avenue"),
    ("my place on Maple Ave is tiny", "home-address", "on Maple Ave"),
    ("My address is 7 Elm Close", "home-address", "7 Elm Close"),
    ("my home address: 7 Elm Close", "home-address", "7 Elm Close"),
    ("Our new house is on 5 Elm Street", "home-address", "on 5 Elm Street"),
    ("We just moved to 18 Harbour Lane!", "home-address", "to 18 Harbour Lane"),
    ("I live at Rosewood Manor", "home-address", "at Rosewood Manor"),
    # a business's address is reported, with a low score
    ("our office at 10 Main Street opens Monday", "business-address", "10 Main Street"),
    ("our store at 44 Market St opens at 9", "business-address", "44 Market St"),
    ("Our address is 10 Main Street", "street-address", "10 Main Street"),
    (
        "Visit our showroom, 12 Rue Oberkampf, 75011 Paris",
        "business-address",
        "12 Rue Oberkampf, 75011 Paris",
    ),
]


@pytest.mark.parametrize(("text", "check", "excerpt"), ADDRESSES)
def test_addresses(text: str, check: str, excerpt: str) -> None:
    finding = assert_span(text, check, excerpt)
    if check == "business-address":
        assert finding.score == pytest.approx(0.4)
    else:
        assert finding.score >= 0.6
        assert any(s.replacement for s in finding.suggestions)


def test_home_address_suggests_a_vaguer_place() -> None:
    finding = assert_span("I live on Maple Avenue near the park", "home-address", "on Maple Avenue")
    assert finding.suggestions[0].replacement == "in town"


WHEREABOUTS = [
    ("I'm at Blue Bottle on Main St right now", "live-location", "at Blue Bottle on Main St"),
    ("Currently at the airport, flight delayed", "live-location", "at the airport"),
    ("Currently at JFK Terminal 4, boarding soon", "live-location", "at JFK Terminal 4"),
    ("Just checked in at the Hilton Midtown!", "live-location", "checked in at the Hilton Midtown"),
    ("just checked into the Ace Hotel", "live-location", "checked into the Ace Hotel"),
    ("📍 Café Luna, Brooklyn", "live-location", "📍 Café Luna"),
    ("at the gym now, then work", "live-location", "at the gym"),
    ("I'm at the Marriott Downtown right now", "live-location", "at the Marriott Downtown"),
    ("Sitting outside Starbucks on 5th right now", "live-location", "outside Starbucks on 5th"),
    ("We’re at the beach till late 🌊", "live-location", "at the beach"),
    # routines
    ("Every Tuesday at 6am at the gym on 5th", "routine", "Every Tuesday at 6am at the gym on 5th"),
    ("Every morning I run along the canal", "routine", "Every morning I run along the canal"),
    ("Each Friday at 7pm I'm at The Crown", "routine", "Each Friday at 7pm I'm at The Crown"),
    (
        "On Mondays at 6pm I swim at the Westside pool",
        "routine",
        "On Mondays at 6pm I swim at the Westside pool",
    ),
    (
        "every weekend I hike the trails near Mount Tam",
        "routine",
        "every weekend I hike the trails near Mount Tam",
    ),
    (
        "Every Friday at 7am I train at Gold's Gym on Main Street",
        "routine",
        "Every Friday at 7am I train at Gold's Gym on Main Street",
    ),
    # children's school
    (
        "I pick my daughter up from Oakwood Primary at 3:15",
        "child-school",
        "pick my daughter up from Oakwood Primary at 3:15",
    ),
    (
        "Dropping my son at Lincoln Elementary at 8 every day",
        "child-school",
        "Dropping my son at Lincoln Elementary at 8",
    ),
    (
        "Picking my kids up from school at 3:30 today",
        "child-school",
        "Picking my kids up from school at 3:30",
    ),
    (
        "So proud: my twins love St Anne's Academy",
        "child-school",
        "my twins love St Anne's Academy",
    ),
]


@pytest.mark.parametrize(("text", "check", "excerpt"), WHEREABOUTS)
def test_whereabouts(text: str, check: str, excerpt: str) -> None:
    finding = assert_span(text, check, excerpt)
    assert finding.score >= 0.6


def test_live_location_suggests_posting_later() -> None:
    finding = assert_span("at the gym now, then work", "live-location", "at the gym")
    assert finding.suggestions[0].replacement == "in town"
    assert any("after you have left" in s.description for s in finding.suggestions)


NOT_LOCATIONS = [
    "Please address the feedback by Friday.",
    "We need to address 3 open issues.",
    "I'm at a loss right now.",
    "We're at capacity.",
    "We are at 95% capacity today.",
    "I'm at peace with the decision.",
    "I am at the top of my game right now.",
    "I'm at my desk all day.",
    "I'm at home alone tonight",
    "Every Tuesday we publish a newsletter.",
    "Every Monday at 9 we have standup.",
    "Every day I learn something new.",
    "We drove 500 miles down the road.",
    "Read 5 ways to improve your road map.",
    "Top 10 tips for the road ahead.",
    "The 3 place winners get prizes.",
    "Spring 2024 was great, during 2023 we grew.",
    "Currently at Acme Corp as a senior engineer.",
    "Happy to share that I'm at Stripe now!",
    "I'm in London right now for a client visit.",
    "I live for these moments.",
    "I live on coffee and deadlines.",
    "We moved to Berlin last year.",
    "My kids love the new school year.",
    "My daughter started school today!",
    "Our team is at the conference this week in Berlin.",
]


@pytest.mark.parametrize("text", NOT_LOCATIONS)
def test_not_locations(text: str) -> None:
    assert [(f.check, f.excerpt(text)) for f in detect(text)] == []
