"""``tactful media``: the media library (files by content hash, the right to use each,
releases from the people shown) and clean copies without location metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tactful.cli.store import (
    actor_or_default,
    by_option,
    db_option,
    echo_json,
    json_option,
    open_db,
    print_table,
)
from tactful.store.kinds import RightsBasis

BASES = click.Choice([b.value for b in RightsBasis])


@click.group()
def media() -> None:
    """Images you post: the right to use each, releases from the people shown, and copies
    without GPS or other identifying metadata. Files are known by their content (sha256),
    so a renamed copy is still the same media.

    \b
    Examples:
      tactful media add team-photo.jpg
      tactful media rights team-photo.jpg licence --licence "CC BY 4.0" \\
          --url https://creativecommons.org/licenses/by/4.0/ --attribution "Photo: J. Doe"
      tactful media release team-photo.jpg "Jane Doe" --evidence "signed form, 2026-11-02"
      tactful media clean team-photo.jpg -o team-photo-clean.jpg
      tactful check "Our team at the summit!" --account acme-li --media team-photo.jpg
    """


def _describe(rec: Any) -> list[tuple[str, Any]]:
    r = rec.rights
    rights = r.basis.value
    if r.licence_name:
        rights += f": {r.licence_name}"
    if r.permission_from:
        rights += f": from {r.permission_from}"
    return [
        ("media", f"#{rec.id} {rec.filename}"),
        ("sha256", rec.sha256),
        ("type", rec.mime),
        ("size", f"{rec.width}x{rec.height}" if rec.width else "(not an image)"),
        ("faces", rec.faces if rec.faces is not None else "not counted"),
        ("releases", ", ".join(rec.releases) or "none"),
        ("GPS", f"{rec.gps[0]:.5f}, {rec.gps[1]:.5f}" if rec.gps else "none"),
        ("metadata", ", ".join(rec.identifying) or "nothing identifying"),
        ("rights", rights),
    ]


def _print(rec: Any) -> None:
    for key, value in _describe(rec):
        click.echo(f"{key + ':':10}{value}")
    warn = []
    if rec.rights.basis is RightsBasis.UNKNOWN:
        warn.append("no recorded right to use it (tactful media rights ...)")
    if rec.faces and rec.faces > len(rec.releases):
        warn.append(
            f"{rec.faces} faces but {len(rec.releases)} releases (tactful media release ...)"
        )
    if rec.gps or rec.identifying:
        warn.append("identifying metadata: post a clean copy (tactful media clean ...)")
    for w in warn:
        click.echo(f"  ! {w}")


@media.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--rights",
    "basis",
    type=click.Choice(["own", "unknown"]),
    help="Record the rights at once (own work, or unknown); for a licence or a permission "
    "use 'tactful media rights'.",
)
@by_option
@db_option
def add(paths: tuple[str, ...], basis: str | None, actor: str | None, db_url: str | None) -> None:
    """Add image files (or find them, if already added): hashes them, counts faces, reads
    their metadata."""
    from tactful.store.media import add_media, set_rights

    store = open_db(db_url)
    for path in paths:  # one transaction per file: a bad file does not undo the others
        with store.session() as s:
            rec, added = add_media(s, path)
            if basis:
                rec = set_rights(s, f"#{rec.id}", basis, actor=actor_or_default(actor))
        click.echo(("added" if added else "already in the library:") + f" {path}")
        _print(rec)


@media.command("list")
@json_option
@db_option
def list_(as_json: bool, db_url: str | None) -> None:
    """List the media library."""
    from tactful.store.media import list_media

    with open_db(db_url).session() as s:
        recs = list_media(s)
    if as_json:
        echo_json([r.to_dict() for r in recs])
        return
    print_table(
        None,
        ["id", "file", "rights", "faces", "releases", "GPS", "sha256"],
        [
            (
                f"#{r.id}",
                r.filename,
                r.rights.basis.value,
                r.faces if r.faces is not None else "-",
                len(r.releases),
                "yes" if r.gps else "",
                r.sha256[:12],
            )
            for r in recs
        ],
        "the media library is empty; add files with 'tactful media add FILE'",
    )


@media.command("show")
@click.argument("media_ref", metavar="MEDIA")
@json_option
@db_option
def show(media_ref: str, as_json: bool, db_url: str | None) -> None:
    """Show one file: MEDIA is a path, #ID or a sha256 prefix."""
    from tactful.store.media import get_media

    with open_db(db_url).session() as s:
        rec = get_media(s, media_ref)
    if as_json:
        echo_json(rec.to_dict())
    else:
        _print(rec)


