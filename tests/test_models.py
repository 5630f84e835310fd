"""The shipped models: verified files, the cascade, and findings that point at sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tactful
from tactful.core.text import normalize
from tactful.models import teacher
from tactful.models.cascade import Cascade, ModelUnavailable, default_cascade
from tactful.models.features import featurize, ngrams

MODEL_RULES = ("work.", "views.", "lifestyle.", "conflict.", "offense.", "register.")


def test_model_files_are_verified_before_use(tmp_path: Path) -> None:
    path = teacher.verified_file(*teacher.TOKENIZER)
    assert path.name == "minilm-tokenizer.json"
    with pytest.raises(teacher.ModelFileError, match="not installed"):
        teacher.verified_file("no_such_model_package", "model.onnx", "0" * 64)
    cascade = default_cascade()
    shipped = Path(cascade._teacher_path)
    assert shipped.stat().st_size < 30_000_000  # int8: the 30 MB ceiling
    copy = tmp_path / "teacher.onnx"
    copy.write_bytes(shipped.read_bytes()[:-1] + b"\0")
    with pytest.raises(teacher.TeacherUnavailable, match="expected"):
        teacher.Teacher(copy, expected_sha256=cascade._teacher_sha256)


def test_a_fast_tier_from_another_teacher_is_refused(tmp_path: Path) -> None:
    import json
    import shutil

    from tactful.models.cascade import artifacts_dir

    for f in artifacts_dir().iterdir():
        shutil.copy(f, tmp_path / f.name)
    meta = json.loads((tmp_path / "meta.json").read_text())
    meta["teacher_sha256"] = "0" * 64
    (tmp_path / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelUnavailable, match="another teacher"):
        Cascade(tmp_path)


# Token ids recorded from the tokenizer tactful used before it shipped its own copy (the file
# the models were trained with): the same bytes must give the same ids.
@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("Hello world", [101, 7592, 2088, 102]),
        (
            "My idiot boss moved the deadline again lol",
            [101, 2026, 10041, 5795, 2333, 1996, 15117, 2153, 8840, 2140, 102],
        ),
        ("[MASK] are all lazy", [101, 103, 2024, 2035, 13971, 102]),
        ("Café naïve résumé 東京 🎉", [101, 7668, 15743, 13746, 1879, 1755, 100, 102]),
    ],
)
def test_the_shipped_tokenizer_gives_the_ids_the_models_were_trained_on(
    text: str, ids: list[int]
) -> None:
    path = teacher.verified_file(*teacher.TOKENIZER)
    assert path.parent.name == "artifacts" and path.parent.parent == Path(teacher.__file__).parent
    assert default_cascade().teacher.tokenizer.encode(text).ids == ids


def test_the_tokenizer_truncates_at_the_model_limit() -> None:
    tokens = default_cascade().teacher.tokenizer.encode("word " * 500).ids
    assert len(tokens) == teacher.MAX_TOKENS and tokens[0] == 101 and tokens[-1] == 102


def test_a_changed_tokenizer_file_is_refused() -> None:
    with pytest.raises(teacher.ModelFileError, match="not the one tactful was built with"):
        teacher.verified_file(teacher.TOKENIZER[0], teacher.TOKENIZER[1], "0" * 64)


def test_the_teacher_scores_in_input_order() -> None:
    cascade = default_cascade()
    texts = ["short", "a much longer sentence about quarterly planning and hiring", "short"]
    margins = cascade.teacher_margins(texts)
    assert margins.shape == (3, len(cascade.categories))
    assert np.allclose(margins[0], margins[2], atol=1e-5)
    assert not np.allclose(margins[0], margins[1])


def test_a_post_gets_the_same_scores_alone_and_among_others() -> None:
    """A draft checked on its own and the same post in an audit's batch get one answer (the
    int8 model's activation scale must not depend on the other texts)."""
    cascade = default_cascade()
    post = "my clients are exhausting and i can't stand dealing with them anymore"
    others = [
        "vote every one of them out, this council is a disgrace",
        "lol",
        "what a lovely day at the office with the whole team " * 3,
    ]
    teacher = cascade.teacher  # the model itself: the cascade remembers recent answers
    alone = teacher.logits([post])[0]
    assert np.array_equal(teacher.logits([*others, post])[-1], alone)
    assert np.array_equal(teacher.logits([post, *others])[0], alone)
    assert cascade.teacher_margins([]).shape == (0, len(cascade.categories))


def test_a_post_naming_a_group_is_judged_like_any_other() -> None:
    """Identity terms are masked for both tiers, so swapping the group changes nothing."""
    cascade = default_cascade()
    pairs = [
        "[MASK] are all lazy and should go back where they came from",
        "proud of our [MASK] engineers who shipped the release",
    ]
    for sentence in pairs:
        a, b = (normalize(sentence.replace("[MASK]", g)).text for g in ("women", "Muslims"))
        assert np.allclose(cascade.fast_margins(a), cascade.fast_margins(b), atol=1e-5)
        ta, tb = cascade.teacher_margins([a, b])
        assert np.allclose(ta, tb, atol=1e-4)


