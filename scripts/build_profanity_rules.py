#!/usr/bin/env python3
"""Generate ``src/tactful/rules/en/profanity.yml`` from the surge-ai profanity list.

The list (``lexicons/profanity_en.csv`` under the data folder) holds about 1,600 profane
terms and slurs with categories and a 1-3 severity. This script turns it into rule entries:

- slurs against a group (racial or ethnic, sexual orientation or gender identity, mental or
  physical disability) become ``offense.identity`` entries, one per kind of slur, severity
  ``block``;
- everything else becomes ``offense.profanity`` entries split by strength: mild (``info``),
  strong (``warn``) and severe (``warn`` with a high score);
- words with one well-known innocent sense ("a chink in the armour", "blue tits") get entries
  of their own whose ``unless`` patterns cancel that sense.

Terms are dropped when their main sense is innocent or they would flag ordinary professional
posts (the ``EXCLUDED`` table says why for each group), when they are longer than four
words, when they only wrap a listed word ("what the fuck": "fuck" is enough, and its span is
the one to fix), or when they are spellings that the matcher already catches at run time
(``sh1t``, ``f@g``, ``s.o.b.``: the lexicon undoes leetspeak, masks and dotted letters).

Run it from the dev environment (it uses ``tactful.core.text`` to know what the matcher undoes)::

    python scripts/build_profanity_rules.py             # data from ../shared/data
    python scripts/build_profanity_rules.py --data DIR  # another data folder
    python scripts/build_profanity_rules.py --check     # exit 1 if profanity.yml is stale

The output is deterministic (terms sorted), so a re-run on the same data changes nothing.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tactful.core.text import collapse_doubles, normalize, obfuscation_variants

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
CSV_PATH = Path("lexicons") / "profanity_en.csv"
OUTPUT = REPO / "src" / "tactful" / "rules" / "en" / "profanity.yml"
UPSTREAM = "surge-ai/profanity, MIT licence, commit 77dabf36454fd9b0f85c777c2808d416bc41f797"
MAX_WORDS = 4

RACIAL = "racial / ethnic slurs"
MENTAL = "mental disability"
PHYSICAL = "physical disability"
POLITICAL = "political"

# Terms left out of the generated rules, grouped by why. Keys are lower-cased CSV spellings.
# A term here is not matched at all. Words that are usually a slur or a swear word but have
# one well-known innocent use ("a chink in the armour", "blue tits") are not excluded: they go
# to AMBIGUOUS_SLURS / AMBIGUOUS_SWEARS below, whose patterns cancel the innocent sense.
EXCLUDED: dict[str, tuple[str, ...]] = {
    # Numbers: "69 applicants", "sixty-nine per cent".
    "a number": ("69", "sixty-nine"),
    # Everyday words whose usual sense is innocent; flagging them would bury real findings
    # under false alarms in ordinary business posts.
    "an everyday word whose main sense is innocent": (
        "booty",  # pirate booty, a snack brand
        "bondage",  # history: the bondage of slavery
        "buttermilk",  # food
        "cack",  # "cack-handed" splits into "cack" + "handed"
        "cooties",  # childish, not profane
        "coot",  # a bird; "old coot"
        "coot coot",
        "cooter",  # a turtle
        "crow",  # a bird; "eat crow"
        "crows",
        "diddle",  # "hey diddle diddle", to swindle
        "dipstick",  # the oil dipstick in every car
        "dolt",  # a mild insult, not profanity (offense.insult covers name-calling)
        "finger",
        "forked",  # "we forked the repo"
        "greaser",  # mechanics, a 1950s subculture
        "hoar",  # hoar frost
        "hoe",  # the garden tool
        "hoes",
        "hooters",  # owls; a restaurant chain
        "hustler",  # hustle culture
        "jigger",  # a bar measure: cocktail menus
        "knickers",  # underwear in British English
        "knob",  # door knob, volume knob
        "mongrel",  # a mixed-breed dog
        "muff",  # ear muffs; "muff a catch"
        "nip",  # "nip it in the bud"
        "nobs",  # British slang for the well-off
        "nuggets",  # chicken nuggets, "nuggets of wisdom", the Denver Nuggets
        "nicker",  # a horse's nicker; British slang for a pound
        "puss",  # a cat; "Puss in Boots"
        "pusses",
        "pussy cat",
        "ramrod",  # "ramrod straight"
        "sack",  # "got the sack", a sack of flour
        "sheet",  # spreadsheet talk
        "slag",  # the by-product of steel making
        "slit",  # slit lamp, slit trench
        "snatch",  # weightlifting; "snatch a late win"
        "spanking",  # "spanking new"
        "spook",  # a ghost; a spy
        "spooks",
        "spunk",  # courage, in American English
        "suck",  # "suck it up", vacuum cleaners
        "swine",  # swine flu, pig farming
        "tart",  # pastry
        "tramp",  # "Lady and the Tramp"
        "weenie",  # a hot dog
        "bastinado",  # a historical punishment, not a swear word
        "scut",  # a deer's tail; "scut work"
        "octopussy",  # a film title
        "bender",  # "went on a bender", pipe benders
        "flamer",  # forum flame wars, flame throwers
        "flamers",
    ),
    # Names, surnames, places and brands: "Wang", "Peter", "Hong Kong's Mong Kok", "BJ's".
    "a name, place or brand": (
        "abbie",
        "bates",
        "bater",
        "blacky",
        "cumming",  # Alan Cumming; Cumming, Georgia
        "dicks",  # "Dick's Sporting Goods" reaches the lexicon as "dicks"
        "dix",  # Otto Dix
        "dong",  # a surname; Vietnam's currency
        "fick",  # Fick's law of diffusion
        "fuku",  # Japanese word and brand
        "harry palms",
        "jigga",  # a rapper's nickname
        "jiggs",
        "mong",  # Mong Kok, the Hmong
        "peter",
        "phuc",  # a common Vietnamese given name
        "sambo",  # a martial art
        "shylock",  # the Shakespeare character
        "sissy",  # a nickname (Sissy Spacek)
        "spix",  # Spix's macaw
        "wang",  # a common surname
        "weiner",  # a surname
    ),
    # Anatomy and medicine: health, fitness and science posts use these plainly.
    "an anatomical or medical term": (
        "anal",
        "anus",
        "breasts",
        "crotch",
        "rectum",
        "sperm",
        "sphincter",
        "vulva",
    ),
    # Abbreviations with common innocent expansions.
    "an abbreviation with innocent meanings": ("bbc", "bj", "bwc", "mfk", "mfs"),
    # Idioms and phrases that mean something ordinary at work.
    "an idiom with an everyday sense": (
        "axe wound",
        "beat off",  # "beat off the competition"
        "bell end",
        "blow a load",  # "blow a load of cash"
        "bung hole",  # a barrel's bung hole
        "cotton picker",  # the farm machine
        "crazy sob",  # "a crazy sob story"
        "double pen",
        "dump a load",
        "god-dam",  # reads as "god dam" once split
        "mushroom tip",
        "nut butter",  # almond and peanut butter
        "pack my fudge",  # fudge shops pack fudge
        "packing fudge",
        "dick head",  # "Dick, head of sales": a name before a job title
        "spick",  # "spick and span"
        "suck off",
        "tossing salad",  # cooking
        "wet back",  # "a wet back" after rain
        "zip in the wire",
        "b to the inch",
    ),
    # Words a community uses about itself, or that name an identity without insulting it.
    "a self-description or identity word, not a slur": (
        "gayest",
        "gayness",
        "gaysian",
        "homo",  # "Homo sapiens"
        "queers",
        "twink",
        "cholo",  # also a Chicano self-description
        "transvestite",  # dated, but a description rather than an insult
    ),
    # Hate groups and periods of history: posts about history and news name them.
    "a hate group or a period of history": ("jim crow", "kkk", "klan", "ku kluxer"),
    # Words that report a crime or a fact rather than swear: news about a conviction.
    "a descriptive term for a crime or condition": (
        "groper",  # also the fish (grouper) in Australia and New Zealand
        "molester",
        "nonce",  # also a term in cryptography
        "nymphomaniac",
    ),
    # Racial terms with a current innocent use: "Negro Leagues", Spanish "negro".
    "a historical or foreign-language word with innocent uses": ("negro", "negroes"),
}

# Misclassified in the source as racial slurs: "apeshit" means "furious"; plain swearing.
NOT_IDENTITY = frozenset({"apeshit", "apeshite", "ape shit", "ape shite"})

# Canonical forms (CSV) that mark a slur against gay, lesbian, bisexual or trans people.
LGBTQ_CANONICAL = frozenset(
    {
        "faggot",
        "gay",
        "homosexual",
        "lesbian",
        "shemale",
        "ladyboy",
        "tranny",
        "fudge packer",
        "carpet muncher",
        "pillow biter",
        "queer",
        "girlyboy",
    }
)
# Homophobic slurs whose canonical form in the CSV is only the body part.
LGBTQ_EXTRA = frozenset(
    {
        "anal pirate",
        "arse bandit",
        "arse bandits",
        "ass bandit",
        "bum bandits",
        "butt pirate",
        "fag hag",
        "sausage jockey",
    }
)
DISABILITY_CANONICAL = frozenset({"retard", "retarded", "mongoloid"})
TARD = re.compile(r"(?<!bas)tard")  # fucktard, gaytard; not bastard

# Slurs with an innocent twin: matched in a separate entry whose ``unless`` patterns cancel
# the finding when the sentence uses the innocent sense.
AMBIGUOUS_SLURS: dict[str, tuple[str, ...]] = {
    "chink": (r"\bchinks? (?:in|of)\b",),  # a chink in the armour, a chink of light
    "coon": (r"\bcoon (?:rapids|hounds?|dogs?|cheese)\b", r"\bcoonhounds?\b"),
    "coons": (r"\bcoons? (?:rapids|hounds?|dogs?)\b",),
    "dyke": (
        r"\boffa'?s dyke\b",
        r"\b(?:van|greg)[- ]?dyke(?:'?s)?\b",  # Dick Van Dyke, Van Dyke brown, Greg Dyke
        r"\bdyke (?:road|march|marches|path|wall|lane|street|house)\b",
        r"\b(?:sea|river|flood|dutch|drainage) dyke\b",
    ),
    "redskin": (r"\bredskin potato",),  # roasted redskin potatoes
    "spic": (r"\bspic (?:and|n|&) span\b",),  # the cleaning brand
    "faggots": (r"\bfaggots? (?:and|with|in) (?:peas|gravy|mash|onions?)\b",),  # a British dish
    "fag": (r"\bfag (?:break|breaks|end|ends|packet|packets|ash)\b",),  # a cigarette
}

# Mild swear words with an innocent twin, matched in their own entry with ``unless`` patterns.
AMBIGUOUS_SWEARS: dict[str, tuple[str, ...]] = {
    "bastard": (r"\bbastard (?:file|files|sword|swords|title|titles|cut)\b",),
    "bitch": (
        r"\b(?:brood|stud|whelping|breeding) bitch\b",
        r"\bbitch (?:and|with) (?:her )?pup",
    ),
    "prick": (
        r"\b(?:skin|pin|needle|finger)[- ]?prick\b",
        r"\bprick (?:test|tests|testing|up)\b",
    ),
    "pricks": (r"\bpricks? (?:up|your|my|their|the)\b",),
    "pussy": (r"\bpussy ?willows?\b",),
    "tits": (r"\b(?:blue|great|coal|marsh|willow|crested|long[- ]tailed) tits\b",),
}

# Swear words the source list lacks (it has "bullshit" but not "crap", "damn" or "piss"),
# including compounds it only has in part ("clusterfuck" but not "shitshow").
# (term, category, rating, description), rated on the CSV's 1-3 scale. A hyphenated compound
# is listed joined ("ahole", "cockup"): the matcher reads "a-hole" as "ahole" too, while a
# hyphen here would split the term into "a hole".
EXTRA_TERMS: tuple[tuple[str, str, float, str], ...] = (
    ("crap", "bodily fluids / excrement", 1.0, "Mild"),
    ("crappy", "bodily fluids / excrement", 1.0, "Mild"),
    ("damn", "religious offense", 1.0, "Mild"),
    ("dammit", "religious offense", 1.0, "Mild"),
    ("damnit", "religious offense", 1.0, "Mild"),
    ("dildo", "sexual anatomy / sexual acts", 1.4, "Mild"),
    ("effing", "other / general insult", 1.2, "Mild"),
    ("piss", "bodily fluids / excrement", 1.2, "Mild"),
    ("pissed", "bodily fluids / excrement", 1.2, "Mild"),
    ("pissing", "bodily fluids / excrement", 1.2, "Mild"),
    ("wtf", "other / general insult", 1.6, "Strong"),
    ("omfg", "other / general insult", 1.6, "Strong"),
    ("shitshow", "bodily fluids / excrement", 1.4, "Mild"),
    ("shitshows", "bodily fluids / excrement", 1.4, "Mild"),
    ("shitstorm", "bodily fluids / excrement", 1.4, "Mild"),
    ("shitstorms", "bodily fluids / excrement", 1.4, "Mild"),
    ("shitfest", "bodily fluids / excrement", 1.4, "Mild"),
    ("fuckups", "sexual anatomy / sexual acts", 2.0, "Strong"),
    ("fuckwit", "other / general insult", 2.0, "Strong"),
    ("fuckwits", "other / general insult", 2.0, "Strong"),
    ("ahole", "sexual anatomy / sexual acts", 1.2, "Mild"),
    ("aholes", "sexual anatomy / sexual acts", 1.2, "Mild"),
    ("arsehat", "sexual anatomy / sexual acts", 1.2, "Mild"),
    ("cockup", "sexual anatomy / sexual acts", 1.0, "Mild"),
    ("cockups", "sexual anatomy / sexual acts", 1.0, "Mild"),
    ("frigging", "other / general insult", 1.0, "Mild"),
    ("friggin", "other / general insult", 1.0, "Mild"),
)

# A gentler word that keeps the sentence's meaning, offered as a one-click replacement.
SOFTER: dict[str, str] = {
    "bullshit": "nonsense",
    "crap": "rubbish",
    "crappy": "poor",
    "effing": "really",
    "fcking": "really",
    "fking": "really",
    "fuckin": "really",
    "fucking": "really",
    "fuckup": "mistake",
    "pissed": "annoyed",
    "shitty": "poor",
    "wtf": "what on earth",
    "omfg": "oh my goodness",
    "damn": "really",
    "goddamn": "really",
    "clusterfuck": "mess",
    "batshit": "wild",
    "apeshit": "furious",
    "shitshow": "mess",
    "shitstorm": "uproar",
    "cockup": "mistake",
    "fuckups": "mistakes",
    "frigging": "really",
}


@dataclass
class Term:
    text: str
    rating: float
    description: str
    categories: set[str] = field(default_factory=set)
    canonical: set[str] = field(default_factory=set)


def spelled(text: str) -> str:
    """Lower-case, full-width forms folded, hyphens as spaces, no final apostrophe."""
    folded = unicodedata.normalize("NFKC", text).casefold().strip()
    words = [w.strip("'") for w in folded.replace("-", " ").split()]
    return " ".join(w for w in words if w)


def has_symbols(text: str) -> bool:
    return not all(w.replace("'", "").isalnum() and w.isascii() for w in text.split())


def clean(text: str) -> str:
    """The term as the matcher will see it, normalised like post text ("sheeeet" is "sheet").

    Spellings with symbols (``s.o.b.s``, ``a_s_s``) are kept as spelled so that they are
    dropped as symbols rather than normalised into an innocent word ("sobs").
    """
    plain = spelled(text)
    return plain if has_symbols(plain) else normalize(plain).text


def read_terms(csv_file: Path) -> dict[str, Term]:
    """Every CSV row plus EXTRA_TERMS, keyed by cleaned text; duplicates keep the worst rating."""
    terms: dict[str, Term] = {}

    def add(
        raw: str, rating: float, description: str, cats: Iterable[str], canon: Iterable[str]
    ) -> None:
        text = clean(raw)
        if not text:
            return
        term = terms.get(text)
        if term is None:
            term = terms[text] = Term(text, rating, description)
        elif rating > term.rating:
            term.rating, term.description = rating, description
        term.categories.update(c for c in cats if c)
        term.canonical.update(clean(c) for c in canon if c)

    with csv_file.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            add(
                row["text"],
                float(row["severity_rating"]),
                row["severity_description"],
                (row["category_1"], row["category_2"], row["category_3"]),
                (row["canonical_form_1"], row["canonical_form_2"], row["canonical_form_3"]),
            )
    for text, category, rating, description in EXTRA_TERMS:
        add(text, rating, description, (category,), (text,))
    return terms


def excluded_terms() -> dict[str, str]:
    out: dict[str, str] = {}
    for reason, words in EXCLUDED.items():
        for word in words:
            out[clean(word)] = reason
    return out


def runtime_spellings(word: str) -> set[str]:
    """Plain spellings the matcher tries for an obfuscated word like ``sh1t`` or ``fuuck``."""
    out = set()
    for variant in obfuscation_variants(word):
        out.update({variant, collapse_doubles(variant)})
    return out


def select_terms(terms: dict[str, Term]) -> tuple[dict[str, Term], dict[str, str]]:
    """Split terms into kept ones and dropped ones (with the reason)."""
    excluded = excluded_terms()
    dropped: dict[str, str] = {}
    candidates: dict[str, Term] = {}
    for text, term in terms.items():
        words = text.split()
        if text in excluded:
            dropped[text] = excluded[text]
        elif len(words) > MAX_WORDS:
            dropped[text] = "longer than four words"
        elif has_symbols(text):
            dropped[text] = "symbols: the matcher undoes masks and leetspeak at run time"
        elif any(len(w) == 1 and w not in ("a", "o") for w in words):
            dropped[text] = "spaced or split letters: normalisation joins them at run time"
        else:
            candidates[text] = term
    plain = {t for t in candidates if not any(c.isdigit() for c in t)}
    kept: dict[str, Term] = {}
    for text, term in candidates.items():
        if text in plain:
            kept[text] = term
        elif " " in text:
            dropped[text] = "digits in a phrase: the matcher undoes leetspeak in single words"
        elif runtime_spellings(text) & plain:
            dropped[text] = "leetspeak the matcher undoes at run time"
        else:
            kept[text] = term  # an odd spelling like "fux0r": match the token as written
    return kept, dropped


def identity_kind(term: Term) -> str | None:
    """Which kind of group slur a term is, or None for plain profanity."""
    if term.text in NOT_IDENTITY:
        return None
    if term.text in LGBTQ_EXTRA or term.canonical & LGBTQ_CANONICAL:
        return "lgbtq"
    if term.categories & {RACIAL, POLITICAL}:
        return "racial"
    if term.categories & {MENTAL, PHYSICAL} and (
        TARD.search(term.text)
        or term.canonical & DISABILITY_CANONICAL
        or term.text == "window licker"
    ):
        return "disability"
    return None


def is_slur(term: Term) -> bool:
    return term.text in AMBIGUOUS_SLURS or identity_kind(term) is not None


def phrase_item(text: str) -> str | dict[str, str]:
    if text in SOFTER:
        return {"phrase": text, "replacement": SOFTER[text]}
    return text


# --- entry text ----------------------------------------------------------------------------

IDENTITY_SOURCE = '003 "Avoid being offensive"'
PROFANITY_SOURCE = "000 professionalism"

IDENTITY_ENTRIES: dict[str, dict[str, Any]] = {
    "racial": {
        "check": "racial-or-ethnic-slur",
        "message": "Racial or ethnic slur: “{match}”",
        "explanation": (
            "A slur about someone's race, ethnicity or nationality tells every reader how you "
            "see the people behind it, clients and colleagues included. Screenshots outlive "
            "deletions, and a single slur is enough for a client to walk away or an employer "
            "to let you go."
        ),
        "suggestions": [
            {"action": "remove", "description": "Delete the slur; there is no safe way to use it"},
            {
                "action": "rewrite",
                "description": "If you mean a group of people, name them the way they name "
                "themselves, or leave the group out of it",
            },
        ],
        "flag": [
            "lol these ragheads at the airport again smh",
            "my uncle still calls them wetbacks, unreal #family",
            "who let the p4ki in here 😂",
            "Tbh #chinavirus was the right name all along",
        ],
        "pass": [
            "Black-owned business of the year: congrats to our friends at Kente Studio!",
            "Proud to welcome our new colleagues from Pakistan and Mexico",
            "Our Spanish office closed a great quarter; el equipo negro won the hackathon",
            "Raccoons got into the bins at the Chinese new year market lol",
        ],
    },
    "lgbtq": {
        "check": "anti-lgbtq-slur",
        "message": "Homophobic or transphobic slur: “{match}”",
        "explanation": (
            "Slurs about sexual orientation or gender identity read as contempt for a group "
            "that includes your clients, colleagues and followers. Even as a joke they mark "
            "you as someone people cannot safely work with, and they are the kind of post "
            "that gets shared to show who you are."
        ),
        "suggestions": [
            {"action": "remove", "description": "Delete the slur"},
            {
                "action": "rewrite",
                "description": "If you are talking about people, use the words they use for "
                "themselves (gay, lesbian, trans, queer)",
            },
        ],
        "flag": [
            "stop being such a f4ggot and come to the game",
            "ngl that ref was a total faggot tonight",
            "the tranny jokes at the offsite were not it",
            "lmao the new intern is kind of a gaylord",
        ],
        "pass": [
            "I am a gay Muslim woman and an engineer",
            "proud to be a gay founder 🏳️‍🌈",
            "Our queer employee network hosts a panel on Thursday",
            "Offa's Dyke path walk with the team this weekend",
        ],
    },
    "disability": {
        "check": "ableist-slur",
        "message": "Ableist slur: “{match}”",
        "explanation": (
            "Using a disability as an insult mocks people who live with it, some of whom are "
            "your customers and colleagues. It reads as cruelty, not humour, and it is hard "
            "to explain away once a client has seen it."
        ),
        "suggestions": [
            {"action": "remove", "description": "Delete the slur"},
            {
                "action": "replace",
                "description": "Say what you actually mean about the thing, not the person",
                "replacement": "badly thought out",
            },
        ],
        "flag": [
            "whoever signed off on this update is a total fucktard",
            "what a r3tard, he parked across 3 spaces",
            "ugh my brother is such a tard sometimes",
            "you absolute window licker, read the sign",
        ],
        "pass": [
            "our accessibility work for disabled users ships next week",
            "Flame retardant coatings: what builders need to know",
            "We sponsor the Special Olympics team again this year",
        ],
    },
}

PROFANITY_ENTRIES: dict[str, dict[str, Any]] = {
    "Severe": {
        "check": "severe-swearing",
        "severity": "warn",
        "score": 0.9,
        "message": "Strong obscenity: “{match}”",
        "explanation": (
            "The harshest obscenities read as aggression whoever they are aimed at. On a "
            "post that clients, recruiters or partners can see, they become the one thing "
            "people remember about it, and they are easy to screenshot and hard to take back."
        ),
        "suggestions": [
            {"action": "remove", "description": "Remove the word; the point stands without it"},
            {
                "action": "rewrite",
                "description": "If you are angry, say what went wrong and what you want to "
                "happen next",
            },
        ],
        "flag": [
            "this is motherfucking ridiculous, 3 hours on hold",
            "what a c*nt of a day #mondays",
            "the new ad campaign is cunty and I love it",
            "ok which motherf*cker took my charger",
        ],
        "pass": [
            "Scunthorpe United won 2-0 on Saturday",
            "cocktail reception for clients tonight at 7",
            "we assess every bid on its merits",
            "Dick Advocaat coached the team for two seasons",
        ],
    },
    "Strong": {
        "check": "strong-swearing",
        "severity": "warn",
        "score": 0.6,
        "message": "Swearing: “{match}”",
        "explanation": (
            "Swearing in a post that clients or employers can read makes you look careless "
            "or angry, whatever you meant. Many readers stop at the word and never reach "
            "your point, and it follows your name in search results."
        ),
        "suggestions": [
            {"action": "remove", "description": "Remove the word"},
            {
                "action": "replace",
                "description": "Use a milder word that keeps the meaning",
                "replacement": "really",
            },
        ],
        "flag": [
            "this is f***ing ridiculous, third outage this week",
            "another fuckup from the payroll team",
            "wtf is this new pricing lol",
            "so fuuuuucked up that they cancelled the launch",
            "Shout out to the fcking wifi at the conference #fail",
        ],
        "pass": [
            "our class of 2024 graduates start Monday",
            "What the data tells us about Q3 churn",
            "Hell's Kitchen is our favourite show",
            "killer results this quarter, well done team",
        ],
    },
    "Mild": {
        "check": "mild-swearing",
        "severity": "info",
        "score": 0.35,
        "message": "Mild swearing: “{match}”",
        "explanation": (
            "Mild swear words are normal among friends but sit oddly next to your name on a "
            "professional profile. Some clients and recruiters will mind, and a softer word "
            "costs you nothing."
        ),
        "suggestions": [
            {"action": "replace", "description": "Swap it for a plainer word"},
            {"action": "remove", "description": "Remove the word"},
        ],
        "flag": [
            "what a load of bullshit from the vendor",
            "damn, that demo went sideways",
            "Traffic on the M25 was sh1t again this morning",
            "my laptop died mid-pitch, crappy day",
            "This shitshow of a quarter is finally over.",
            "what a sh!tshow that launch was",
            "the sh1tshow continues at the depot",
            "my a-hole landlord raised the rent again",
            "total cock-up on the invoices this month",
        ],
        "pass": [
            "address the feedback before Friday",
            "this new feature is sick",
            "we crushed our targets",
            "Sussex and Essex teams meet at the Cockburn conference centre",
        ],
    },
}


AMBIGUOUS_ENTRY: dict[str, Any] = {
    "check": "slur-with-an-innocent-twin",
    "message": "Slur: “{match}”",
    "explanation": (
        "These words are slurs against a race, an ethnicity or gay people when they name "
        "people, and that is how readers will take them unless the sentence makes the "
        "innocent sense plain. A slur in a public post costs clients and jobs, and no one "
        "reading a screenshot will give you the benefit of the doubt."
    ),
    "suggestions": [
        {"action": "remove", "description": "Remove the word if it refers to people"},
        {
            "action": "rewrite",
            "description": "If you meant the everyday sense, make it unmistakable "
            '("a weak spot" for "a chink in the armour")',
        },
    ],
    "flag": [
        "my cousin called the delivery guy a coon and nobody said anything",
        "lol he's such a dyke about it",
        "no spic jokes at the company BBQ please",
        "ok that chink at the front desk was rude af",
    ],
    "pass": [
        "Our new Coon Rapids branch opens Monday",
        "Finding the chink in our armour: lessons from a lost deal",
        "Spic and Span sponsored our 5k this year",
        "Walking Offa's Dyke path with the team for charity",
        "We had a meeting about Dick Van Dyke's films for the retro campaign",
        "Van Dyke brown is back in this season's palette",
        "Faggots and peas are back on the pub menu this winter",
        "Roasted redskin potatoes on the lunch menu today",
    ],
}


SWEAR_TWIN_ENTRY: dict[str, Any] = {
    "check": "mild-swearing-with-an-innocent-twin",
    "message": "Mild swearing: “{match}”",
    "explanation": (
        "Used about a person, these words are name-calling that sits badly next to your name "
        "on a professional profile. Some clients and recruiters will mind, and a plainer word "
        "costs you nothing."
    ),
    "suggestions": [
        {"action": "remove", "description": "Remove the word if it is aimed at a person"},
        {
            "action": "rewrite",
            "description": "Say what the person did that bothered you, without the label",
        },
    ],
    "flag": [
        "the guy who took my parking spot is a total prick",
        "my landlord is such a bastard honestly",
        "stop being a pussy and send the invoice",
        "monday is being a real bitch today",
    ],
    "pass": [
        "Skin prick tests are now available at our clinic",
        "Blue tits are nesting in the office garden again",
        "Pussy willow branches for the spring window display",
        "Our whelping guide covers the brood bitch and her pups",
    ],
}


def make_entry(
    rule_id: str,
    source: str,
    info: dict[str, Any],
    severity: str,
    score: float,
    phrases: list[str],
    unless: list[str] | None = None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": rule_id,
        "check": info["check"],
        "severity": severity,
        "score": score,
        "obfuscation": True,
        "phrases": [phrase_item(t) for t in phrases],
    }
    if unless:
        entry["unless"] = unless
    entry.update(
        {
            "message": info["message"],
            "explanation": info["explanation"],
            "suggestions": info["suggestions"],
            "source": source,
            "examples": {"flag": info["flag"], "pass": info["pass"]},
        }
    )
    return entry


def twin_unless(terms: list[str], table: dict[str, tuple[str, ...]]) -> list[str]:
    return sorted({pattern for term in terms for pattern in table[term]})


def build_rules(kept: dict[str, Term]) -> list[dict[str, Any]]:
    by_kind: dict[str, list[str]] = {k: [] for k in IDENTITY_ENTRIES}
    by_tier: dict[str, list[str]] = {k: [] for k in PROFANITY_ENTRIES}
    slur_twins: list[str] = []
    swear_twins: list[str] = []
    # A phrase that wraps a listed word of the same family ("what the fuck", "nigger lover")
    # adds nothing but a wider span: the word alone is what the writer should change.
    singles = {t: is_slur(kept[t]) for t in kept if " " not in t}
    for text in sorted(kept):
        term = kept[text]
        kind = identity_kind(term)
        if " " in text and any(singles.get(w) == is_slur(term) for w in text.split()):
            continue
        if text in AMBIGUOUS_SLURS:
            slur_twins.append(text)
        elif text in AMBIGUOUS_SWEARS:
            swear_twins.append(text)
        elif kind is not None:
            by_kind[kind].append(text)
        else:
            by_tier[term.description].append(text)
    # Order matters for masked spellings: "f***ing" or "s**t" resolves to the first listed
    # word of that length it fits, so swearing comes before slurs ("f***ing" must not read as
    # a slur) and strong swearing before the rarer severe and mild spellings.
    rules = [
        make_entry(
            "offense.profanity",
            PROFANITY_SOURCE,
            PROFANITY_ENTRIES[tier],
            PROFANITY_ENTRIES[tier]["severity"],
            PROFANITY_ENTRIES[tier]["score"],
            by_tier[tier],
        )
        for tier in ("Strong", "Severe", "Mild")
    ]
    rules.append(
        make_entry(
            "offense.profanity",
            PROFANITY_SOURCE,
            SWEAR_TWIN_ENTRY,
            "info",
            0.35,
            swear_twins,
            twin_unless(swear_twins, AMBIGUOUS_SWEARS),
        )
    )
    rules.extend(
        make_entry("offense.identity", IDENTITY_SOURCE, IDENTITY_ENTRIES[k], "block", 0.95, v)
        for k, v in by_kind.items()
    )
    rules.append(
        make_entry(
            "offense.identity",
            IDENTITY_SOURCE,
            AMBIGUOUS_ENTRY,
            "block",
            0.9,
            slur_twins,
            twin_unless(slur_twins, AMBIGUOUS_SLURS),
        )
    )
    return rules


HEADER = f"""\
# GENERATED FILE, do not edit by hand: run scripts/build_profanity_rules.py to regenerate
# (python scripts/build_profanity_rules.py [--data DIR]; --check tells whether it is stale).
# Word list: {UPSTREAM},
# via lexicons/profanity_en.csv in the shared data folder. The script drops terms with
# innocent main senses and spellings the matcher undoes at run time (see EXCLUDED in the
# script for each dropped word and why).
# Messages, explanations, suggestions and examples are tactful's own.
"""


def render(rules: list[dict[str, Any]]) -> str:
    body = yaml.safe_dump(
        {"rules": rules}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    return HEADER + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--out", type=Path, default=OUTPUT, help="file to write")
    parser.add_argument("--check", action="store_true", help="exit 1 if --out is out of date")
    parser.add_argument("--verbose", action="store_true", help="list dropped terms")
    args = parser.parse_args(argv)

    csv_file = args.data / CSV_PATH
    if not csv_file.is_file():
        print(f"error: {csv_file} not found (pass --data)", file=sys.stderr)
        return 2
    kept, dropped = select_terms(read_terms(csv_file))
    rules = build_rules(kept)
    text = render(rules)
    phrases = sum(len(rule["phrases"]) for rule in rules)
    if args.verbose:
        for term in sorted(dropped):
            print(f"dropped {term!r}: {dropped[term]}")
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is out of date; run scripts/build_profanity_rules.py")
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(
        f"wrote {args.out}: {phrases} phrases in {len(rules)} entries "
        f"({len(dropped)} terms dropped, {len(kept) - phrases} wrapping a listed word)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
