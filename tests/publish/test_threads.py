"""Threads: a text too long for one post is split between sentences into numbered parts that
each fit, and the worker publishes them in order, each replying to the one before, picking
up after a crash where it stopped (no part twice, none skipped)."""

from __future__ import annotations

import pytest
from fake_mastodon import FakeMastodon
from hypothesis import given, settings
from hypothesis import strategies as st
from test_worker import at, checker, worker

from tactful.networks.length import measure
from tactful.networks.threads import split_thread
from tactful.publish.outbox import get_post, schedule
from tactful.publish.worker import Killed
from tactful.store import Store

SENTENCES = [
    "We shipped the new release today.",
    "It took the whole team three months of careful work.",
    "Thanks to everyone who tested the beta and sent notes!",
    "The full changelog is at https://example.com/changelog/2026-11 for the curious.",
    "Next up: the mobile app, which needs more care than we first thought.",
    "Questions? Reply here and we will answer each one.",
]
LONG = " ".join(SENTENCES * 2)


@pytest.mark.parametrize("platform", ["x", "mastodon", "bluesky"])
def test_parts_fit_are_numbered_and_break_between_sentences(platform: str) -> None:
    parts = split_thread(LONG, platform)
    n = len(parts)
    assert n >= 2
    for i, part in enumerate(parts, 1):
        info = measure(part, platform)
        assert info.limit is not None and info.count <= info.limit, (platform, i, part)
        assert part.endswith(f" {i}/{n}")
        body = part.removesuffix(f" {i}/{n}")
        assert body.endswith((".", "!", "?")), body  # a whole sentence, not a cut one
    rejoined = " ".join(p.rsplit(" ", 1)[0] for p in parts)
    assert rejoined.split() == LONG.split()  # nothing lost, nothing added


def test_a_text_that_fits_is_one_part_without_a_number() -> None:
    assert split_thread("Short and sweet.", "x") == ["Short and sweet."]


def test_one_very_long_sentence_breaks_between_words() -> None:
    text = " ".join(["word"] * 200)  # 999 characters, no sentence end
    parts = split_thread(text, "x")
    assert all(measure(p, "x").count <= 280 for p in parts)
    assert " ".join(p.rsplit(" ", 1)[0] for p in parts).split() == text.split()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
            min_size=1,
            max_size=120,
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_text_splits_into_parts_that_fit(chunks: list[str]) -> None:
    text = ". ".join(chunks)
    for platform in ("x", "bluesky"):
        parts = split_thread(text, platform)
        assert all(measure(p, platform).count <= (measure(p, platform).limit or 0) for p in parts)


def test_the_gate_offers_a_thread_and_the_worker_publishes_one_in_order(
    connected: Store, mastodon: FakeMastodon, clock
) -> None:
    c = checker(connected)
    with connected.session() as s:
        refused = schedule(s, c, LONG, ["jo-masto"], at(clock, 5), actor="jo")
        assert refused.state == "draft"
        assert [p.rule_id for p in refused.problems] == ["publish.too_long"]
        assert "--thread" in refused.problems[0].message
        done = schedule(s, c, LONG, ["jo-masto"], at(clock, 5), actor="jo", thread=True)
    assert done.state == "scheduled" and done.parts == 2
    clock.advance(minutes=5)
    # The worker dies right after the first part is out: the next one finishes the thread.
    w = worker(connected, mastodon, clock)
    sent = []

    def die_after_first(step: str) -> None:
        if step == "recorded":
            sent.append(step)
            if len(sent) == 1:
                raise Killed

    w.fault = die_after_first
    with pytest.raises(Killed):
        w.run_once()
    assert len(mastodon.statuses) == 1
    clock.advance(minutes=6)  # the lease runs out
    worker(connected, mastodon, clock, name="w2").run_once()
    first, second = mastodon.statuses
    assert first["text"].endswith(" 1/2") and second["text"].endswith(" 2/2")
    assert second["in_reply_to_id"] == first["id"] and first["in_reply_to_id"] is None
    with connected.session() as s:
        view = get_post(s, f"#{done.post_id}")
    assert view.deliveries[0].state == "published"
    assert view.deliveries[0].remote_url == first["url"]  # the thread's head
