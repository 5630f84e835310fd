"""A user's "this finding is wrong", as the checker applies it.

The store keeps each piece of feedback for one account (:mod:`tactful.store.feedback`); the
snapshot carries them as :class:`FeedbackRule`; the checker turns an account's rules into
its last policy layer (:func:`feedback_layer`), so every surface hides the same findings and
each hidden one stays in the report's ``suppressed`` list with the feedback's id.

A rule matches a later finding of the same rule id, on the same account, on the same words:
compared by :func:`words_key` (the normaliser's letters, case and spacing folded, outer
punctuation ignored). With scope ``rule`` it hides the rule on that account whatever the
words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from tactful.core.findings import Finding, Report, Severity
from tactful.errors import InputError

if TYPE_CHECKING:
    from tactful.core.policy import PolicyLayer

Scope = Literal["words", "rule"]
LAYER_PREFIX = "feedback:"
# Findings a model's score alone raises; everything else rests on exact evidence.
MODEL_DETECTORS = frozenset({"classifier"})
_EDGE_PUNCTUATION = " \t\n.,;:!?…\"'“”‘’()[]{}-–—*_~"


@dataclass(frozen=True, slots=True)
class FeedbackRule:
    """One piece of feedback as a check needs it (picklable: it travels in the snapshot)."""

    id: int
    rule_id: str
    scope: Scope
    words: str
    reason: str
    actor: str
    at: datetime

    @property
    def match(self) -> str | None:
        """The normalised words a finding must point at (None: any words)."""
        return words_key(self.words) if self.scope == "words" else None


def words_key(words: str) -> str:
    """What two spellings of the same words have in common: the normalised text (case,
    look-alike letters, invisible characters folded), spaces collapsed, outer punctuation
    dropped (a model's sentence with or without its full stop)."""
    from tactful.core.text import normalize

    return " ".join(normalize(words).text.split()).strip(_EDGE_PUNCTUATION)


def finding_words(finding: Finding, text: str) -> str:
    """The words a finding points at: its spans' text, or the mention or media it names."""
    return finding.excerpt(text) if finding.spans else (finding.target or "")


def is_exact_evidence(finding: Finding) -> bool:
    """A blocking finding that rests on what the words are (a listed slur, a phone number, a
    card number that passes its checksum), not on a model's score: hiding it needs a
    confirmation, and never the whole rule."""
    return finding.severity is Severity.BLOCK and finding.detector not in MODEL_DETECTORS


def feedback_layer(account: str, rules: tuple[FeedbackRule, ...]) -> PolicyLayer:
    """The account's feedback as its last policy layer: one suppression per rule."""
    from tactful.core.policy import PolicyLayer, Suppression

    name = LAYER_PREFIX + account
    return PolicyLayer(
        name=name,
        suppress=tuple(
            Suppression(
                rule=r.rule_id,
                reason=f"marked wrong: {r.reason} (feedback #{r.id})",
                match=r.match,
                by=r.actor,
                layer=name,
                feedback=r.id,
            )
            for r in rules
        ),
    )


def pick_finding(report: Report, rule_id: str, words: str | None) -> Finding:
    """The finding of ``rule_id`` in ``report`` that feedback is about: the only one, or the
    one on ``words``. Raises :class:`InputError` saying what the check did find; a finding
    feedback already hides raises too, naming that feedback."""
    text = report.post.text
    want = words_key(words) if words else None

    def fits(f: Finding) -> bool:
        return f.rule_id == rule_id and (want is None or words_key(finding_words(f, text)) == want)

    for hidden in report.suppressed:
        if hidden.feedback is not None and fits(hidden.finding):
            raise InputError(
                f"{rule_id} on “{finding_words(hidden.finding, text)}” is already hidden by "
                f"feedback #{hidden.feedback}; see tactful feedback list"
            )
    same_rule = [f for f in report.findings if f.rule_id == rule_id]
    if not same_rule:
        found = ", ".join(report.rule_ids) or "nothing"
        raise InputError(
            f"checking this text for the account finds no {rule_id} (it finds: {found}); "
            "give a rule id the check shows"
        )
    hits = [f for f in same_rule if fits(f)]
    if len(hits) == 1 or (hits and len({words_key(finding_words(f, text)) for f in hits}) == 1):
        return hits[0]
    places = "; ".join(f"“{finding_words(f, text)}”" for f in same_rule)
    if not hits:
        raise InputError(f"{rule_id} does not point at “{words}” here (it points at {places})")
    raise InputError(f"{rule_id} points at {len(hits)} places ({places}); say which with --words")


def check_allowed(finding: Finding, *, scope: Scope, confirm_exact: bool) -> None:
    """Refuse feedback a careful product would not take on one click: hiding exact evidence
    without a confirmation, or hiding a whole rule that found exact evidence."""
    if not is_exact_evidence(finding):
        return
    what = finding.check or finding.rule_id
    if scope == "rule":
        raise InputError(
            f"{finding.rule_id} found exact evidence here ({what}, block): it cannot be hidden "
            "for the whole account; hide these words only (leave out the whole-rule option)"
        )
    if not confirm_exact:
        raise InputError(
            f"{finding.rule_id} rests on exact evidence ({what}, block), not on a model's "
            "guess: hide it only if you are sure it is harmless, and confirm that "
            "(--confirm-exact; confirm_exact in the API)"
        )
