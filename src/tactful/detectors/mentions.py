"""Tags and @mentions against the consent ledger and the do-not-tag list.

With a store snapshot (``ctx.store``) the ledger decides: a person may be tagged with a
current grant for the platform; an organisation unless it is on the do-not-tag list or a
competitor, and only with a recorded relationship or consent. Without a store nothing says
whether anyone agreed, so each tag gets a reminder to ask first (info, with the private
message to send; wording in ``mentions.yml``), not a warning on every tag. A post that
replies to someone may mention them without consent: the reply already does.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Annotated, ClassVar

import regex
from pydantic import AfterValidator

from tactful.core.data import DataModel, Fraction, Source, Text, placeholders
from tactful.core.findings import Finding, Severity, Suggestion
from tactful.core.post import Post
from tactful.detectors.base import DetectContext
from tactful.networks.platforms import Platform

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only when a snapshot is given
    from tactful.store.snapshot import ContactView, StoreSnapshot

# @handle, @user@instance (Mastodon), @name.bsky.social (Bluesky); not inside e-mails or URLs.
MENTION = regex.compile(
    r"(?<![\w@/.])@([A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?"
    r"(?:@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)?)"
)
RELATIONSHIPS = frozenset({"client", "partner", "supplier", "employer", "prospect"})


Template = Annotated[Text, AfterValidator(placeholders("handle", "platform"))]


class ReminderData(DataModel):
    """The reminder to ask before tagging, for a check without a store."""

    severity: Severity
    score: Fraction
    greeting: Text
    message: Template
    explanation: Template
    ask: Template
    untag: Template
    record: Template


class MentionsFile(DataModel):
    """``detectors/mentions.yml``."""

    without_store: ReminderData


@cache
def _reminder_data() -> ReminderData:
    return Source.package("tactful.detectors", "mentions.yml").load(MentionsFile).without_store


def mentions_in(post: Post) -> Iterator[tuple[str, tuple[tuple[int, int], ...]]]:
    """(normalised handle, spans) for each distinct mention in the text or the post's tags."""
    seen: dict[str, list[tuple[int, int]]] = {}
    for m in MENTION.finditer(post.text):
        seen.setdefault(m.group(1).lower(), []).append((m.start(), m.end()))
    for tag in post.mentions:
        h = tag.handle.strip().lstrip("@").lower()
        if not h:
            continue
        spans = seen.setdefault(h, [])
        if tag.start is not None and tag.end is not None and (tag.start, tag.end) not in spans:
            spans.append((tag.start, tag.end))
    for handle, spans in seen.items():
        yield handle, tuple(sorted(spans))


def _untagged(post: Post, handle: str, name: str) -> str:
    return str(regex.sub(rf"(?<![\w@])@{regex.escape(handle)}\b", name, post.text, flags=regex.I))


