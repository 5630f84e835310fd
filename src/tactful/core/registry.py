"""Detectors registered by name, the same way a third-party plug-in registers one.

Built-in detectors are declared as entry points in the ``tactful.detectors`` group of
``pyproject.toml``; a plug-in package adds its own to the same group. Each entry point names
a class whose constructor takes no required arguments and whose instances satisfy
:class:`tactful.detectors.base.Detector`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache

from tactful.core.plugins import load, registered
from tactful.detectors.base import Detector
from tactful.errors import InputError

GROUP = "tactful.detectors"

# Used when the package metadata is unavailable (running from a source tree without install).
_BUILTIN = {
    "lexicon": "tactful.detectors.lexicon:LexiconDetector",
    "pii": "tactful.detectors.pii:PiiDetector",
    "platform": "tactful.detectors.platform:PlatformLengthDetector",
    "account": "tactful.detectors.account:AccountDetector",
    "classifier": "tactful.detectors.classifier:ClassifierDetector",
    "mentions": "tactful.detectors.mentions:MentionsDetector",
    "media": "tactful.detectors.media:MediaDetector",
    "clients": "tactful.detectors.clients:ClientsDetector",
}
# Order matters where a detector reads scores others left in ctx.scores: account (register)
# and clients (work.*) run after the classifier.
DEFAULT_DETECTORS = (
    "lexicon",
    "pii",
    "platform",
    "classifier",
    "account",
    "mentions",
    "media",
    "clients",
)


def _load(target: str) -> Callable[[], Detector]:
    factory: Callable[[], Detector] = load(target)
    return factory


@cache
def available() -> dict[str, str]:
    """Detector name -> ``module:attr`` for every registered detector."""
    return registered(GROUP, _BUILTIN)


def create(names: Iterable[str] = DEFAULT_DETECTORS) -> list[Detector]:
    registry = available()
    detectors = []
    for name in names:
        if name not in registry:
            raise InputError(
                f"unknown detector {name!r}; registered: {', '.join(sorted(registry))}"
            )
        detectors.append(_load(registry[name])())
    return detectors
