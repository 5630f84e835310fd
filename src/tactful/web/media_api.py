"""The media library over HTTP: upload an image (inspected for faces, GPS and identifying
metadata), record the right to use it and releases from the people shown, download it, and
make a copy without the metadata. Files live in the app's folder, named by content hash."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import FileResponse

from tactful.store.files import SUFFIX, stored_file
from tactful.web.limits import MAX_IMAGE
from tactful.web.schemas import Offset, ReleaseIn, RightsIn, RowId
from tactful.web.state import app_state
from tactful.web.uploads import BINARY_BODY, discard, safe_name, save_body

if TYPE_CHECKING:
    from tactful.web.state import AppState

router = APIRouter(prefix="/api/media", tags=["media"])


def _keep(state: AppState, upload: Path, sha256: str, mime: str | None) -> None:
    """Move an upload to its content-addressed place (the same bytes are kept once)."""
    target = stored_file(state.files_dir, sha256, mime)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        upload.replace(target)
    discard(upload)


@router.post(
    "",
    status_code=201,
    summary="Upload an image (the body is the file; JPEG, PNG, WebP or GIF up to 50 MB)",
    openapi_extra=BINARY_BODY,
)
async def upload(
    request: Request,
    response: Response,
    filename: str = Query("image", max_length=255, description="The file's name, for display."),
) -> dict[str, Any]:
    """Adds the image to the library (or finds it: the same bytes are the same media) and
    returns what it holds: faces counted, GPS position, identifying metadata, rights."""
    from starlette.concurrency import run_in_threadpool

    from tactful.store.media import add_media

    state = app_state(request)
    incoming = state.files_dir / "incoming"
    path = await save_body(request, incoming, safe_name(filename, "image"), MAX_IMAGE)

    def add() -> tuple[Any, bool]:
        try:
            with state.store.session() as s:
                record, added = add_media(s, path)
            _keep(state, path, record.sha256, record.mime)
            return record, added
        finally:
            discard(path)

    record, added = await run_in_threadpool(add)
    state.changed()
    if not added:
        response.status_code = 200
    return {**_with_file(state, record.to_dict()), "added": added}


@router.get("", summary="The media library (paginated)")
def list_media(
    request: Request,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    from tactful.store.media import list_media as list_all
    from tactful.web.api import page

    state = app_state(request)
    with state.store.session() as s:
        shown = page(list_all(s), offset, limit)  # the files of this page only are looked at
    shown["items"] = [_with_file(state, m.to_dict()) for m in shown["items"]]
    return shown


def _with_file(state: AppState, data: dict[str, Any]) -> dict[str, Any]:
    data["file"] = stored_file(state.files_dir, data["sha256"], data["mime"]).exists()
    return data


@router.get("/{media_id}", summary="One image: what it holds and the right to use it")
def get_media(media_id: RowId, request: Request) -> dict[str, Any]:
    from tactful.store.media import get_media as get

    state = app_state(request)
    with state.store.session() as s:
        return _with_file(state, get(s, f"#{media_id}").to_dict())


@router.get(
    "/{media_id}/file",
    summary="The image itself (uploaded through this app)",
    response_class=FileResponse,
)
def media_file(media_id: RowId, request: Request, download: bool = False) -> FileResponse:
    from tactful.store.media import get_media as get

    state = app_state(request)
    with state.store.session() as s:
        record = get(s, f"#{media_id}")
    path = stored_file(state.files_dir, record.sha256, record.mime)
    if not path.exists() or record.mime not in SUFFIX:
        raise HTTPException(
            404, "this image was added from the command line; its file is not kept here"
        )
    return FileResponse(
        path,
        media_type=record.mime,
        filename=record.filename if download else None,
        content_disposition_type="attachment" if download else "inline",
        headers={"Content-Security-Policy": "default-src 'none'", "Cache-Control": "private"},
    )


@router.post("/{media_id}/rights", status_code=201, summary="Record the right to use an image")
def set_rights(media_id: RowId, body: RightsIn, request: Request) -> dict[str, Any]:
    from tactful.store.media import set_rights as record

    state = app_state(request)
    with state.write() as s:
        rec = record(s, f"#{media_id}", body.basis, actor=state.actor, **body.details())
    return _with_file(state, rec.to_dict())


@router.post(
    "/{media_id}/releases", status_code=201, summary="Record a release from a person shown"
)
def add_release(media_id: RowId, body: ReleaseIn, request: Request) -> dict[str, Any]:
    from tactful.store.media import add_release as record

    state = app_state(request)
    with state.write() as s:
        rec = record(
            s,
            f"#{media_id}",
            body.person,
            actor=state.actor,
            evidence=body.evidence,
            contact_ref=f"#{body.contact_id}" if body.contact_id else None,
        )
    return _with_file(state, rec.to_dict())


@router.post(
    "/{media_id}/clean",
    status_code=201,
    summary="Make a copy without location and identifying metadata (added to the library)",
)
def clean_copy(media_id: RowId, request: Request) -> dict[str, Any]:
    """The copy keeps the picture and its orientation; its rights and releases are carried
    over from the original, with a note saying so."""
    from tactful.core.mediafile import clean
    from tactful.store.media import add_media, add_release, get_media, set_rights

    state = app_state(request)
    with state.store.session() as s:
        original = get_media(s, f"#{media_id}")
    src = stored_file(state.files_dir, original.sha256, original.mime)
    if not src.exists():
        raise HTTPException(
            404, "this image's file is not kept here; clean it with tactful media clean"
        )
    work = state.files_dir / "incoming" / f"clean-{original.sha256[:16]}"
    work.mkdir(parents=True, exist_ok=True)
    name = Path(original.filename).stem + "-clean" + src.suffix
    dst = work / safe_name(name, "clean" + src.suffix)
    try:
        clean(src, dst, overwrite=True)
        with state.store.session() as s:
            copy, _ = add_media(s, dst)
            note = f"the same picture as media #{original.id}, with its metadata removed"
            rights = original.rights
            if rights.basis.value != "unknown" and copy.rights.basis.value == "unknown":
                copy = set_rights(
                    s,
                    f"#{copy.id}",
                    rights.basis.value,
                    actor=state.actor,
                    licence_name=rights.licence_name,
                    licence_url=rights.licence_url,
                    attribution=rights.attribution,
                    permission_from=rights.permission_from,
                    evidence="; ".join(x for x in (rights.evidence, note) if x),
                )
            for person in original.releases:
                if person not in copy.releases:
                    copy = add_release(s, f"#{copy.id}", person, actor=state.actor, evidence=note)
        _keep(state, dst, copy.sha256, copy.mime)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    state.changed()
    return {**_with_file(state, copy.to_dict()), "cleaned_from": original.id}