class MentionsDetector:
    """Tags of people without recorded consent, and of companies not to tag (with a store);
    without one, a reminder to ask each person tagged first."""

    name = "mentions"
    rule_ids: ClassVar[tuple[str, ...]] = ("tags.no_consent", "tags.business_association")

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        snapshot = ctx.store
        if post.inbound:
            return []
        if snapshot is None:
            return self._reminders(post, ctx)
        from tactful.store.kinds import ContactKind

        out = []
        platform = post.platform.value
        reply_target = (post.reply_to or "").lstrip("@").lower()
        for handle, spans in mentions_in(post):
            if handle == reply_target:
                continue
            view = snapshot.contact_for(platform, handle)
            if view is not None and view.contact.kind is ContactKind.ORGANISATION:
                finding = self._organisation(post, snapshot, view, handle, spans)
            else:
                finding = self._person(post, snapshot, view, handle, spans)
            if finding is not None:
                ctx.add_score(finding.rule_id, finding.score)
                out.append(finding)
        return out

    def _reminders(self, post: Post, ctx: DetectContext) -> list[Finding]:
        """Without a store: a reminder to ask each person tagged, with the message to send."""
        from tactful.store.drafts import ask_to_tag

        data = _reminder_data()
        platform = post.platform
        network = "NETWORK" if platform is Platform.GENERIC else platform.value
        reply_target = (post.reply_to or "").lstrip("@").lower()
        out = []
        for handle, spans in mentions_in(post):
            if handle == reply_target:
                continue
            words = {"handle": f"@{handle}", "platform": network}
            out.append(
                Finding(
                    rule_id="tags.no_consent",
                    severity=data.severity,
                    spans=spans,
                    score=data.score,
                    message=data.message.format(**words),
                    explanation=data.explanation.format(**words),
                    suggestions=(
                        Suggestion(
                            "message",
                            data.ask.format(**words),
                            ask_to_tag(platform, greeting=data.greeting),
                        ),
                        Suggestion(
                            "replace", data.untag.format(**words), _untagged(post, handle, handle)
                        ),
                        Suggestion("record", data.record.format(**words)),
                    ),
                    detector=self.name,
                    target=f"mention:@{handle}",
                    check="ask-first",
                    matched=handle,
                )
            )
            ctx.add_score("tags.no_consent", data.score)
        return out

    def _person(
        self,
        post: Post,
        snapshot: StoreSnapshot,
        view: ContactView | None,
        handle: str,
        spans: tuple[tuple[int, int], ...],
    ) -> Finding | None:
        from tactful.store.drafts import consent_request
        from tactful.store.kinds import ConsentStatus

        said_no = (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN)

        platform = post.platform.value
        if view is None:
            status, score = ConsentStatus.NONE, 0.6
            who = f"@{handle}"
            why = "is not in your contacts, so there is no record that they agreed to be tagged"
        else:
            status, event = view.consent_on(platform, snapshot.now)
            if view.do_not_tag:
                status = ConsentStatus.REFUSED
            elif status is ConsentStatus.GRANTED:
                return None
            who = view.contact.name
            score = 1.0 if status in said_no else 0.8
            why = {
                ConsentStatus.REFUSED: "said no to being tagged",
                ConsentStatus.WITHDRAWN: "withdrew their consent to be tagged",
                ConsentStatus.PENDING: "has not answered your request to tag them yet",
                ConsentStatus.EXPIRED: "gave consent that has expired",
                ConsentStatus.NONE: "has no recorded consent to be tagged",
            }[status]
            if view.do_not_tag:
                why = f"is on your do-not-tag list ({view.do_not_tag})"
            elif event is not None and event.reason and status in said_no:
                why += f" ({event.reason})"
        # A "no", or a "yes" taken back, stops the post: it is never published by a worker.
        severity = Severity.BLOCK if status in said_no else Severity.WARN
        suggestions = [
            Suggestion(
                "replace",
                "Post without the tag (name them in plain text, or not at all)",
                _untagged(post, handle, view.contact.name if view else handle),
            )
        ]
        if status not in said_no:
            if view is not None:
                draft = consent_request(view.contact, post.platform)
                suggestions.insert(
                    0, Suggestion("message", "Ask first with this private message", draft)
                )
            else:
                suggestions.append(
                    Suggestion(
                        "record",
                        f"Add @{handle} to your contacts, then ask: tactful consent ask @{handle} "
                        f"--platform {platform}",
                    )
                )
        return Finding(
            rule_id="tags.no_consent",
            severity=severity,
            spans=spans,
            score=score,
            message=f"{who} {why}",
            explanation=(
                "Tagging puts a person's name on your post and in front of their own network. "
                "Ask by private message first, and tag only people who said yes."
            ),
            suggestions=tuple(suggestions),
            detector=self.name,
            target=f"mention:@{handle}",
            check=status.value,
            matched=handle,
        )

    def _organisation(
        self,
        post: Post,
        snapshot: StoreSnapshot,
        view: ContactView,
        handle: str,
        spans: tuple[tuple[int, int], ...],
    ) -> Finding | None:
        from tactful.store.kinds import ConsentStatus, Relation

        c = view.contact
        status, _ = view.consent_on(post.platform.value, snapshot.now)
        if view.do_not_tag:
            check, score, severity = "do-not-tag", 1.0, Severity.BLOCK
            message = f"{c.name} is on your do-not-tag list: {view.do_not_tag}"
        elif c.relation is Relation.COMPETITOR:
            check, score, severity = "competitor", 0.9, Severity.WARN
            message = f"{c.name} is a competitor: tagging them can read as an attack or a slip"
        elif c.relation is Relation.FORMER_EMPLOYER:
            check, score, severity = "former-employer", 0.8, Severity.WARN
            message = f"{c.name} is a former employer: a tag invites their reply in public"
        elif status in (ConsentStatus.REFUSED, ConsentStatus.WITHDRAWN):
            check, score, severity = status.value, 1.0, Severity.BLOCK
            message = f"{c.name} asked not to be tagged" + (
                " (consent withdrawn)" if status is ConsentStatus.WITHDRAWN else ""
            )
        elif status is ConsentStatus.GRANTED or c.relation in RELATIONSHIPS:
            return None
        else:
            check, score, severity = "no-relationship", 0.6, Severity.WARN
            message = f"No recorded relationship with {c.name}: tagging suggests an endorsement"
        from tactful.store.drafts import consent_request

        return Finding(
            rule_id="tags.business_association",
            severity=severity,
            spans=spans,
            score=score,
            message=message,
            explanation=(
                "Tagging a company associates it with your post and tells its followers you "
                "work together. Tag only businesses you have a relationship with and that "
                "agreed, and never those that asked you not to."
            ),
            suggestions=(
                Suggestion(
                    "replace",
                    "Name the company without tagging it",
                    _untagged(post, handle, c.name),
                ),
                Suggestion(
                    "message", "Ask first with this message", consent_request(c, post.platform)
                ),
            ),
            detector=self.name,
            target=f"mention:@{handle}",
            check=check,
            matched=handle,
        )
