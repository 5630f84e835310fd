"""Every error tactful raises on purpose.

    TactfulError                 base: catch this to catch them all
    ├── InputError               bad input a user can fix (text, file, JSONL line, option value)
    │   ├── DatabaseBusy         another program holds SQLite's write lock: wait and try again
    │   └── LimitExceeded        an export's file went past a read limit (archives/limits.yml)
    ├── PolicyError              a policy file that cannot be read or does not validate
    ├── RuleDataError            rule data (rules/*.yml) that does not validate: a bug in a rule
    └── UnknownRuleError         a rule id or prefix that no rule has

The CLI turns any of these into one line on stderr and exit code 2. Messages say what
to do, not only what went wrong.
"""

from __future__ import annotations


class TactfulError(Exception):
    """Base class of every error tactful raises on purpose."""


class InputError(TactfulError, ValueError):
    """Input a user can fix: bad text, an unreadable file, an unknown option value."""


class DatabaseBusy(InputError):
    """The SQLite database stayed locked by another writer for longer than its busy timeout.
    Nothing was written: the same step can simply be tried again."""


class LimitExceeded(InputError):
    """A file of an export went past one of the importers' read limits
    (``archives/limits.yml``): the records before it are kept, the rest of that file is not
    read, and the audit goes on with the export's other files."""


class PolicyError(TactfulError):
    """A policy file that cannot be read or does not validate."""


class RuleDataError(TactfulError):
    """Rule data that does not validate (a defect in ``rules/*.yml``)."""


class UnknownRuleError(TactfulError, KeyError):
    """A rule id or prefix that matches no rule in the catalogue."""

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain message
        return str(self.args[0]) if self.args else "unknown rule"
