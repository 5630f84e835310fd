"""``tactful serve``: the local web app and HTTP API."""

from __future__ import annotations

import click

from tactful.cli_options import policy_option
from tactful.cli_store import db_option, open_db
from tactful.errors import InputError

LOOPBACK = ("127.0.0.1", "::1", "localhost")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@policy_option
@db_option
def serve(host: str, port: int, policy_files: tuple[str, ...], db_url: str | None) -> None:
    """Run the HTTP API (and its OpenAPI docs at /docs) on this machine.

    On first start an access token is made and shown once; only its hash is kept. Clients
    send it as "Authorization: Bearer TOKEN".

    \b
    Examples:
      tactful serve
      tactful serve --port 9000 --db ./team.db
    """
    import uvicorn

    from tactful.web import create_app
    from tactful.web.auth import first_token, stored_digest, token_file

    if host not in LOOPBACK:
        click.echo(
            f"tactful: warning: listening on {host}: anyone who can reach this machine can "
            "try the token; prefer 127.0.0.1 behind your own proxy",
            err=True,
        )
    store = open_db(db_url)
    token = first_token()
    if token:
        click.echo(f"Access token (shown once; keep it): {token}")
    try:
        digest = stored_digest()
    except OSError as exc:
        raise InputError(f"cannot read the access token file {token_file()}: {exc}") from None
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    click.echo(f"tactful is running at {url}  (API docs: {url}/docs; Ctrl-C to stop)")
    app = create_app(store, digest, policy_files=policy_files)
    uvicorn.run(app, host=host, port=port, log_level="warning")