@media.command("rights")
@click.argument("media_ref", metavar="MEDIA")
@click.argument("basis", type=BASES)
@click.option("--licence", "licence_name", help="Licence name, e.g. 'CC BY 4.0', 'Unsplash'.")
@click.option("--url", "licence_url", help="Where the licence is.")
@click.option("--attribution", help="Credit line the licence asks for.")
@click.option("--from", "permission_from", help="Who gave written permission.")
@click.option("--evidence", help="Where the permission or proof is kept.")
@by_option
@db_option
def rights(
    media_ref: str, basis: str, actor: str | None, db_url: str | None, **fields: Any
) -> None:
    """Record the right to use MEDIA: own (your work), licence, permission, or unknown.
    A new record never erases the old ones."""
    from tactful.store.media import set_rights

    with open_db(db_url).session() as s:
        rec = set_rights(s, media_ref, basis, actor=actor_or_default(actor), **fields)
    click.echo(f"{rec.filename}: rights recorded ({rec.rights.basis.value})")


@media.command("release")
@click.argument("media_ref", metavar="MEDIA")
@click.argument("person")
@click.option("--evidence", help="Where the signed release is.")
@click.option("--contact", "contact_ref", help="The person's contact (@handle, #id or name).")
@by_option
@db_option
def release(
    media_ref: str,
    person: str,
    evidence: str | None,
    contact_ref: str | None,
    actor: str | None,
    db_url: str | None,
) -> None:
    """Record that PERSON, shown in MEDIA, agreed to appear in it."""
    from tactful.store.media import add_release

    with open_db(db_url).session() as s:
        rec = add_release(
            s,
            media_ref,
            person,
            actor=actor_or_default(actor),
            evidence=evidence,
            contact_ref=contact_ref,
        )
    faces = rec.faces if rec.faces is not None else "?"
    click.echo(f"{rec.filename}: {len(rec.releases)} release(s) for {faces} face(s)")


@media.command("inspect")
@click.argument("path", type=click.Path(dir_okay=False))
@json_option
def inspect_(path: str, as_json: bool) -> None:
    """What a file gives away (GPS, camera serial, owner) and how many faces it shows,
    without adding it to the library."""
    from tactful.core.mediafile import inspect

    info = inspect(path)
    if as_json:
        echo_json(info.to_dict())
        return
    click.echo(f"file:     {path}")
    click.echo(f"sha256:   {info.sha256}")
    click.echo(f"faces:    {info.faces if info.faces is not None else 'not counted'}")
    gps = f"{info.gps[0]:.5f}, {info.gps[1]:.5f}" if info.gps else "none"
    click.echo(f"GPS:      {gps}")
    click.echo(f"metadata: {', '.join(info.identifying) or 'nothing identifying'}")


@media.command("clean")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Where to write the copy (default: NAME-clean.EXT beside it).",
)
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def clean(path: str, output: str | None, force: bool) -> None:
    """Write a copy of PATH without GPS, camera and author metadata; the orientation is kept
    so it does not turn sideways. The original is not touched."""
    from tactful.core.mediafile import clean as clean_file

    src = Path(path)
    dst = Path(output) if output else src.with_name(f"{src.stem}-clean{src.suffix}")
    info = clean_file(src, dst, overwrite=force)
    left = ", ".join(info.identifying) or "no identifying metadata left"
    click.echo(f"wrote {dst} ({left})")
