"""Account and audience checks: clients on a personal account ("on the clock"), and a post
whose register does not fit the account it goes to (``account.mismatch``).

The register comes from the scores earlier detectors left in ``ctx.scores`` (the models'
``register.*`` scores where they ran, the rule markers otherwise), so this detector runs
after them. With a store, the fix names the user's own account that fits.
"""

from __future__ import annotations

from typing import Any, ClassVar

from tactful.core.findings import Finding, Severity, Suggestion
from tactful.core.post import AccountKind, Audience, Post
from tactful.detectors.base import DetectContext

MISMATCH_AT = 0.6


class AccountDetector:
    """Says when a personal account is "on the clock" and when a post suits another account."""

    name = "account"
    rule_ids: ClassVar[tuple[str, ...]] = ("audience.clients_on_personal", "account.mismatch")
    # The register scores: the rule markers' (lexicon) and the models' (classifier).
    after: ClassVar[tuple[str, ...]] = ("lexicon", "classifier")

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        if post.inbound:
            return []
        out = []
        if post.account.kind is AccountKind.PERSONAL and post.account.clients_in_audience:
            ctx.add_score("audience.clients_on_personal", 1.0)
            out.append(self._on_the_clock())
        # Without a store the register rules already say it; with one, the fix names the
        # user's own account that fits.
        snapshot = ctx.store
        mismatch = None if post.is_reply or snapshot is None else self._mismatch(post, ctx)
        if mismatch is not None:
            ctx.add_score(mismatch.rule_id, mismatch.score)
            out.append(mismatch)
        return out

    def _on_the_clock(self) -> Finding:
        return Finding(
            rule_id="audience.clients_on_personal",
            severity=Severity.INFO,
            spans=(),
            score=1.0,
            message="Clients can see this personal account: it is checked as if you were at work",
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

    def _mismatch(self, post: Post, ctx: DetectContext) -> Finding | None:
        account = post.account
        personal = ctx.scores.get("register.personal", 0.0)
        promo = ctx.scores.get("register.promotional", 0.0)
        if (
            account.kind in (AccountKind.BRAND, AccountKind.PROFESSIONAL)
            and personal >= MISMATCH_AT
        ):
            score, wanted, check = personal, AccountKind.PERSONAL, "personal-on-work-account"
            what = "reads as a personal post"
            where = "the company page" if account.kind is AccountKind.BRAND else "a work profile"
        elif (
            account.kind is AccountKind.PERSONAL
            and account.audience is Audience.FRIENDS
            and promo >= MISMATCH_AT
        ):
            score, wanted, check = promo, None, "pitch-on-friends-profile"
            what = "reads as a sales pitch"
            where = "a friends-only personal profile"
        else:
            return None
        target = self._other_account(post, ctx.store, wanted)
        move = (
            f"Post it from your account {target!r} instead"
            if target
            else "Post it from your "
            + (
                "personal profile"
                if wanted is AccountKind.PERSONAL
                else "professional profile or page"
            )
        )
        return Finding(
            rule_id="account.mismatch",
            severity=Severity.WARN if account.kind is AccountKind.BRAND else Severity.INFO,
            spans=(),
            score=score,
            message=f"This {what}, but it is going to {where}",
            explanation=(
                "Keep two accounts for two voices: the work account for your work, the "
                "personal one for your life. A personal post on the company page looks "
                "unprofessional; a pitch to friends looks like you are using them."
            ),
            suggestions=(Suggestion("move", move),),
            detector=self.name,
            target="account",
            check=check,
        )

    @staticmethod
    def _other_account(post: Post, snapshot: Any, wanted: AccountKind | None) -> str | None:
        for a in snapshot.accounts_on(post.platform.value):
            if a.name == post.account.name:
                continue
            if (wanted is None and a.kind is not AccountKind.PERSONAL) or a.kind is wanted:
                return str(a.name)
        return None
