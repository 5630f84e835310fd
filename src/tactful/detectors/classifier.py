"""The classifier detector: trained models for what words alone can't catch.

Scores the whole post for every category that applies to its context (authored posts,
replies, inbound messages), then points each finding at the sentences that carry it and
names the words that weighed most.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Annotated, ClassVar

import numpy as np
from pydantic import Field, RootModel

from tactful.core.data import DataModel, Source, Text
from tactful.core.findings import Finding, Severity
from tactful.core.post import Post
from tactful.core.ruleset import KnownRuleId, SuggestionData, default_ruleset
from tactful.core.text import normalize, sentences
from tactful.detectors.base import DetectContext, undeclared
from tactful.errors import RuleDataError
from tactful.models.cascade import Cascade, default_cascade
from tactful.models.contexts import context_mask

_WORD_CHARS = str.maketrans("", "", '.,!?;:"“”()[]')


class CategoryText(DataModel):
    """What a finding says when a model category fires (``models/categories.yml``)."""

    severity: Severity
    message: Text
    explanation: Text
    suggestions: Annotated[tuple[SuggestionData, ...], Field(min_length=1)]


class CategoriesFile(RootModel[dict[KnownRuleId, CategoryText]]):
    """``models/categories.yml``: one entry per model category, keyed by its rule id."""


@cache
def category_texts() -> dict[str, CategoryText]:
    catalogue = default_ruleset().catalogue
    source = Source.package("tactful.models", "categories.yml")
    return source.load(CategoriesFile, context={"catalogue": catalogue}).root


class ClassifierDetector:
    """Findings from the trained cascade (fast n-gram tier, MiniLM where unsure)."""

    name = "classifier"
    rule_ids: ClassVar[tuple[str, ...]] = (
        "offense.identity",
        "offense.insult",
        "conflict",
        "work",
        "views",
        "lifestyle",
        "register",
        "engagement",
        "inbound",
    )

    def __init__(self, cascade: Cascade | None = None):
        self.cascade = cascade or default_cascade()
        cats = self.cascade.categories
        stray = undeclared(self.rule_ids, [*cats, *category_texts()])
        if stray:
            raise RuleDataError(
                f"model categories {', '.join(stray)} (models/categories.yml, the model's "
                "meta.json) are not among ClassifierDetector.rule_ids; declare them there"
            )
        self._allowed = {
            (inbound, reply): context_mask(cats, inbound=inbound, reply=reply)
            for inbound in (False, True)
            for reply in (False, True)
        }
        self.texts = category_texts()
        missing = [c for c in cats if c not in self.texts]
        if missing:
            raise RuleDataError(
                f"models/categories.yml has no entry for model categories {', '.join(missing)}; "
                "add their message, explanation and suggestions"
            )

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        return self.detect_batch([post], [ctx])[0]

    def detect_batch(
        self, posts: Sequence[Post], ctxs: Sequence[DetectContext]
    ) -> list[list[Finding]]:
        """Score many posts at once: MiniLM embeds every unsure post in one batch."""
        allowed = [self._allowed[(p.inbound, p.is_reply)] for p in posts]
        all_scores = self.cascade.score_many([c.norm.text for c in ctxs], allowed)
        out = []
        for post, ctx, mask, scores in zip(posts, ctxs, allowed, all_scores, strict=True):
            for j, category in enumerate(self.cascade.categories):
                if mask[j]:
                    ctx.add_score(category, float(scores.probs[j]))
            out.append(
                [
                    self._finding(
                        post,
                        self.cascade.categories[int(j)],
                        float(scores.probs[j]),
                        scores.escalated,
                    )
                    for j in np.flatnonzero(scores.flagged)
                ]
            )
        return out

    def _spans(self, text: str, category: str) -> list[tuple[int, int]]:
        """The sentences that carry the category (the best one at least)."""
        parts = sentences(text)
        if len(parts) <= 1:
            return parts or [(0, len(text))]
        j = self.cascade.index[category]
        threshold = float(self.cascade.thresholds[j, 0])
        margins = [
            float(self.cascade.fast_logits(normalize(text[s:e]).text)[j]) - threshold
            for s, e in parts
        ]
        chosen = [p for p, m in zip(parts, margins, strict=True) if m >= 0]
        return chosen or [parts[int(np.argmax(margins))]]

    def _finding(self, post: Post, category: str, prob: float, escalated: bool) -> Finding:
        info = self.texts[category]
        spans = self._spans(post.text, category)
        words = [
            w.translate(_WORD_CHARS)
            for s, e in spans
            for w in normalize(post.text[s:e]).text.split()
        ]
        top = self.cascade.top_words([w for w in words if w], category)
        tier = "the n-gram model and MiniLM" if escalated else "the n-gram model"
        weighed = f" Words that weighed most: {', '.join(top)}." if top else ""
        return Finding(
            rule_id=category,
            severity=info.severity,
            spans=tuple(spans),
            score=prob,
            message=info.message,
            explanation=f"{info.explanation} (Scored {prob:.2f} by {tier}.{weighed})",
            suggestions=tuple(s.build() for s in info.suggestions),
            detector=self.name,
            check="model",
        )
