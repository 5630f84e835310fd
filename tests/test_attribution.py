"""Occlusion: the words a model finding points at are the ones that carry its score."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import tactful
from tactful.models.attribution import MAX_VARIANTS, occlude


def _weights(weights: dict[str, float]):  # type: ignore[no-untyped-def]
    def margins(texts: Sequence[str]) -> np.ndarray:
        return np.array([sum(weights.get(w.lower(), 0.0) for w in t.split()) for t in texts])

    return margins


def test_the_heaviest_words_are_chosen_and_named_first() -> None:
    text = "Honestly my boss is a clown and the clients are idiots"
    found = occlude(text, _weights({"clown": 1.0, "idiots": 3.0, "honestly": 0.1}))
    assert found is not None
    assert found.words[0] == "idiots"
    assert all(text[s:e] in ("idiots", "clown") for s, e in found.spans)


def test_words_next_to_each_other_become_one_span() -> None:
    text = "what a total clown show today"
    found = occlude(text, _weights({"clown": 2.0, "show": 2.0, "today": 0.1}))
    assert found is not None and [text[s:e] for s, e in found.spans] == ["clown show"]


def test_nothing_is_named_when_no_word_lowers_the_score() -> None:
    assert occlude("a calm and kind note", _weights({"idiot": 2.0})) is None
    assert occlude("", _weights({})) is None


def test_only_words_inside_the_sentences_given_are_candidates() -> None:
    text = "Idiot move by me. The clients are idiots."
    inside = [(text.index("The"), len(text))]
    found = occlude(text, _weights({"idiot": 2.0, "idiots.": 1.0}), within=inside)
    assert found is not None and all(s >= inside[0][0] for s, _ in found.spans)


def test_a_long_post_is_scored_a_run_of_words_at_a_time() -> None:
    calls: list[int] = []
    weights = _weights({"idiots": 2.0})

    def counting(texts: Sequence[str]) -> np.ndarray:
        calls.append(len(texts))
        return weights(texts)

    text = " ".join(["fine"] * 200 + ["idiots"] + ["fine"] * 200)
    found = occlude(text, counting)
    assert calls == [MAX_VARIANTS + 1]
    assert found is not None and "idiots" in text[found.spans[0][0] : found.spans[0][1]]


def test_a_model_finding_names_words_that_are_in_the_post() -> None:
    text = "Third time this week the client forgot to send the brief. I am done with these people."
    report = tactful.check(text, account_kind="professional")
    model = [f for f in report.findings if f.detector == "classifier"]
    assert model, report.rule_ids
    for f in model:
        named = f.explanation.split("Words that weighed most: ")[1].split(".")[0].split(", ")
        assert named and all(w in text for w in named), (named, f.explanation)
        assert len(set(named)) == len(named) and "the" not in named  # no repeats, no "the"
        assert all(text[s:e].strip() for s, e in f.spans)
        assert sum(e - s for s, e in f.spans) < len(text)  # words, not the whole post


def test_the_linear_answer_names_the_words_that_add_most() -> None:
    from tactful.models.attribution import decompose, shortlist

    weights = {"clown": 2.5, "idiots": 3.0, "great": -2.0}

    def contributions(words: Sequence[str]) -> np.ndarray:
        return np.array([weights.get(w.lower(), 0.0) for w in words])

    text = "Great team, but @acme hired idiots and a clown https://x.example/clown"
    found = decompose(text, contributions)
    assert found is not None and found.words[:2] == ("idiots", "clown")
    assert all(s < text.index("https") for s, _ in found.spans)  # never inside a link
    short = shortlist(text, contributions, size=2)
    assert [text[s:e] for s, e in short] == ["idiots", "clown"]  # the heaviest, in text order
    assert all(not text[s:e].startswith("@") for s, e in shortlist(text, contributions, size=9))


def test_a_teacher_finding_is_pointed_at_words_the_teacher_chose() -> None:
    from tactful.core.findings import Finding, Severity
    from tactful.core.post import Post
    from tactful.core.text import normalize
    from tactful.detectors.classifier import TEACHER_WORDS, ClassifierDetector, _unnamed
    from tactful.models.attribution import decompose, shortlist

    detector = ClassifierDetector()
    cascade = detector.cascade
    text = "People from china are just that, people, and they are all thieves and liars."
    whole = ((0, len(text)),)

    def teacher_finding(rule_id: str) -> Finding:
        return Finding(
            rule_id=rule_id,
            severity=Severity.WARN,
            spans=whole,
            score=0.9,
            message="m",
            explanation="Why. (Scored 0.90 by the fine-tuned MiniLM.)",
            suggestions=(),
            detector="classifier",
            check="model",
        )

    # Neither is something the fast tier was sure of (a post naming a group never is, for
    # offense.identity), so the teacher is asked which words carry them, both in one batch.
    rules = ("offense.identity", "register.promotional")
    normalised = normalize(text).text
    assert not any(cascade.fast_was_sure(normalised, r) for r in rules)
    refined = detector.refine(Post(text), [teacher_finding(r) for r in rules])
    for rule, finding in zip(rules, refined, strict=True):
        j = cascade.index[rule]
        named = finding.explanation.split("Words that weighed most: ")[1].split(".)")[0]
        assert named and all(w in text for w in named.split(", "))
        # The post's findings were asked about together; each gets what asking about it
        # alone gives (every text is scored on its own, so nothing else in the batch counts).
        words = shortlist(
            text,
            detector._linear(normalised, j),
            within=whole,
            size=TEACHER_WORDS,
            skip=_unnamed(),
        )
        alone = occlude(
            text,
            lambda texts, j=j: cascade.teacher_margins([normalize(t).text for t in texts])[:, j],
            words=words,
        )
        assert alone is not None and finding.spans == alone.spans
        base = float(cascade.teacher_margins([normalised])[0, j])
        s, e = finding.spans[0]
        blanked = text[:s] + " " * (e - s) + text[e:]
        after = float(cascade.teacher_margins([normalize(blanked).text])[0, j])
        assert after < base  # taking the words away lowers the teacher's margin

    # What the fast tier was sure of and the teacher confirmed is pointed at words by the fast
    # tier's own weights (no more scorings), and the explanation says both agreed.
    vote = "Vote them all out in November, this senate is corrupt and the president lied."
    assert cascade.fast_was_sure(normalize(vote).text, "views.political")
    [confirmed] = detector.refine(Post(vote), [teacher_finding("views.political")])
    assert "MiniLM, which agreed with the n-gram model. Words that weighed most" in (
        confirmed.explanation
    )
    j = cascade.index["views.political"]
    linear = decompose(
        vote, detector._linear(normalize(vote).text, j), within=((0, len(vote)),), skip=_unnamed()
    )
    assert linear is not None and confirmed.spans == linear.spans


def test_findings_asked_about_together_read_their_own_column() -> None:
    from tactful.models.attribution import occlude_together

    text = "my boss is a clown and the clients are idiots"

    def margins(texts: Sequence[str]) -> np.ndarray:
        return np.stack(
            [_weights({"clown": 2.0, "boss": 0.5})(texts), _weights({"idiots": 3.0})(texts)],
            axis=1,
        )

    spans = {w: (text.index(w), text.index(w) + len(w)) for w in ("boss", "clown", "idiots")}
    asked: list[list[tuple[int, int]]] = [
        [spans["boss"], spans["clown"]],
        [spans["clown"], spans["idiots"]],
        [],
    ]
    first, second, none = occlude_together(text, margins, asked)
    assert first is not None and first.words[0] == "clown"
    assert second is not None and second.words == ("idiots",)
    assert none is None
    assert occlude_together(text, margins, [[], []]) == [None, None]
