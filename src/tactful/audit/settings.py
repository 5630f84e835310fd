"""What an audit checks posts as (the account context) and which findings it keeps."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from tactful.core.findings import Finding, Severity

# Notices about the account rather than the post: the report states the account's context
# once at the top, instead of flagging every post in the history with it.
CONTEXT_NOTICES = frozenset({"audience.clients_on_personal"})


@dataclass(frozen=True, slots=True)
class AuditSettings:
    platform: str | None = None  # None: the export's own network
    account_kind: str = "personal"
    audience: str = "public"
    clients_in_audience: bool = False
    account_name: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_severity: Severity = Severity.INFO
    categories: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["since"] = self.since.isoformat() if self.since else None
        out["until"] = self.until.isoformat() if self.until else None
        out["min_severity"] = self.min_severity.value
        out["categories"] = list(self.categories)
        return out

    def options_hash(self, extra: str = "") -> str:
        """Runs with the same export and the same settings resume each other."""
        data = json.dumps(self.to_dict(), sort_keys=True) + extra
        return hashlib.sha256(data.encode()).hexdigest()

    def in_range(self, when: datetime | None) -> bool:
        if when is None:
            return self.since is None and self.until is None
        if self.since is not None and when < self.since:
            return False
        return not (self.until is not None and when >= self.until)

    def keeps(self, finding: Finding) -> bool:
        if finding.rule_id in CONTEXT_NOTICES:
            return False
        if not finding.severity.at_least(self.min_severity):
            return False
        if not self.categories:
            return True
        return any(
            finding.rule_id == c or finding.rule_id.startswith(c + ".") for c in self.categories
        )
