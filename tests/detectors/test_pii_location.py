"""``safety.location``: addresses, where you live, where you are now, routines, schools.

Each span table row is ``(text, check, expected excerpt)``: the excerpt is ``text[start:end]``
of the finding's span in the ORIGINAL text.
"""

from __future__ import annotations

import pytest

from tactful.core.findings import Finding, Severity
from tactful.core.post import Post
from tactful.core.text import normalize
from tactful.detectors.base import DetectContext
from tactful.detectors.pii import PiiDetector

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
    # a body at a named venue, with "right now" or an invitation to come and find you
    (
        "Sitting in Costa on Deansgate right now if anyone wants to say hi",
        "live-location",
        "in Costa on Deansgate",
    ),
    ("Sitting in Costa right now", "live-location", "in Costa"),
    (
        "I'm in Costa on Deansgate if anyone wants to say hi",
        "live-location",
        "in Costa on Deansgate",
    ),
    ("I'm at the bar now, come say hi", "live-location", "at the bar"),
    ("We're at the Old Bailey today, come say hello", "live-location", "at the Old Bailey"),
    # travel: at the airport, boarding, a hotel lobby
    ("at the airport now", "live-location", "at the airport"),
    ("boarding in 10 min", "live-location", "boarding in 10 min"),
    ("Boarding in 10 minutes, see you in Lisbon!", "live-location", "Boarding in 10 minutes"),
    ("Gate B12 boarding now", "live-location", "Gate B12 boarding now"),
    ("About to board, see you on the other side", "live-location", "About to board"),
    (
        "currently in the lobby of the Hilton on 5th Ave",
        "live-location",
        "in the lobby of the Hilton on 5th Ave",
    ),
    (
        "I'm currently in the lobby of the Hilton on 5th Ave",
        "live-location",
        "in the lobby of the Hilton on 5th Ave",
    ),
    ("Grabbing lunch at the pub today with the team", "live-location", "at the pub"),
    # an empty home, or how long you are away
    (
        "Heading out now, the house is empty for two weeks while we're in Spain!",
        "away-from-home",
        "the house is empty for two weeks",
    ),
    ("The house is empty until the 14th.", "away-from-home", "The house is empty until the 14th"),
    (
        "Empty house for the weekend while the family is in Cornwall",
        "away-from-home",
        "Empty house for the weekend",
    ),
    (
        "Nobody's home until Sunday, so the cat sitter has the keys.",
        "away-from-home",
        "Nobody's home until Sunday",
    ),
    (
        "No one will be home for the weekend.",
        "away-from-home",
        "No one will be home for the weekend",
    ),
    ("We're away for two weeks, back on the 14th!", "away-from-home", "away for two weeks"),
    ("We're away for two weeks, back on the 14th!", "away-from-home", "back on the 14th"),
    ("Away for a fortnight! See you all soon.", "away-from-home", "Away for a fortnight"),
    (
        "I'm on holiday until Monday 3rd June, so replies will be slow.",
        "away-from-home",
        "on holiday until Monday 3rd June",
    ),
    (
        "We'll be out of the country until the new year.",
        "away-from-home",
        "out of the country until the new year",
    ),
    ("Off to Bali, back on the 14th!", "away-from-home", "back on the 14th"),
    (
        "We fly out to Greece on Friday for a family holiday. Back on the 21st!",
        "away-from-home",
        "Back on the 21st",
    ),
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


def test_a_named_venue_scores_higher_than_a_city() -> None:
    venue = assert_span(
        "Sitting in Costa on Deansgate right now if anyone wants to say hi",
        "live-location",
        "in Costa on Deansgate",
    )
    city = assert_span(
        "I'm in London right now for a client visit, come say hi", "live-location", "in London"
    )
    assert venue.score > city.score >= 0.45


def test_an_empty_home_says_why_it_matters() -> None:
    finding = assert_span(
        "Heading out now, the house is empty for two weeks while we're in Spain!",
        "away-from-home",
        "the house is empty for two weeks",
    )
    assert finding.score >= 0.8
    assert "burglar" in finding.explanation
    assert "empty home" in finding.explanation


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
    # "at the ..." phrases: the legal profession, idioms, a place that describes a subject
    "Diversity at the Bar still has a long way to go.",
    "Diversity at the bar still has a long way to go.",
    "Called to the Bar in 2015, I now lead the firm's disputes team.",
    "At the moment I'm focused on hiring.",
    "We're at the forefront of AI right now.",
    "We operate at scale now across 12 markets.",
    "At the end of the day, I'm at peace with it.",
    "I'm at work right now, will reply later.",
    "I'm at work today, back to the inbox tomorrow.",
    "The team at the hospital today is amazing.",
    # "in" + a city, a meeting or an idiom: not a venue
    "I'm in London right now for a client visit.",
    "Sitting in a meeting right now, will call back.",
    "Sitting in traffic right now.",
    "I'm currently in the market for a senior product role.",
    "Currently in the process of hiring 3 engineers in Manchester.",
    # boarding that is not a flight
    "Onboarding in 10 minutes: how we redesigned our signup flow.",
    "Boarding school taught me resilience.",
    # away, but not the author's home, or "back" with no trip
    "Back on the 14th with part two of this series!",
    "We're back on the 14th with our next webinar.",
    "Our team trip to Lisbon was great. Back on Monday with the recap!",
    "Our CEO is away for two weeks at the Davos summit.",
    "The office is empty for two weeks over the holidays.",
    "Stay away from vanity metrics for a few weeks and watch retention.",
    "Our product went abroad for the first time this year.",
    "Lights are on but nobody's home at that company.",
]


@pytest.mark.parametrize("text", NOT_LOCATIONS)
def test_not_locations(text: str) -> None:
    assert [(f.check, f.excerpt(text)) for f in detect(text)] == []
