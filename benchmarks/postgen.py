"""Synthetic posts for benchmarks: written for tactful from templates, no real people's data.

Deterministic for a given seed. About a third of the posts carry something a check should
find (venting, confidential details, profanity, a phone number, nightlife), the rest are
ordinary professional and personal posts of tweet length.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

OPENERS = [
    "Big week for the team:",
    "Quick update from the road:",
    "Honestly,",
    "Hot take:",
    "Reflecting on the last quarter,",
    "Lovely morning at the office.",
    "Just wrapped up the workshop.",
    "Thread on what we learned:",
]
CLEAN = [
    "we shipped the new onboarding flow and activation is up 12%.",
    "three lessons from hiring our first designer: write the brief, pay fairly, listen.",
    "the conference talk slides are up, link in the comments.",
    "thank you to everyone who joined the webinar on accessible forms.",
    "our support team answered 1,200 tickets this month with a smile.",
    "we are hiring two backend engineers in Leeds, remote friendly.",
    "the cocktail reception for clients starts at 7 after the keynote.",
    "we assess every proposal within two working days.",
    "the class of 2024 interns presented their projects today.",
    "killer results from the spring campaign, proud of this crew.",
]
RISKY = [
    "my idiot boss moved the deadline again.",
    "our client told us in a closed-door meeting they are cutting 200 jobs.",
    "still hungover from the bar crawl, shots shots shots.",
    "call me on 07700 900123 if you want the details.",
    "this f*cking printer has ruined my whole day.",
    "worst client ever, they want everything for free.",
    "keep this between us, the merger closes Friday.",
    "every Tuesday at 6am I run from my flat on 14 Elm Street to the park.",
]
CLOSERS = ["", " #leadership", " #startups", " 🙌", " Thoughts?", " More soon.", " #b2b #saas"]


def posts(n: int, seed: int = 7) -> Iterator[str]:
    rng = random.Random(seed)
    for _ in range(n):
        body = rng.choice(RISKY) if rng.random() < 0.33 else rng.choice(CLEAN)
        extra = " " + rng.choice(CLEAN) if rng.random() < 0.5 else ""
        yield f"{rng.choice(OPENERS)} {body}{extra}{rng.choice(CLOSERS)}"
