"""The lexicon detector: rule entries from ``rules/en/*.yml`` matched over normalised text."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from tactful.core.findings import Finding, Suggestion
from tactful.core.matching import Match, Matcher
from tactful.core.post import Post
from tactful.core.ruleset import Ruleset, default_ruleset
from tactful.detectors.base import DetectContext, undeclared
from tactful.detectors.grounding import default_grounding
from tactful.errors import RuleDataError

# Checks whose match is exact evidence (a listed slur): a reading never drops them.
EXACT_EVIDENCE = "slur"
_SCOPES_AUTHORED = frozenset({"authored", "any"})
_SCOPES_REPLY = frozenset({"authored", "reply", "any"})
_SCOPES_INBOUND = frozenset({"inbound", "any"})


def scopes_for(post: Post) -> frozenset[str]:
    if post.inbound:
        return _SCOPES_INBOUND
    return _SCOPES_REPLY if post.is_reply else _SCOPES_AUTHORED


class LexiconDetector:
    """Phrases, patterns and obfuscated spellings from the rule data."""

    name = "lexicon"
    # The rule families ``rules/en/*.yml`` may hold entries for: an entry for any other rule
    # is refused at load, so a new family is a deliberate change here too.
    rule_ids: ClassVar[tuple[str, ...]] = (
        "offense",
        "conflict",
        "work",
        "views",
        "lifestyle",
        "register",
        "engagement",
        "inbound",
    )

    def __init__(self, ruleset: Ruleset | None = None):
        self.ruleset = ruleset or default_ruleset()
        stray = undeclared(self.rule_ids, (e.rule_id for e in self.ruleset.entries))
        if stray:
            files = sorted({e.file for e in self.ruleset.entries if e.rule_id in stray})
            raise RuleDataError(
                f"rules/en/{', '.join(files)}: entries for {', '.join(stray)}, which the lexicon "
                f"detector does not raise (its families: {', '.join(self.rule_ids)}); move them "
                "to a rule the lexicon raises or add the family to LexiconDetector.rule_ids"
            )
        self.matcher = Matcher(list(self.ruleset.entries), self.ruleset.vocab)
        self.grounding = default_grounding()
        self._read_ids = self.grounding.categories

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        matches = self.matcher.find(ctx.norm, scopes_for(post))
        findings = self._read(
            [self._finding(m, post.text, ctx) for m in _dedupe(matches)], post.text
        )
        for f in findings:
            ctx.add_score(f.rule_id, f.score)
        return findings

    def _read(self, findings: list[Finding], text: str) -> list[Finding]:
        """Findings a reading rules out (``detectors/grounding.yml``: counter-speech, negated
        or self-referring remarks about a group, in the sentences the finding is in) are
        marked so that the report lists them as suppressed, with why; a listed slur keeps
        its severity, since the word is in the post, and its explanation says it may be
        quoted."""
        wording = self.grounding.wording
        kept: list[Finding] = []
        for f in findings:
            why = (
                self.grounding.ruled_out(f.rule_id, text, f.spans)
                if f.rule_id in self._read_ids
                else None
            )
            if why is None:
                kept.append(f)
            elif f.check is not None and EXACT_EVIDENCE in f.check:
                note = wording.exact_kept.format(why=why)
                kept.append(replace(f, explanation=f"{f.explanation} {note}"))
            else:
                kept.append(replace(f, ruled_out=wording.ruled_out.format(why=why)))
        return kept

    def _finding(self, match: Match, text: str, ctx: DetectContext) -> Finding:
        start, end = ctx.norm.to_original(match.start, match.end)
        excerpt = text[start:end]
        entry = match.entry
        suggestions = tuple(
            Suggestion(
                s.action,
                s.description.replace("{match}", excerpt),
                None if s.replacement is None else s.replacement.replace("{match}", excerpt),
            )
            for s in entry.suggestions
        )
        if match.replacement is not None:
            replace = Suggestion(
                "replace", f"Replace “{excerpt}” with “{match.replacement}”", match.replacement
            )
            suggestions = (replace, *suggestions)
        how = {
            "obfuscated": "an obfuscated spelling of a listed word",
            "disguised": "a listed phrase, one of its words spelt in disguise",
            "phrase": "a listed phrase",
            "pattern": "a pattern",
        }[match.how]
        return Finding(
            rule_id=entry.rule_id,
            severity=entry.severity,
            spans=((start, end),),
            score=match.score,
            message=entry.message.replace("{match}", excerpt),
            explanation=f"{entry.explanation} (Matched “{excerpt}”: {how}, check {entry.check}.)",
            suggestions=suggestions,
            detector=self.name,
            check=entry.check,
            matched=match.matched,
        )


def _dedupe(matches: list[Match]) -> list[Match]:
    """One match per rule where matches overlap: the longest, then the highest-scoring."""
    ordered = sorted(
        matches, key=lambda m: (m.entry.rule_id, m.start, -(m.end - m.start), -m.score)
    )
    kept: list[Match] = []
    for m in ordered:
        prev = kept[-1] if kept else None
        if prev and prev.entry.rule_id == m.entry.rule_id and m.start < prev.end:
            if m.score > prev.score and m.end - m.start >= prev.end - prev.start:
                kept[-1] = m
            continue
        kept.append(m)
    return kept
