"""The classifier detector: trained models for what words alone can't catch.

Scores the whole post for every category that applies to its context (authored posts,
replies, inbound messages), then points each finding at the words that carry its score
(occlusion on the tier that decided, ``models/attribution.py``) and names them. Two checks
stand between a score and a finding:

- grounding (``detectors/grounding.yml``): the words the category needs must be there
  (a group of people for ``offense.identity``, a work referent for ``work.venting``) and no
  reading that rules it out (counter-speech, negation) may apply; the explanation names
  what was found;
- calibration (``models/calibration.yml``): the score decides the most severe the finding may
  be, by the precision measured at that score on real posts; below the lowest bar, nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import cache, lru_cache
from typing import Annotated, Any, ClassVar

import numpy as np
from pydantic import Field, RootModel

from tactful.core.data import DataModel, Source, Text
from tactful.core.findings import Finding, Severity
from tactful.core.post import Post
from tactful.core.ruleset import KnownRuleId, SuggestionData, default_ruleset
from tactful.core.text import normalize, sentences
from tactful.detectors.base import DetectContext, undeclared
from tactful.detectors.grounding import Grounding, default_grounding
from tactful.errors import RuleDataError
from tactful.models.attribution import Attribution, decompose, occlude_together, shortlist
from tactful.models.calibration import CalibrationFile, default_calibration
from tactful.models.cascade import Cascade, default_cascade
from tactful.models.contexts import context_mask
from tactful.models.features import explain_skip, identity_terms

# Model categories the hand-labelled real posts do not cover warn at most on a score alone.
UNCALIBRATED_CEILING = Severity.WARN
TEACHER_WORDS = 4  # words the teacher is asked about (blanked one at a time) per finding
_TIERS = {False: "the n-gram model", True: "the fine-tuned MiniLM"}  # escalated or not


class CategoryText(DataModel):
    """What a finding says when a model category fires (``models/categories.yml``)."""

    severity: Severity
    message: Text
    explanation: Text
    suggestions: Annotated[tuple[SuggestionData, ...], Field(min_length=1)]


class CategoriesFile(RootModel[dict[KnownRuleId, CategoryText]]):
    """``models/categories.yml``: one entry per model category, keyed by its rule id."""


@cache
def _unnamed() -> frozenset[str]:
    """Words a finding never names: function words, and the words that name a group (which
    neither tier reads)."""
    return explain_skip() | identity_terms()


def _normal(word: str) -> str:
    return _normal_cached(word) if len(word) <= 40 else normalize(word).text


@lru_cache(maxsize=65536)
def _normal_cached(word: str) -> str:
    return normalize(word).text


@cache
def category_texts() -> dict[str, CategoryText]:
    catalogue = default_ruleset().catalogue
    source = Source.package("tactful.models", "categories.yml")
    return source.load(CategoriesFile, context={"catalogue": catalogue}).root


class ClassifierDetector:
    """Findings from the trained cascade (fast n-gram tier, the fine-tuned MiniLM teacher where
    unsure)."""

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

    def __init__(
        self,
        cascade: Cascade | None = None,
        *,
        calibrated: bool = True,
        grounding: Grounding | None = None,
    ):
        """``calibrated=False`` raises every grounded score at its category's severity (what
        ``make calibrate`` measures); ``grounding`` defaults to ``detectors/grounding.yml``."""
        self.cascade = cascade or default_cascade()
        self.grounding = grounding or default_grounding()
        self.calibration: CalibrationFile | None = default_calibration() if calibrated else None
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
        """Score many posts at once: the teacher reads every unsure post in one batch."""
        allowed = [self._allowed[(p.inbound, p.is_reply)] for p in posts]
        all_scores = self.cascade.score_many([c.norm.text for c in ctxs], allowed)
        out = []
        for post, ctx, mask, scores in zip(posts, ctxs, allowed, all_scores, strict=True):
            for j, category in enumerate(self.cascade.categories):
                if mask[j]:
                    ctx.add_score(category, float(scores.probs[j]))
            found = (
                self._finding(
                    post, self.cascade.categories[int(j)], float(scores.probs[j]), scores.escalated
                )
                for j in np.flatnonzero(scores.flagged)
            )
            out.append([f for f in found if f is not None])
        return out

    def _sentence(self, text: str, category: str) -> list[tuple[int, int]]:
        """The sentences the fast tier finds the category in (the best one at least): where
        a finding points when no single word carries its score."""
        parts = sentences(text)
        if len(parts) <= 1:
            return parts or [(0, len(text))]
        j = self.cascade.index[category]
        margins = [float(self.cascade.fast_margins(normalize(text[s:e]).text)[j]) for s, e in parts]
        chosen = [p for p, m in zip(parts, margins, strict=True) if m >= 0]
        return chosen or [parts[int(np.argmax(margins))]]

    def _linear(self, normalised: str, j: int) -> Any:
        """What each word's own n-grams add to category ``j``'s fast margin (``normalised``
        is the post normalised, once per post)."""

        def linear(words: Sequence[str]) -> Any:
            return self.cascade.fast_contributions(normalised, [_normal(w) for w in words], j)

        return linear

    def refine(self, post: Post, findings: Sequence[Finding]) -> list[Finding]:
        """The findings the policy kept, pointed at the words that carry each score and
        naming them, on the tier that decided: the linear fast tier by what each word's
        n-grams add (also where the teacher only confirmed what the fast tier was sure of);
        the teacher by blanking, one at a time, the words the fast tier weighs most either
        way, for all of a post's findings in one batch (occlusion costs a few scorings, so it
        waits until the policy has dropped what the account will not see)."""
        normalised = normalize(post.text).text
        found: dict[int, Attribution | None] = {}
        confirmed: set[int] = set()  # the teacher decided what the fast tier was sure of
        asks: list[tuple[int, int, list[tuple[int, int]]]] = []  # finding, category, words
        for k, f in enumerate(findings):
            escalated = f"by {_TIERS[True]}.)" in f.explanation
            if f"by {_TIERS[escalated]}.)" not in f.explanation:
                continue
            j = self.cascade.index[f.rule_id]
            linear = self._linear(normalised, j)
            if escalated and self.cascade.fast_was_sure(normalised, f.rule_id):
                confirmed.add(k)  # the fast tier's weights say which words, at no cost
                escalated = False
            if escalated:
                words = shortlist(
                    post.text, linear, within=f.spans, size=TEACHER_WORDS, skip=_unnamed()
                )
                asks.append((k, j, words))
            else:
                found[k] = decompose(post.text, linear, within=f.spans, skip=_unnamed())
        if asks:
            columns = [j for _, j, _ in asks]
            answers = occlude_together(
                post.text,
                lambda texts: self.cascade.teacher_margins([normalize(t).text for t in texts])[
                    :, columns
                ],
                [words for _, _, words in asks],
            )
            found.update({k: a for (k, _, _), a in zip(asks, answers, strict=True)})
        out = []
        for k, f in enumerate(findings):
            attribution = found.get(k)
            if attribution is None:
                out.append(f)
                continue
            tier = _TIERS[f"by {_TIERS[True]}.)" in f.explanation]
            agreed = f", which agreed with {_TIERS[False]}" if k in confirmed else ""
            named = ", ".join(attribution.words[:3])
            weighed = f"by {tier}{agreed}. Words that weighed most: {named}.)"
            explanation = f.explanation.replace(f"by {tier}.)", weighed, 1)
            out.append(replace(f, spans=attribution.spans, explanation=explanation))
        return out

    def _ceiling(self, category: str, prob: float) -> tuple[Severity | None, str]:
        """The most severe ``prob`` supports for ``category`` (None: too weak to raise), and
        what the calibration says about it. A category the real posts do not cover (replies,
        inbound messages, personal register) warns at most."""
        if self.calibration is None:
            return self.texts[category].severity, ""
        entry = self.calibration.categories.get(category)
        if entry is None:
            return Severity.min(self.texts[category].severity, UNCALIBRATED_CEILING), ""
        ceiling = entry.severity_for(prob)
        precision = entry.precision_for(prob)
        wording = self.grounding.wording
        if precision is None:
            return ceiling, " " + wording.unmeasured
        return ceiling, " " + wording.measured.format(precision=f"{precision:.0%}")

    def _finding(self, post: Post, category: str, prob: float, escalated: bool) -> Finding | None:
        info = self.texts[category]
        ceiling, measured = self._ceiling(category, prob)
        if ceiling is None:
            return None
        spans = tuple(self._sentence(post.text, category))
        grounded = self.grounding.check(category, post.text, spans)
        if grounded.evidence is None:
            return None
        tier = _TIERS[escalated]
        evidence = grounded.evidence
        found = (
            " "
            + self.grounding.wording.found.format(
                says=evidence.says, words=", ".join(f"“{w}”" for w in evidence.words[:3])
            )
            if evidence.words
            else ""
        )
        return Finding(
            rule_id=category,
            severity=Severity.min(info.severity, ceiling),
            spans=spans,
            score=prob,
            message=info.message,
            explanation=(f"{info.explanation}{found} (Scored {prob:.2f} by {tier}.){measured}"),
            suggestions=tuple(s.build() for s in info.suggestions),
            detector=self.name,
            check="model",
            ceiling=ceiling if self.calibration is not None else None,
        )
