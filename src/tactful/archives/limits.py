"""How much the importers read and how deep, whatever the export says: the limits a hostile
file cannot pass (``limits.yml``). A reader that reaches one raises :class:`LimitExceeded`
or yields an Unreadable with the reason; the audit goes on with the rest of the export."""

from __future__ import annotations

from functools import cache

from tactful.core.data import DataModel, PositiveWholeNumber, Source

__all__ = ["ReadLimits", "read_limits", "size"]


class ReadLimits(DataModel):
    """``archives/limits.yml`` (each key is described at the top of that file)."""

    json_depth: PositiveWholeNumber
    record_bytes: PositiveWholeNumber
    string_bytes: PositiveWholeNumber
    records_per_file: PositiveWholeNumber
    csv_line_chars: PositiveWholeNumber
    csv_field_chars: PositiveWholeNumber
    member_bytes: PositiveWholeNumber
    export_bytes: PositiveWholeNumber
    expansion_ratio: PositiveWholeNumber
    expansion_floor_bytes: PositiveWholeNumber
    car_blocks: PositiveWholeNumber
    car_block_bytes: PositiveWholeNumber
    cbor_depth: PositiveWholeNumber
    mst_height: PositiveWholeNumber


@cache
def read_limits() -> ReadLimits:
    """The limits, read once from ``limits.yml``."""
    return Source.package("tactful.archives", "limits.yml").load(ReadLimits)


def size(n: int) -> str:
    """A byte count as people read it: ``4 MiB``, ``16 GiB``, ``512 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            value = n / scale
            return f"{value:,.0f} {unit}" if value == int(value) else f"{value:,.1f} {unit}"
    return f"{n:,} bytes"
