"""``tactful serve``: the local web app and HTTP API."""

from __future__ import annotations

import errno
import secrets
import socket
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from tactful.cli.store import db_option, open_db
from tactful.errors import InputError

LOOPBACK = ("127.0.0.1", "::1", "localhost")
DEFAULT_PORT = 8765


def _free_port(host: str, port: int, tries: int) -> int:
    """``port``, or the next free one within ``tries`` when it is taken."""
    for candidate in range(port, min(port + tries, 65536)):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, candidate))
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    continue
                raise InputError(f"cannot listen on {host}:{candidate}: {exc.strerror}") from None
            return candidate
    hint = "stop the other server or choose --port" if tries == 1 else "choose --port"
    raise InputError(f"port {port} on {host} is in use; {hint}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port (the next free one is used when the default is taken).",
)
@click.option(
    "--demo",
    is_flag=True,
    help="Start on a fresh demo database (two accounts, contacts, consent, a photo, a "
    "sample audit, scheduled posts and an inbox) with a one-off token in the printed link. "
    "Nothing is sent anywhere. Your own data is not touched.",
)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help="Another name the pages answer to, besides localhost, 127.0.0.1, ::1 and --host "
    "(a name this machine has on your network, or your proxy's). Repeatable.",
)
@click.option(
    "--audits-at-once",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="How many uploaded exports are audited at once; the others wait their turn.",
)
@click.option(
    "--max-upload-mb",
    type=click.IntRange(1, 100_000),
    default=2048,
    show_default=True,
    help="The largest export the audits page accepts.",
)
@click.option(
    "--worker-interval",
    type=click.FloatRange(1, 3600),
    default=15.0,
    show_default=True,
    metavar="SECONDS",
    help="How often the built-in worker publishes what is due.",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="Do not publish scheduled posts from this server (run tactful worker instead).",
)
@click.option(
    "--inbox-every",
    "inbox_every",
    type=click.FloatRange(1, 1440),
    default=5.0,
    show_default=True,
    metavar="MINUTES",
    help="How often the built-in worker brings the inbox in (tactful inbox sync) and sorts it.",
)
@click.option(
    "--no-inbox-sync",
    is_flag=True,
    help="Do not sync the inbox from this server (run tactful inbox sync yourself).",
)
@click.option(
    "--policy",
    "policy_files",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Make FILE the organisation's policy (recorded in the store with who and why, so "
    "every process checks with it, and kept after a restart; a policy set since with "
    "tactful policy set is not undone; see tactful policy).",
)
@db_option
def serve(
    host: str,
    port: int,
    demo: bool,
    allow_hosts: tuple[str, ...],
    audits_at_once: int,
    max_upload_mb: int,
    worker_interval: float,
    no_worker: bool,
    inbox_every: float,
    no_inbox_sync: bool,
    policy_files: tuple[str, ...],
    db_url: str | None,
) -> None:
    """Run the web app (compose and check posts, schedule them, accounts, contacts and tag
    consent, media, audits, rules) and its HTTP API, with OpenAPI docs at /docs. Listens on
    this machine only. A worker inside it publishes scheduled posts when they are due
    (--no-worker: leave that to tactful worker) and brings the inbox in every few minutes
    (--inbox-every; --no-inbox-sync to leave that to tactful inbox sync).

    On first start an access token is made and shown once; only its hash is kept. The
    browser asks for it once; API clients send it as "Authorization: Bearer TOKEN".

    \b
    Examples:
      tactful serve --demo                 # try it on made-up data
      tactful serve                        # your store (tactful db info says where)
      tactful serve --port 9000 --db ./team.db
      tactful serve --no-worker            # publish with tactful worker elsewhere
      tactful serve --inbox-every 15       # sync the inbox every 15 minutes
    """
    import uvicorn

    from tactful.web import create_app
    from tactful.web.auth import digest, first_token, stored_digest, token_file

    if host not in LOOPBACK:
        click.echo(
            f"tactful: warning: listening on {host}: anyone who can reach this machine can "
            "try the token; prefer 127.0.0.1 behind your own proxy",
            err=True,
        )
    defaulted = click.get_current_context().get_parameter_source("port") is ParameterSource.DEFAULT
    port = _free_port(host, port, 20 if defaulted else 1)
    token: str | None
    network = None  # the inbox's answers: the real networks
    if demo:
        import platformdirs

        from tactful.web.demo import offline, seed

        if db_url:
            raise InputError("--demo makes its own database; leave out --db (or TACTFUL_DB)")
        folder = Path(platformdirs.user_data_dir("tactful", appauthor=False)) / "demo"
        click.echo(
            "Seeding the demo database (accounts, contacts, a sample audit, scheduled posts, "
            "an inbox)...",
            err=True,
        )
        store = seed(folder)
        network = offline  # made-up accounts: every request refused before it leaves
        token = secrets.token_urlsafe(24)
        token_digest = digest(token)
    else:
        store = open_db(db_url)
        token = first_token()
        if token:
            click.echo(f"Access token (shown once; keep it): {token}")
        try:
            token_digest = stored_digest()
        except OSError as exc:
            raise InputError(f"cannot read the access token file {token_file()}: {exc}") from None
    if policy_files:
        _adopt(store, policy_files)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
    app = create_app(
        store,
        token_digest,
        max_archive=max_upload_mb * 1024 * 1024,
        worker_interval=None if no_worker else worker_interval,
        allowed_hosts=(host, *allow_hosts),
        audits_at_once=audits_at_once,
        inbox_interval=None if no_inbox_sync or demo else inbox_every * 60,
        inbox_http=network,
    )
    if demo:
        click.echo(f"tactful demo is running at {url}/#token={token}")
        click.echo(f"  (that link signs you in; API docs at {url}/docs; Ctrl-C to stop)")
    else:
        click.echo(f"tactful is running at {url}  (API docs: {url}/docs; Ctrl-C to stop)")
    if no_worker:
        click.echo("  not publishing scheduled posts here (--no-worker): run tactful worker")
    elif demo:
        click.echo("  (the demo accounts are not connected: nothing is ever published or answered)")
    else:
        click.echo(f"  publishing scheduled posts when due (checked every {worker_interval:g} s)")
        if not no_inbox_sync:
            click.echo(f"  syncing the inbox every {inbox_every:g} min (see /inbox)")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _adopt(store: Any, policy_files: tuple[str, ...]) -> None:
    """``serve --policy FILE`` makes FILE the organisation's policy in the store, so the
    composer, web audits and every worker (in this server or not) check with it."""
    from tactful.store import current_actor
    from tactful.store.org_policy import adopt_policy_file

    if len(policy_files) > 1:
        raise InputError(
            "serve takes one --policy file (it becomes the organisation's policy); "
            "merge them into one file"
        )
    path = policy_files[0]
    with store.session() as s:
        outcome = adopt_policy_file(
            s, path, actor=current_actor(), reason=f"tactful serve --policy {path}"
        )
    if outcome == "set":
        click.echo(f"organisation policy set from {path} (recorded; tactful policy history)")
    elif outcome == "kept":
        click.echo(
            f"tactful: warning: the organisation's policy was changed since {path} was "
            f"recorded; keeping it (to use {path}: tactful policy set {path} --reason WHY)",
            err=True,
        )
