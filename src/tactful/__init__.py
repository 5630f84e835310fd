"""tactful: check social media posts for what could hurt a professional reputation.

>>> import tactful
>>> report = tactful.check("My idiot boss again", account_kind="professional")
>>> report.verdict.value
'blocked'
"""

from tactful.core.checker import Checker, check
from tactful.core.findings import Finding, Report, Severity, Suggestion, Verdict
from tactful.core.post import Account, AccountKind, Audience, Media, Mention, Post
from tactful.errors import InputError, PolicyError, RuleDataError, TactfulError, UnknownRuleError
from tactful.networks.platforms import Platform

__all__ = [
    "Account",
    "AccountKind",
    "Audience",
    "Checker",
    "Finding",
    "InputError",
    "Media",
    "Mention",
    "Platform",
    "PolicyError",
    "Post",
    "Report",
    "RuleDataError",
    "Severity",
    "Suggestion",
    "TactfulError",
    "UnknownRuleError",
    "Verdict",
    "check",
]

__version__ = "0.1.0"
