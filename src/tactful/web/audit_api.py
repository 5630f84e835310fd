"""Audits over HTTP: upload an export (the body is the file), follow its progress, then read
the results, riskiest first, or the same HTML report ``tactful audit`` writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from tactful.errors import InputError
from tactful.web.schemas import Audience, Kind, Offset, Platform, RowId
from tactful.web.state import app_state
from tactful.web.uploads import BINARY_BODY, discard, mb, safe_name, save_body

if TYPE_CHECKING:
    from tactful.web.audit_jobs import Job
    from tactful.web.state import AppState

router = APIRouter(prefix="/api/audits", tags=["audits"])
Format = Literal["x", "mastodon", "bluesky", "linkedin", "facebook", "instagram"]


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, datetime.min.time(), UTC) if value else None


def _run_id(state: AppState, job: Job) -> int | None:
    if job.run_id is None:
        from sqlalchemy import select

        from tactful.store.models import AuditRunRow

        with state.store.session() as s:
            job.run_id = s.scalar(
                select(AuditRunRow.id)
                .where(AuditRunRow.source == job.request.path)
                .order_by(AuditRunRow.id.desc())
                .limit(1)
            )
    return job.run_id


def _job_status(state: AppState, job: Job) -> dict[str, Any]:
    _run_id(state, job)
    return job.status()


@router.post(
    "",
    status_code=202,
    summary="Start an audit of an uploaded export (the body is the export file)",
    openapi_extra=BINARY_BODY,
)
async def start_audit(
    request: Request,
    response: Response,
    filename: str = Query(
        ..., max_length=255, description="The file's name as downloaded: twitter.zip, repo.car"
    ),
    fmt: Annotated[
        Format | None, Query(alias="format", description="Left out: recognised from the files.")
    ] = None,
    account: str | None = Query(None, max_length=80, description="Check as this account."),
    platform: Platform | None = None,
    account_kind: Kind | None = None,
    audience: Audience | None = None,
    clients_in_audience: bool | None = None,
    since: date | None = None,
    until: date | None = None,
    min_severity: Literal["info", "warn", "block"] = "info",
) -> dict[str, Any]:
    """Accepts an X, Mastodon, Bluesky, LinkedIn, Facebook or Instagram export (zip, .tar.gz,
    .car, or the export's single file) up to the server's upload limit. Returns the job to
    poll at ``/api/audits/jobs/{job}``: ``queued`` (``ahead``: how many audits run or wait
    before it) until its turn, then ``running``, ``done`` or ``failed``. The upload is
    deleted when the audit is done; a failed audit keeps it, to try again."""
    from tactful.archives import ArchiveSource, create, detect
    from tactful.store.accounts import on_account
    from tactful.web.audit_jobs import AuditJobs, AuditRequest

    state = app_state(request)
    # What the request gives explicitly wins over the stored account (the one precedence
    # rule every surface uses); what neither says takes the defaults.
    given = {
        "platform": platform if platform != "generic" else None,
        "account_kind": account_kind,
        "audience": audience,
        "clients_in_audience": clients_in_audience,
    }
    stored = state.account(account) if account else None
    context: dict[str, Any] = {
        "platform": None,
        "account_kind": "personal",
        "audience": "public",
        "clients_in_audience": False,
        "account_name": None,
        **on_account(stored, given),
    }
    name = safe_name(filename, "export")
    path = await save_body(request, AuditJobs.upload_dir(state.files_dir), name, state.max_archive)

    def recognise() -> str:
        source = ArchiveSource(path)
        try:
            importer = create(fmt) if fmt else detect(source)
            if not importer.inputs(source):
                raise InputError(f"{name} has none of the files a {importer.name} export has")
            return importer.name
        finally:
            source.close()

    try:
        found = await run_in_threadpool(recognise)
    except BaseException:
        discard(path)
        raise
    req = AuditRequest(
        path=str(path),
        format=found,
        **context,
        since=_day(since),
        until=_day(until),
        min_severity=min_severity,
    )
    job = state.jobs.start(filename, req)
    response.headers["Location"] = f"/api/audits/jobs/{job.id}"
    return job.status()


@router.get("/limits", summary="The largest export this server accepts")
def limits(request: Request) -> dict[str, Any]:
    state = app_state(request)
    return {"max_bytes": state.max_archive, "max": mb(state.max_archive)}


@router.get("/jobs", summary="Audits started by this server since it started")
def jobs(request: Request) -> list[dict[str, Any]]:
    state = app_state(request)
    return [_job_status(state, j) for j in state.jobs.all()]


@router.get("/jobs/{job_id}", summary="An audit's progress")
def job(job_id: str, request: Request) -> dict[str, Any]:
    state = app_state(request)
    return _job_status(state, _found(state, job_id))


@router.post(
    "/jobs/{job_id}/retry",
    status_code=202,
    summary="Audit a failed job's kept upload again (the run resumes where it stopped)",
)
def retry_job(job_id: str, request: Request) -> dict[str, Any]:
    state = app_state(request)
    found = _found(state, job_id)
    if state.jobs.retry(job_id) is None:
        raise InputError(
            f"audit job {job_id} is {found.state}: only a failed audit whose upload is kept "
            "can be tried again"
        )
    return _job_status(state, found)


@router.delete(
    "/jobs/{job_id}", status_code=204, summary="Remove a queued or failed job and its upload"
)
def remove_job(job_id: str, request: Request) -> Response:
    state = app_state(request)
    _found(state, job_id)
    if not state.jobs.remove(job_id):
        raise InputError(f"audit job {job_id} is running; remove it when it has ended")
    return Response(status_code=204)


@router.get("/queue", summary="How many audits run at once, and how many run and wait now")
def queue(request: Request) -> dict[str, int]:
    return app_state(request).jobs.counts()


def _found(state: AppState, job_id: str) -> Job:
    found = state.jobs.get(job_id)
    if found is None:
        raise HTTPException(404, f"no audit job {job_id!r} on this server (runs: /api/audits)")
    return found


def _run_dict(info: Any) -> dict[str, Any]:
    from pathlib import Path

    data = {k: getattr(info, k) for k in info.__dataclass_fields__}
    data["source"] = Path(info.source).name  # the file, not where this server kept it
    return data


@router.get("", summary="Audit runs in the store, newest first (paginated)")
def list_runs(
    request: Request,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    from tactful.audit.results import list_runs as runs
    from tactful.web.api import page

    with app_state(request).store.session() as s:
        items = [_run_dict(r) for r in reversed(runs(s))]
    return page(items, offset, limit)


@router.get("/{run_id}", summary="One run: totals, over time and by category")
def run(run_id: RowId, request: Request) -> dict[str, Any]:
    from tactful.audit.results import categories, run_info, timeline

    with app_state(request).store.session() as s:
        info = run_info(s, run_id)
        return {
            **_run_dict(info),
            "timeline": [
                {"period": p, "posts": n, "review": r, "blocked": b}
                for p, n, r, b in timeline(s, run_id)
            ],
            "categories": [{"rule": c, "posts": n} for c, n in categories(s, run_id)],
        }


@router.get("/{run_id}/results", summary="Posts to act on, riskiest first (paginated)")
def results(
    run_id: RowId,
    request: Request,
    offset: Offset = 0,
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    from sqlalchemy import func, select

    from tactful.audit.results import run_info
    from tactful.store.models import AuditResultRow

    with app_state(request).store.session() as s:
        info = run_info(s, run_id)
        flagged = (AuditResultRow.run_id == run_id, AuditResultRow.report.is_not(None))
        total = s.scalar(select(func.count()).select_from(AuditResultRow).where(*flagged))
        rows = s.scalars(
            select(AuditResultRow)
            .where(*flagged)
            .order_by(AuditResultRow.risk.desc(), AuditResultRow.seq)
            .offset(offset)
            .limit(limit)
        )
        items = [
            {
                "seq": r.seq,
                "kind": r.kind,
                "created_at": r.created_at.isoformat() if r.created_at else None,
                "url": r.url,
                "verdict": r.verdict,
                "risk": r.risk,
                "report": r.report,
            }
            for r in rows
        ]
    return {"run": info.id, "items": items, "total": total, "offset": offset, "limit": limit}


@router.get(
    "/{run_id}/report", summary="The run's HTML report (charts, riskiest posts highlighted)"
)
def report(run_id: RowId, request: Request) -> HTMLResponse:
    from tactful.audit.report_files import report_page

    with app_state(request).store.session() as s:
        page = report_page(s, run_id, source_name_only=True)
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    return HTMLResponse(page, headers={"Content-Security-Policy": csp})
