"""What every moderator shares: the item it acts on, and the answer for an action the
network's API does not offer. Every method returns the connector's
:class:`~tactful.publish.connectors.base.Result`: ``published`` when the network did it
(``remote_id``: the reply, or the block record), else why not.

An action cut off mid-request (the process killed between asking and hearing back) is
settled later (:meth:`tactful.inbox.actions.InboxActions.reconcile`): a hide, mute or block
(:data:`REPEATABLE`) and every undo are asked again, so each moderator makes them safe to
ask twice (the network does nothing new the second time); a reply is looked for with
:meth:`Moderator.find_reply`, never sent again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx

from tactful.publish.connectors.base import Credentials, Result

ACTIONS = ("reply", "hide", "mute", "block", "report")
REPEATABLE = frozenset({"hide", "mute", "block"})  # asking twice does nothing new


@dataclass(frozen=True, slots=True)
class Target:
    """The inbox item an action is about, as the network names it."""

    remote_id: str
    kind: str
    author_id: str | None = None
    author_handle: str | None = None
    url: str | None = None
    parent_id: str | None = None


class Moderator(Protocol):
    network: str
    actions: frozenset[str]  # what the network's API lets tactful do (report: else a link)
    undoable: frozenset[str]  # what it lets tactful take back

    def reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result: ...  # fmt: skip

    def unreply(self, http: httpx.Client, creds: Credentials, remote_id: str) -> Result: ...

    def find_reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result | None:  # fmt: skip
        """The reply sent with ``key`` at ``now`` if it is on the network (after tactful was
        stopped before the answer came): ``published``, None when it is certainly not there,
        any other Result when the network could not be read (or cannot be, on this one)."""
        ...

    def hide(
        self, http: httpx.Client, creds: Credentials, target: Target, hidden: bool
    ) -> Result: ...

    def mute(
        self, http: httpx.Client, creds: Credentials, target: Target, muted: bool
    ) -> Result: ...

    def block(
        self,
        http: httpx.Client,
        creds: Credentials,
        target: Target,
        undo: str | None,
        *,
        now: datetime,
    ) -> Result: ...

    def report(
        self, http: httpx.Client, creds: Credentials, target: Target, reason: str, category: str
    ) -> Result: ...


def not_offered(network: str, action: str) -> Result:
    return Result("rejected", detail=f"{network} does not let apps {action} this")


class Unoffered:
    """Defaults for what a network's API does not offer (a moderator overrides the rest)."""

    network = "generic"
    actions: frozenset[str] = frozenset()
    undoable: frozenset[str] = frozenset()

    def reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result:  # fmt: skip
        return not_offered(self.network, "reply to")

    def unreply(self, http: httpx.Client, creds: Credentials, remote_id: str) -> Result:
        return not_offered(self.network, "delete")

    def find_reply(
        self, http: httpx.Client, creds: Credentials, target: Target, text: str, *, key: str,
        now: datetime,
    ) -> Result | None:  # fmt: skip
        return Result("unknown", detail=f"tactful cannot look for its replies on {self.network}")

    def hide(self, http: httpx.Client, creds: Credentials, target: Target, hidden: bool) -> Result:
        return not_offered(self.network, "hide")

    def mute(self, http: httpx.Client, creds: Credentials, target: Target, muted: bool) -> Result:
        return not_offered(self.network, "mute the author of")

    def block(
        self,
        http: httpx.Client,
        creds: Credentials,
        target: Target,
        undo: str | None,
        *,
        now: datetime,
    ) -> Result:
        return not_offered(self.network, "block the author of")

    def report(
        self, http: httpx.Client, creds: Credentials, target: Target, reason: str, category: str
    ) -> Result:
        return not_offered(self.network, "report")


class LinkOnly(Unoffered):
    """LinkedIn: its API takes no replies to page comments from tactful yet, no hiding,
    muting, blocking or reports; reports go by link (``inbox/answers.yml``)."""

    network = "linkedin"
