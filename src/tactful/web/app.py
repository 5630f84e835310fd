"""The FastAPI application: one process, bound to this machine, the API under /api
(OpenAPI at /docs), problem+json errors, request size limits, token sign-in, and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Depends, FastAPI, HTTPException, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from tactful.store import Store
from tactful.store.files import files_dir_for
from tactful.web import problems
from tactful.web.auth import COOKIE, Guard
from tactful.web.hosts import TrustedHosts
from tactful.web.limits import BodyLimit
from tactful.web.schemas import SignIn
from tactful.web.state import MAX_ARCHIVE, AppState

if TYPE_CHECKING:
    import httpx

    from tactful.inbox.periodic import PeriodicSync
    from tactful.publish.worker import Worker

STATIC = Path(__file__).with_name("static")
PAGES = {
    "/": "composer.html",
    "/accounts": "accounts.html",
    "/contacts": "contacts.html",
    "/media": "media.html",
    "/audits": "audits.html",
    "/rules": "rules.html",
    "/schedule": "schedule.html",
    "/inbox": "inbox.html",
}
# Pages may only talk to this server; user images are served from here too.
PAGE_CSP = (
    "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)


def create_app(
    store: Store,
    token_digest: str,
    *,
    files_dir: Path | None = None,
    max_archive: int = MAX_ARCHIVE,
    worker_interval: float | None = None,
    make_worker: Callable[[Store], Worker] | None = None,
    allowed_hosts: Sequence[str] = (),
    audits_at_once: int | None = None,
    checks_at_once: int | None = None,
    inbox_interval: float | None = None,
    inbox_http: Callable[[], httpx.Client] | None = None,
    worker_clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """``worker_interval``: publish due posts from a background thread this often (seconds;
    None: no worker). ``make_worker`` builds its Worker (by default, one that shares this
    app's loaded rules and models). ``allowed_hosts``: names besides the loopback ones that
    pages and sign-in answer to (the host it listens on). ``audits_at_once`` and
    ``checks_at_once``: how many uploaded exports are audited, and how many checks run, at
    once (the defaults of :mod:`~tactful.web.audit_jobs` and :mod:`~tactful.web.check_slots`).
    ``inbox_interval``: the worker also syncs the inbox this often (seconds; None: never).
    ``inbox_http`` makes the HTTP client the inbox's sync and answers use, and
    ``worker_clock`` is the worker's clock (tests pass fakes of both)."""
    files_dir = files_dir or files_dir_for(store)
    state = AppState(
        store,
        files_dir,
        max_archive=max_archive,
        audits_at_once=audits_at_once,
        checks_at_once=checks_at_once,
    )
    if inbox_http is not None:
        state.inbox_http = inbox_http
    if worker_interval is not None:
        from tactful.publish.worker import Worker as PublishWorker
        from tactful.web.background import BackgroundWorker

        def build() -> Worker:
            if make_worker is not None:
                return make_worker(store)
            return PublishWorker(store, base=state.base_checker)

        state.worker = BackgroundWorker(
            build, worker_interval, inbox=_inbox_sync(state, inbox_interval, worker_clock)
        )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if state.worker is not None:
            state.worker.start()
        try:
            yield
        finally:
            from starlette.concurrency import run_in_threadpool

            if state.worker is not None:
                await run_in_threadpool(state.worker.stop)
            await run_in_threadpool(state.jobs.stop_all)

    app = FastAPI(
        title="tactful",
        summary="Check social media posts for what could hurt a professional reputation.",
        description="Everything runs on this machine. Authenticate with `Authorization: Bearer "
        "TOKEN` (the token `tactful serve` printed on first start), or sign in at `/session` "
        "and send the returned CSRF token as `X-CSRF-Token` with the session cookie.",
        version=_version(),
        docs_url=None,  # the default pages load Swagger UI from a CDN: served locally below
        redoc_url=None,
        lifespan=lifespan,
    )
    _local_docs(app)
    app.state.tactful = state
    guard = Guard(token_digest)
    app.state.guard = guard
    problems.install(app)
    app.add_middleware(BodyLimit, archive_limit=max_archive)
    app.add_middleware(TrustedHosts, allowed=allowed_hosts)

    @app.post("/session", tags=["auth"], summary="Sign in with the access token")
    def sign_in(body: SignIn, response: Response) -> dict[str, str]:
        if not guard.valid_token(body.token):
            raise HTTPException(401, "that is not the access token")
        sid, csrf = guard.new_session()
        response.set_cookie(COOKIE, sid, httponly=True, samesite="strict")
        return {"csrf_token": csrf}

    app.mount("/static/app", StaticFiles(directory=STATIC), name="app")
    for route, filename in PAGES.items():
        _page(app, route, filename)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> JSONResponse:
        # On the event loop itself: it answers while every worker thread is busy.
        return JSONResponse({"ok": True})

    from tactful.web import (
        api,
        audit_api,
        feedback_api,
        inbox_api,
        media_api,
        policy_api,
        schedule_api,
    )

    for module in (api, policy_api, feedback_api, media_api, audit_api, schedule_api, inbox_api):
        app.include_router(module.router, dependencies=[Depends(guard)])
    return app


def _inbox_sync(
    state: AppState, interval: float | None, clock: Callable[[], datetime] | None
) -> PeriodicSync | None:
    """The worker's inbox sync every ``interval`` seconds on its clock (None: no sync)."""
    if interval is None:
        return None
    from datetime import UTC, timedelta

    from tactful.inbox.periodic import PeriodicSync
    from tactful.inbox.sync import InboxSync

    now = clock or (lambda: datetime.now(UTC))

    def make_sync() -> InboxSync:
        return InboxSync(state.store, http=state.inbox_http(), clock=now)

    return PeriodicSync(
        state.store,
        make_sync=make_sync,
        checker=state.checker,
        clock=now,
        interval=timedelta(seconds=interval),
    )


def _page(app: FastAPI, route: str, filename: str) -> None:
    def page() -> FileResponse:
        return FileResponse(
            STATIC / filename,
            media_type="text/html",
            headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"},
        )

    app.add_api_route(route, page, methods=["GET"], include_in_schema=False)


def _local_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs: Swagger UI 5 (it renders OpenAPI 3.1) with its files from the
    fastapi-offline package, started by ``static/docs.js`` so the page keeps the pages' CSP."""
    from importlib import resources

    swagger = resources.files("fastapi_offline").joinpath("static")
    app.mount("/static/swagger", StaticFiles(directory=str(swagger)), name="swagger")
    _page(app, "/docs", "docs.html")


def _version() -> str:
    from tactful import __version__

    return __version__
