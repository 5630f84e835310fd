"""The FastAPI application: one process, bound to this machine, the API under /api
(OpenAPI at /docs), problem+json errors, a request size limit, and token sign-in."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from tactful.checker import Checker
from tactful.store import Store, current_actor
from tactful.store.accounts import AccountRecord
from tactful.web import problems
from tactful.web.api import router
from tactful.web.auth import COOKIE, Guard

MAX_BODY = 2 * 1024 * 1024  # JSON requests; archive uploads have their own limit


class AppState:
    """The store, and a checker rebuilt when the store's data changes (consent, accounts)."""

    def __init__(self, store: Store, policy_files: tuple[str, ...] = ()):
        self.store = store
        self.policy_files = policy_files
        self.actor = current_actor()
        self._checker: Checker | None = None
        self._lock = threading.Lock()

    def checker(self) -> Checker:
        with self._lock:
            if self._checker is None:
                from tactful.store.snapshot import EXTRAS_KEY, load_snapshot

                with self.store.session() as s:
                    snapshot = load_snapshot(s)
                self._checker = Checker(
                    policy_files=self.policy_files, extras={EXTRAS_KEY: snapshot}
                )
            return self._checker

    def changed(self) -> None:
        """The store changed: the next check sees the new consent and accounts."""
        with self._lock:
            self._checker = None

    def account(self, name: str) -> AccountRecord:
        """A stored account, from the checker's snapshot (no database read per check); an
        account the snapshot does not know is looked up, and a hit refreshes the snapshot."""
        known: tuple[AccountRecord, ...] = self.checker().extras["store"].accounts
        for account in known:
            if account.name == name:
                return account
        from tactful.store.accounts import get_account

        with self.store.session() as s:
            found = get_account(s, name)  # raises with the known names when there is none
        self.changed()
        return found


def create_app(store: Store, token_digest: str, *, policy_files: tuple[str, ...] = ()) -> FastAPI:
    app = FastAPI(
        title="tactful",
        summary="Check social media posts for what could hurt a professional reputation.",
        description="Everything runs on this machine. Authenticate with `Authorization: Bearer "
        "TOKEN` (the token `tactful serve` printed on first start).",
        version=_version(),
        docs_url=None,  # the default pages load Swagger UI from a CDN: served locally below
        redoc_url=None,
    )
    _local_docs(app)
    app.state.tactful = AppState(store, policy_files)
    guard = Guard(token_digest)
    app.state.guard = guard
    problems.install(app)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        limit = MAX_BODY
        if length is not None and (not length.isdigit() or int(length) > limit):
            return problems.problem(
                413,
                "Request too large",
                f"requests are limited to {limit // 1024 // 1024} MB",
                "413",
            )
        response: Response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    @app.post("/session", tags=["auth"], summary="Sign in with the access token")
    def sign_in(body: dict[str, str], response: Response) -> dict[str, str]:
        from fastapi import HTTPException

        if not guard.valid_token(str(body.get("token", ""))):
            raise HTTPException(401, "that is not the access token")
        sid, csrf = guard.new_session()
        response.set_cookie(COOKIE, sid, httponly=True, samesite="strict")
        return {"csrf_token": csrf}

    static = Path(__file__).with_name("static")
    app.mount("/static/app", StaticFiles(directory=static), name="app")

    @app.get("/", include_in_schema=False)
    def composer() -> FileResponse:
        return FileResponse(static / "composer.html", media_type="text/html")

    @app.get("/healthz", include_in_schema=False)
    def health() -> JSONResponse:
        return JSONResponse({"ok": True})

    app.include_router(router, dependencies=[Depends(guard)])
    return app


def _local_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs with Swagger UI's files from the swagger-ui-bundle package."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/static/swagger", StaticFiles(directory=swagger_ui_path), name="swagger")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="tactful API",
            swagger_js_url="/static/swagger/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger/swagger-ui.css",
            swagger_favicon_url="/static/swagger/favicon-32x32.png",
        )


def _version() -> str:
    from tactful import __version__

    return __version__
