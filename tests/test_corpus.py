"""The etiquette corpus: valid, big enough per category, with a fixed validation split."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tactful.training.corpus import CATEGORIES, CorpusError, load_corpus

POSTS = load_corpus()


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_category_has_150_posts_and_a_validation_share(category: str) -> None:
    positives = [p for p in POSTS if category in p.labels]
    assert len(positives) >= 150, (category, len(positives))
    val = sum(1 for p in positives if p.split == "val")
    assert 0.12 <= val / len(positives) <= 0.3, (category, val, len(positives))


def test_hard_negatives_outnumber_the_positives_of_any_category() -> None:
    negatives = [p for p in POSTS if not p.labels]
    assert len(negatives) >= 150 * len(CATEGORIES)


def test_context_flags_match_the_categories() -> None:
    for p in POSTS:
        if any(c.startswith("inbound.") for c in p.labels):
            assert p.inbound, p.id
        if any(c.startswith("engagement.") for c in p.labels):
            assert p.reply, p.id


def test_guidelines_exist() -> None:
    assert (Path(__file__).parent.parent / "src/tactful/training/corpus/GUIDELINES.md").is_file()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '{"id": "a", "text": "x", "labels": ["nope"], "platform": "x", "account_kind": "personal", "split": "train"}',
            "labels",
        ),
        (
            '{"id": "a", "text": "x", "labels": [], "platform": "x", "account_kind": "personal", "split": "test"}',
            "split",
        ),
        (
            '{"id": "a", "text": "x", "labels": ["inbound.spam"], "platform": "x", "account_kind": "brand", "split": "val"}',
            "inbound",
        ),
        ("not json", "not valid JSON"),
    ],
)
def test_bad_corpus_lines_are_named(tmp_path: Path, line: str, message: str) -> None:
    (tmp_path / "bad.jsonl").write_text(line + "\n")
    with pytest.raises(CorpusError, match=message) as err:
        load_corpus(tmp_path)
    assert "bad.jsonl:1" in str(err.value)


def test_duplicate_texts_across_files_are_refused(tmp_path: Path) -> None:
    row = {
        "id": "a-1",
        "text": "Same text",
        "labels": [],
        "platform": "x",
        "account_kind": "personal",
        "split": "train",
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(row) + "\n")
    (tmp_path / "b.jsonl").write_text(json.dumps({**row, "id": "b-1", "text": "same  TEXT"}) + "\n")
    with pytest.raises(CorpusError, match="duplicate text"):
        load_corpus(tmp_path)