def test_a_post_naming_a_group_that_the_fast_tier_would_flag_goes_to_the_teacher() -> None:
    from tactful.models.contexts import context_mask

    cascade = default_cascade()
    allowed = np.array(context_mask(cascade.categories, inbound=False, reply=False))
    j = cascade.index["offense.identity"]
    named = normalize("the middle eastern culture in my city is thriving").text
    plain = normalize("Thrilled to welcome Priya to the design team this week!").text
    assert cascade.fast_margins(named)[j] >= 0  # the fast tier alone would call it an attack
    escalated, kept = cascade.score_many([named, plain], [allowed, allowed])
    assert escalated.escalated and not escalated.flagged[j]  # the teacher reads it: it is not
    assert not kept.escalated


def test_features_are_deterministic_and_normalised() -> None:
    idx, val = featurize("my client is a nightmare")
    idx2, val2 = featurize("my client is a nightmare")
    assert list(idx) == list(idx2) and np.allclose(val, val2)
    assert abs(float(np.linalg.norm(val)) - 1.0) < 1e-5
    grams = ngrams("@sarah_k thanks for the intro https://example.com/x")
    assert "w:xmentionx" in grams and "w:url" in grams
    assert not any("sarah" in g or "example" in g for g in grams)
    assert featurize("")[0].size == 0


def test_only_tags_that_open_a_post_reach_the_features() -> None:
    from tactful.models.features import prepare

    assert prepare("@acmebank @help worst service").split() == ["xmentionx", "worst", "service"]
    assert prepare("Thanks @jane, @tom.smith and @bob@example.social!").split() == [
        "Thanks",
        ",",
        "and",
        "!",
    ]
    assert "xmentionx" not in prepare("mail jane@example.com")


def test_missing_artifacts_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="make train"):
        Cascade(tmp_path)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Third time this week the client 'forgot' to send the brief. I'm done with these people.",
            "work.venting",
        ),
        (
            "Can't wait for everyone to see what we're launching in March, the new pricing will shock people",
            "work.confidential",
        ),
        (
            "Anyone who still supports this government is part of the problem. Vote them out.",
            "views.political",
        ),
        ("Still feeling last night... four bars, no sleep, zero regrets", "lifestyle.nightlife"),
    ],
)
def test_model_catches_what_words_alone_cannot(text: str, rule: str) -> None:
    report = tactful.check(text, platform="linkedin", account_kind="professional")
    hits = [f for f in report.findings if f.rule_id == rule]
    assert hits, (rule, report.rule_ids, report.scores.get(rule))
    for f in hits:
        assert f.spans and all(0 <= s < e <= len(text) for s, e in f.spans)
        assert f.explanation and f.suggestions


@pytest.mark.parametrize(
    "text",
    [
        "I am a gay Muslim woman and an engineer",
        "Black-owned business of the year, so honoured",
        "Our accessibility work for disabled users shipped today",
        "Our client's nightmare scenario is downtime, so we built for it",
        "Thrilled to welcome Priya to the design team this week!",
        "Thanks @jane, @tom and @bob for a great workshop.",
        "Great chat with @pat about hiring juniors.",
        "Proud to work with @acme on their new store",
        "Day one with the Northwind team!",
    ],
)
def test_identity_statements_and_plain_news_pass(text: str) -> None:
    report = tactful.check(text, platform="linkedin", account_kind="professional")
    flagged = [f.rule_id for f in report.findings if f.rule_id.startswith(MODEL_RULES)]
    assert not flagged, (flagged, {k: round(v, 2) for k, v in report.scores.items() if v > 0.3})


def test_model_finding_points_at_the_words_and_names_them() -> None:
    text = (
        "Great quarter for the team, thank you all. "
        "Third time this week the client forgot to send the brief. I am done with these people."
    )
    report = tactful.check(text, account_kind="professional")
    model = [f for f in report.findings if f.detector == "classifier"]
    assert model, report.rule_ids
    for f in model:
        assert all(s >= text.index("Third") for s, _ in f.spans), f.spans
        assert "weighed most" in f.explanation
        assert sum(e - s for s, e in f.spans) < len("Third time this week the client forgot")


def test_inbound_posts_get_inbound_categories() -> None:
    report = tactful.check(
        "Ordered three weeks ago, still nothing, and nobody answers the phone. I want a refund.",
        inbound=True,
        account_kind="brand",
    )
    assert "inbound.complaint" in report.rule_ids
    assert all(not r.startswith(("work.", "views.", "register.")) for r in report.rule_ids)


def test_models_were_trained_on_the_current_profanity_list() -> None:
    from tactful.models.features import profanity_fingerprint

    trained = default_cascade().meta["profanity_fingerprint"]
    assert trained == profanity_fingerprint(), (
        "the profanity word list changed since the models were trained: run `make train`"
    )


def test_the_teacher_cache_holds_up_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The web app checks posts from several threads on one cascade; a small cache that keeps
    evicting must never lose a row another thread is about to read."""
    import threading
    import time

    from tactful.models import cascade as cascade_module

    monkeypatch.setattr(cascade_module, "TEACHER_RECENT", 4)
    cascade = Cascade()
    n = len(cascade.categories)

    class SlowTeacher:
        def logits(self, texts: list[str]) -> np.ndarray:
            time.sleep(0.001)  # let the other threads run in between
            return np.array([[float(len(t))] * n for t in texts], dtype=np.float32)

    cascade._teacher = SlowTeacher()  # type: ignore[assignment]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(60):
                texts = [f"shared {i % 7}", f"own {k} {i}" + "x" * (i % 5)]
                rows = cascade.teacher_margins(texts)
                expected = [len(t) - cascade.teacher_thresholds for t in texts]
                assert np.allclose(rows, np.stack(expected))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    assert len(cascade._recent) <= 4
