"""Detectors declare the rule ids they raise and what they read; the registry checks the
declarations against the catalogue and orders the detectors from them. Entry points are the
one list of built-in plug-ins."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tactful import Checker
from tactful.archives import available as importers
from tactful.core import plugins, registry
from tactful.core.post import Post
from tactful.core.ruleset import default_ruleset, load_ruleset
from tactful.detectors.base import declares
from tactful.detectors.lexicon import LexiconDetector
from tactful.errors import InputError, RuleDataError, TactfulError
from tactful.publish.connectors import available as connectors

FAKES = {
    name: f"fake_detectors:{cls}"
    for name, cls in {
        "scores": "Scores",
        "reader": "Reader",
        "late": "LateReader",
        "loop": "Loop",
        "loop2": "Loop2",
        "unknown_rule": "UnknownRule",
        "no_rules": "NoRules",
        "misnamed": "Misnamed",
        "after_nobody": "AfterNobody",
    }.items()
}


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(registry, "available", lambda: FAKES)
    registry.detector_class.cache_clear()
    registry.default_detectors.cache_clear()
    yield
    registry.detector_class.cache_clear()
    registry.default_detectors.cache_clear()


def test_the_built_in_order_comes_from_the_declarations() -> None:
    names = registry.default_detectors()
    assert names == (
        "classifier",
        "lexicon",
        "account",
        "clients",
        "media",
        "mentions",
        "pii",
        "platform",
    )
    assert names == registry.DEFAULT_DETECTORS  # the old constant still answers
    for i, name in enumerate(names):
        assert set(getattr(registry.detector_class(name), "after", ())) <= set(names[:i])


def test_create_orders_the_names_it_is_given() -> None:
    made = registry.create(["account", "pii", "classifier"])
    assert [d.name for d in made] == ["pii", "classifier", "account"]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["late", "reader", "scores"], ("scores", "reader", "late")),
        (["reader", "scores", "late"], ("scores", "reader", "late")),
        (["late", "scores"], ("scores", "late")),  # reader is not chosen: no wait for it
        (["reader"], ("reader",)),
        (["scores", "scores", "reader"], ("scores", "reader")),
    ],
)
def test_stable_topological_order(fakes: None, names: list[str], expected: tuple[str, ...]) -> None:
    assert registry.order(names) == expected


def test_a_cycle_is_an_error(fakes: None) -> None:
    with pytest.raises(RuleDataError, match=r"detectors wait for each other .*break the cycle"):
        registry.order(["loop", "loop2"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "unknown_rule",
            "detector 'unknown_rule' (fake_detectors:UnknownRule) declares 'work.gossip', which "
            "is no rule id or family in rules/catalogue.yml; add the rule to the catalogue or "
            "fix its rule_ids",
        ),
        (
            "no_rules",
            "detector 'no_rules' (fake_detectors:NoRules) declares no rule ids; add rule_ids = "
            "(...) with the catalogue ids (or family prefixes) its findings carry",
        ),
        (
            "misnamed",
            "detector 'misnamed' (fake_detectors:Misnamed) is called 'something_else'; give it "
            "name = 'misnamed', the name it is registered under",
        ),
        (
            "after_nobody",
            "detector 'after_nobody' (fake_detectors:AfterNobody) runs after 'clasifier', which "
            "is not a registered detector (",
        ),
    ],
)
def test_declarations_are_checked_at_load(fakes: None, name: str, message: str) -> None:
    with pytest.raises(RuleDataError) as err:
        registry.create([name])
    assert str(err.value).startswith(message)


def test_an_unknown_detector_is_a_usage_error() -> None:
    with pytest.raises(InputError, match="unknown detector 'lexikon'; registered: account, "):
        registry.create(["lexikon"])


def test_every_catalogue_rule_is_raised_by_a_detector_or_says_what_raises_it() -> None:
    catalogue = default_ruleset().catalogue
    for rule_id, detectors in registry.rule_sources(catalogue).items():
        assert bool(detectors) != bool(catalogue[rule_id].raised_by), rule_id


def test_lexicon_refuses_rule_data_for_a_rule_it_does_not_declare(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    (root / "en").mkdir(parents=True)
    (root / "catalogue.yml").write_text(
        "rules:\n  safety.contact: {title: C, catches: c, source: s, fix: f}\n"
    )
    (root / "en" / "safety.yml").write_text(
        "rules:\n  - id: safety.contact\n    check: phone\n    phrases: [call me]\n"
        "    message: m\n    explanation: e\n"
        "    suggestions: [{action: remove, description: d}]\n"
        "    examples: {flag: [call me], pass: [hello]}\n"
    )
    with pytest.raises(RuleDataError, match=r"safety.yml: entries for safety.contact, which"):
        LexiconDetector(load_ruleset(root))  # type: ignore[arg-type]


def test_findings_carry_only_declared_rule_ids() -> None:
    entries = default_ruleset().entries
    texts = [ex for e in entries for ex in (*e.flag_examples, *e.pass_examples)]
    posts = [Post.build(ex.text, **ex.context) for ex in texts]
    posts += [
        Post.build("Call me on 07700 900123, I live at 14 Elm Street, born 03/04/1990"),
        Post.build("a" * 400, platform="x"),
        Post.build("Great post!", reply_to="1", account_kind="brand"),
        Post.build("Free followers, DM me", inbound=True),
        Post.build("new post", account_kind="personal", clients_in_audience=True),
    ]
    raised = set()
    for report in Checker().check_batch(posts):
        for f in (*report.findings, *(s.finding for s in report.suppressed)):
            assert declares(registry.detector_class(f.detector).rule_ids, f.rule_id), (
                f"{f.detector} raised undeclared {f.rule_id}"
            )
            raised.add(f.detector)
    assert {"lexicon", "classifier", "pii", "platform", "account"} <= raised


def test_built_in_plug_ins_come_from_entry_points_only() -> None:
    assert set(importers()) == {"x", "mastodon", "bluesky", "linkedin", "facebook", "instagram"}
    assert set(connectors()) == {"x", "mastodon", "bluesky", "linkedin", "facebook", "instagram"}
    assert set(registry.available()) == set(registry.default_detectors())


def test_no_entry_points_means_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plugins, "entry_points", lambda group: [])
    with pytest.raises(TactfulError, match=r"tactful is not installed: run pip install -e \."):
        plugins.registered("tactful.detectors")
