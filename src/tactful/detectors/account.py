"""Account and audience checks that need no store: clients on a personal account."""

from __future__ import annotations

from tactful.detectors.base import DetectContext
from tactful.findings import Finding, Severity, Suggestion
from tactful.post import AccountKind, Post


class AccountDetector:
    """Says when a personal account is "on the clock" because clients can see it."""

    name = "account"

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        account = post.account
        if post.inbound or account.kind is not AccountKind.PERSONAL:
            return []
        if not account.clients_in_audience:
            return []
        ctx.add_score("audience.clients_on_personal", 1.0)
        return [
            Finding(
                rule_id="audience.clients_on_personal",
                severity=Severity.INFO,
                spans=(),
                score=1.0,
                message=(
                    "Clients can see this personal account: it is checked as if you were at work"
                ),
                explanation=(
                    "Once customers can see a personal profile, every post there speaks for "
                    "your business too: personal views, nights out and work stories can cost "
                    "their trust. tactful applies the stricter 'on the clock' policy."
                ),
                suggestions=(
                    Suggestion(
                        "move",
                        "Move clients to a restricted list, or invite them to follow your "
                        "professional profile instead",
                    ),
                    Suggestion("other", "Post as if you were at work while clients can see it"),
                ),
                detector=self.name,
                target="account",
                check="clients-in-audience",
            )
        ]
