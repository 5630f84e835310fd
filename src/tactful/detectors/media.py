"""Attached images: location metadata (always), and with a store, the right to use the file
and releases from the people shown (faces counted offline)."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from tactful.core.findings import Finding, Severity, Suggestion
from tactful.core.post import Media, Post
from tactful.detectors.base import DetectContext

if TYPE_CHECKING:
    from tactful.core.mediafile import MediaInfo
    from tactful.store.media import MediaRecord


@lru_cache(maxsize=256)
def _inspect_cached(path: str, _mtime_ns: int, _size: int) -> MediaInfo:
    from tactful.core.mediafile import inspect

    return inspect(path)


def inspect_attachment(path: str) -> MediaInfo:
    """What a file holds, read once per version of the file in this process."""
    try:
        st = os.stat(path)
    except OSError:
        from tactful.core.mediafile import inspect

        return inspect(path)  # says clearly what is wrong with the path
    return _inspect_cached(os.path.abspath(path), st.st_mtime_ns, st.st_size)


def _label(media: Media, info: Any) -> str:
    if media.path:
        return os.path.basename(media.path)
    return getattr(info, "filename", None) or (media.sha256 or "")[:12]


class MediaDetector:
    """Location metadata in attached images; with a store, the right to use them and releases
    from the people shown."""

    name = "media"
    rule_ids: ClassVar[tuple[str, ...]] = ("media.location", "media.no_rights", "media.people")

    def detect(self, post: Post, ctx: DetectContext) -> list[Finding]:
        if not post.media or post.inbound:
            return []
        snapshot = ctx.store
        out: list[Finding] = []
        for media in post.media:
            info: MediaInfo | None = inspect_attachment(media.path) if media.path else None
            sha = info.sha256 if info else media.sha256
            record: MediaRecord | None = snapshot.media_for(sha) if snapshot and sha else None
            label = _label(media, record)
            target = f"media:{label}"
            gps = info.gps if info else (record.gps if record else None)
            identifying = info.identifying if info else (record.identifying if record else ())
            if gps or identifying:
                located = bool(gps) or any("GPS" in i or "City" in i for i in identifying)
                out.append(self._location(gps, identifying, label, target, located))
            if snapshot is None:
                continue
            out.extend(self._rights(record, label, target))
            faces = info.faces if info else (record.faces if record else None)
            released = len(record.releases) if record else 0
            if faces and faces > released:
                out.append(self._people(faces, released, label, target, record is not None))
        for f in out:
            ctx.add_score(f.rule_id, f.score)
        return out

    def _location(
        self,
        gps: tuple[float, float] | None,
        identifying: tuple[str, ...],
        label: str,
        target: str,
        located: bool,
    ) -> Finding:
        what = ", ".join(identifying)
        if gps:
            message = f"{label} records where it was taken ({gps[0]:.4f}, {gps[1]:.4f})"
        elif located:
            message = f"{label} records where it was taken ({what})"
        else:
            message = f"{label} carries identifying metadata: {what}"
        return Finding(
            rule_id="media.location",
            severity=Severity.WARN if located else Severity.INFO,
            spans=(),
            score=1.0 if located else 0.6,
            message=message,
            explanation=(
                "Photos carry hidden metadata: GPS coordinates can lead a stranger to your "
                "home or your children's school, and serial numbers or owner names tie a "
                f"picture to you. Found: {what}."
            ),
            suggestions=(
                Suggestion(
                    "other",
                    f"Post a clean copy instead: tactful media clean {label} (orientation kept)",
                ),
            ),
            detector=self.name,
            target=target,
            check="gps" if located else "metadata",
        )

    def _rights(self, record: MediaRecord | None, label: str, target: str) -> list[Finding]:
        if record is not None and record.rights.basis.value != "unknown":
            return []
        message = (
            f"{label} is not in your media library, so there is no record you may use it"
            if record is None
            else f"No recorded right to use {label}"
        )
        return [
            Finding(
                rule_id="media.no_rights",
                severity=Severity.WARN,
                spans=(),
                score=0.9,
                message=message,
                explanation=(
                    "Using a photo you do not own without a licence or written permission can "
                    "bring a takedown or an invoice, and it tells clients you cut corners. "
                    "Record where the right comes from, or use another image."
                ),
                suggestions=(
                    Suggestion(
                        "record",
                        f"Record the right: tactful media add {label} && tactful media rights "
                        f"{label} own|licence|permission ...",
                    ),
                    Suggestion("replace", "Use your own photo or one with a licence"),
                ),
                detector=self.name,
                target=target,
                check="unrecorded" if record is None else "unknown",
            )
        ]

    def _people(self, faces: int, released: int, label: str, target: str, known: bool) -> Finding:
        people = "person" if faces == 1 else "people"
        return Finding(
            rule_id="media.people",
            severity=Severity.WARN,
            spans=(),
            score=1.0 if released == 0 else 0.8,
            message=f"{label} shows {faces} {people} but {released} recorded release"
            + ("" if released == 1 else "s"),
            explanation=(
                "People in a photo should agree to appear in a business post; some have good "
                "reasons not to be found online. Get a release from each, or crop or blur "
                "those who did not give one."
            ),
            suggestions=(
                Suggestion(
                    "record",
                    f"Record each release: tactful media release {label} 'NAME' --evidence ...",
                ),
                Suggestion("other", "Crop or blur the people without a release"),
            ),
            detector=self.name,
            target=target,
            check="faces" if known else "faces-unrecorded",
        )
