"""Reading social media data exports: one importer per format, registered like a plug-in
(entry point group ``tactful.importers``), the format detected from the files themselves."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from tactful.archives.base import ArchivedPost, Importer, Item, Skipped, Unreadable
from tactful.archives.source import ArchiveSource
from tactful.core.plugins import load, registered
from tactful.errors import InputError

GROUP = "tactful.importers"


@cache
def available() -> dict[str, str]:
    """Format name -> ``module:Class`` of every importer (entry points, built-in ones too)."""
    return registered(GROUP)


def create(name: str) -> Importer:
    target = available().get(name)
    if target is None:
        raise InputError(f"unknown format {name!r}; known: {', '.join(sorted(available()))}")
    importer: Importer = load(target)()
    return importer


def diagnose(importer: Importer, source: ArchiveSource) -> str | None:
    """An importer's optional ``diagnose(source)``: for an export it does not read but knows
    (Facebook's HTML download), one line saying what to download instead."""
    hook = getattr(importer, "diagnose", None)
    advice = hook(source) if callable(hook) else None
    return str(advice) if advice else None


def read(importer: Importer, source: ArchiveSource) -> Iterator[Item]:
    """Everything ``importer`` reads from ``source``; first, as Unreadables, where the
    export's listing stopped at a read limit, and each file it reads that the zip holds more
    than once (only the last of them can be read)."""
    for where, why in source.problems:
        yield Unreadable(where, why)
    inputs = set(importer.inputs(source))
    for name, count in source.duplicates.items():
        if name in inputs:
            yield Unreadable(
                name,
                f"the export holds {count} files named {name}; only the last one was read, "
                "the others were not audited (download the export again)",
            )
    yield from importer.read(source)


def detect(source: ArchiveSource) -> Importer:
    """The importer whose files this export has; a clear error when none (or several)."""
    importers = [create(n) for n in available()]
    matches = [imp for imp in importers if imp.detect(source)]
    if not matches:
        for imp in importers:
            advice = diagnose(imp, source)
            if advice:
                raise InputError(advice)
        sample = ", ".join(source.names[:5]) or "no files"
        raise InputError(
            f"{source.path.name} is not an export tactful knows (it has {sample}); expected "
            "an X, Mastodon, Bluesky, LinkedIn, Facebook or Instagram export"
        )
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches)
        raise InputError(f"{source.path.name} looks like several exports ({names}); use --format")
    return matches[0]


__all__ = [
    "ArchiveSource",
    "ArchivedPost",
    "Importer",
    "Item",
    "Skipped",
    "Unreadable",
    "available",
    "create",
    "detect",
    "diagnose",
    "read",
]
