"""``tactful schedule``, ``tactful publish now`` and ``tactful worker``: the outbox from the
command line. Every post goes through the check gate before it is queued and again when it
goes out."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from tactful.cli.store import actor_or_default, by_option, db_option, echo_json, open_db
from tactful.errors import InputError


def _zone(tz: str | None) -> str:
    if tz:
        return tz
    import tzlocal

    return str(tzlocal.get_localzone_name() or "UTC")


def _checker(store: Any) -> Any:
    from tactful.core.factory import checker_for

    return checker_for(store)


def _report(done: Any, when: Any) -> None:
    if done.note:
        click.echo(f"note: {done.note}", err=True)
    for warning in done.warnings:
        click.echo(f"warning: {warning}", err=True)
    if done.state == "scheduled":
        at = f"{when.local:%Y-%m-%d %H:%M} {when.zone} ({when.utc:%Y-%m-%d %H:%M} UTC)"
        thread = f" as a thread of {done.parts} posts" if done.parts > 1 else ""
        click.echo(f"scheduled #{done.post_id}{thread} for {at}")
        return
    if when is None and not done.problems:
        click.echo(f"kept as draft #{done.post_id} (no time): give it one with --at")
        return
    click.echo(f"kept as draft #{done.post_id}: it does not go out until this is fixed")
    for p in done.problems:
        click.echo(f"  {p.account}: {p.rule_id}: {p.message}")
    if any(not p.rule_id.startswith("publish.") for p in done.problems):
        click.echo(
            f"  (to publish it anyway: tactful schedule edit {done.post_id} --override 'why',"
            " which is recorded)"
        )
    sys.exit(1)


@click.group()
def schedule() -> None:
    """Queue posts to publish later: checked now, and again when they go out.

    \b
    Examples:
      tactful schedule add "Our report is out" --account acme-masto \\
          --at "2026-12-01 09:30" --tz Europe/London
      tactful schedule add "$(cat long-post.txt)" --account acme-masto \\
          --at "2026-12-01 09:30" --thread
      tactful schedule list
      tactful schedule edit 3 --at "2026-12-02 10:00"
      tactful schedule cancel 3
    """


@schedule.command("add")
@click.argument("text")
@click.option(
    "--account", "accounts", multiple=True, required=True, help="Stored account (repeatable)."
)
@click.option("--at", "at", required=True, metavar="TIME", help="Local time: '2026-12-01 09:30'.")
@click.option("--tz", metavar="ZONE", help="IANA time zone (default: this machine's).")
@click.option("--first", "occurrence", flag_value="first", help="The first of a repeated hour.")
@click.option("--second", "occurrence", flag_value="second", help="The second of a repeated hour.")
@click.option("--override", metavar="WHY", help="Publish despite blocking findings; recorded.")
@click.option(
    "--media",
    "media",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="An image to attach (repeatable); added to the media library and checked.",
)
@click.option(
    "--thread",
    is_flag=True,
    help="Too long for one post? Split it into a numbered thread (X, Mastodon, Bluesky).",
)
@by_option
@db_option
def add(
    text: str,
    accounts: tuple[str, ...],
    at: str,
    tz: str | None,
    occurrence: str | None,
    override: str | None,
    media: tuple[str, ...],
    thread: bool,
    actor: str | None,
    db_url: str | None,
) -> None:
    """Schedule TEXT to the accounts at a wall-clock time in a time zone."""
    from tactful.publish.outbox import schedule as queue
    from tactful.publish.times import schedule_time

    when = schedule_time(at, _zone(tz), occurrence=occurrence)
    store = open_db(db_url)
    hashes = _attach(store, media)
    checker = _checker(store)
    with store.session() as s:
        done = queue(
            s,
            checker,
            text,
            accounts,
            when,
            actor=actor_or_default(actor),
            override=override,
            media=hashes,
            thread=thread,
        )
    _report(done, when)


@schedule.command("edit")
@click.argument("post_id")
@click.option("--text", "new_text", help="The new text.")
@click.option("--at", "at", metavar="TIME", help="A new local time: '2026-12-01 09:30'.")
@click.option("--tz", metavar="ZONE", help="The zone of --at (default: this machine's).")
@click.option("--first", "occurrence", flag_value="first", help="The first of a repeated hour.")
@click.option("--second", "occurrence", flag_value="second", help="The second of a repeated hour.")
@click.option("--draft", is_flag=True, help="Take it off the schedule (keep it as a draft).")
@click.option(
    "--media",
    "media",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Replace the images (repeatable).",
)
@click.option("--no-media", is_flag=True, help="Remove the images.")
@click.option("--thread/--no-thread", default=None, help="Split into a thread, or do not.")
@click.option("--override", metavar="WHY", help="Publish despite blocking findings; recorded.")
@by_option
@db_option
def edit(
    post_id: str,
    new_text: str | None,
    at: str | None,
    tz: str | None,
    occurrence: str | None,
    draft: bool,
    media: tuple[str, ...],
    no_media: bool,
    thread: bool | None,
    override: str | None,
    actor: str | None,
    db_url: str | None,
) -> None:
    """Change a post that has not gone out, and check it again. What is not given stays.

    \b
    Examples:
      tactful schedule edit 3 --text "Our report is out (updated)"
      tactful schedule edit 3 --at "2026-12-02 10:00" --tz Europe/London
      tactful schedule edit 3 --draft
    """
    from tactful.publish.outbox import edit as do_edit
    from tactful.publish.times import schedule_time

    if draft and at:
        raise InputError("give either --at or --draft, not both")
    if media and no_media:
        raise InputError("give either --media or --no-media, not both")
    when = schedule_time(at, _zone(tz), occurrence=occurrence) if at else None
    store = open_db(db_url)
    hashes = _attach(store, media) if media else ([] if no_media else None)
    checker = _checker(store)
    with store.session() as s:
        done = do_edit(
            s,
            checker,
            f"#{post_id.lstrip('#')}",
            actor=actor_or_default(actor),
            text_=new_text,
            when=when,
            unschedule=draft,
            media=hashes,
            override=override,
            thread=thread,
        )
    _report(done, done.when)


def _attach(store: Any, paths: tuple[str, ...]) -> list[str]:
    """Add each image to the library and keep a copy for the worker; their hashes."""
    from pathlib import Path

    from tactful.store.files import files_dir_for, keep_copy
    from tactful.store.media import add_media

    hashes = []
    for path in paths:
        with store.session() as s:
            record, _ = add_media(s, path)
        keep_copy(files_dir_for(store), Path(path), record.sha256, record.mime)
        hashes.append(record.sha256)
    return hashes


@schedule.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include what has been published.")
@click.option("--json", "as_json", is_flag=True)
@db_option
def list_(show_all: bool, as_json: bool, db_url: str | None) -> None:
    """The queue, soonest first (drafts last)."""
    from tactful.publish.outbox import list_posts, open_notices

    with open_db(db_url).session() as s:
        posts = list_posts(s, include_done=show_all)
        notices = open_notices(s)
    if as_json:
        echo_json([p.to_dict() for p in posts])
        return
    for n in notices:
        click.echo(f"! {n.message}", err=True)
    if not posts:
        click.echo("nothing queued: tactful schedule add TEXT --account NAME --at TIME")
        return
    for p in posts:
        when = f"{p.local_time} {p.zone}" if p.local_time else "no time (draft)"
        click.echo(f"#{p.id}  {when}  {p.text[:60]!r}")
        for d in p.deliveries:
            extra = d.remote_url or d.last_error or ""
            if not d.connected and d.state in ("draft", "scheduled"):
                extra = f"not connected: tactful accounts connect {d.account}"
            thread = f" ({d.posted}/{len(d.parts)} parts out)" if d.parts else ""
            click.echo(f"    {d.account:<16} {d.state:<16} {extra}{thread}")


@schedule.command("show")
@click.argument("post_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
@db_option
def show(post_id: str, fmt: str, db_url: str | None) -> None:
    """One queued post, its deliveries and every attempt.

    \b
    Examples:
      tactful schedule show 3
      tactful schedule show 3 --format json | jq '.deliveries[].state'
    """
    from tactful.publish.outbox import get_post

    with open_db(db_url).session() as s:
        post = get_post(s, f"#{post_id.lstrip('#')}")
    if fmt == "json":
        echo_json(post.to_dict())
        return
    for line in _describe(post):
        click.echo(line)


def _describe(post: Any) -> list[str]:
    """A queued post as a person reads it: when, what, to whom, and what happened."""
    if post.local_time and post.scheduled_at:
        local = post.local_time.replace("T", " ")
        when = f"{local} {post.zone} ({post.scheduled_at:%Y-%m-%d %H:%M} UTC)"
    else:
        when = "no time (a draft)"
    lines = [f"#{post.id}  {when}"]
    lines += ["  " + line for line in post.text.splitlines() or [""]]
    if post.media:
        lines.append(f"  images: {len(post.media)}")
    if post.override_by:
        lines.append(f"  published despite findings, by {post.override_by}: {post.override_reason}")
    for d in post.deliveries:
        lines.append("")
        thread = f", thread {d.posted}/{len(d.parts)} parts out" if d.parts else ""
        lines.append(f"  {d.account} ({d.platform}): {d.state.replace('_', ' ')}{thread}")
        if not d.connected and d.state in ("draft", "scheduled"):
            lines.append(f"    not connected: tactful accounts connect {d.account}")
        for n, part in enumerate(d.parts, start=1):
            short = part if len(part) <= 70 else part[:69] + "…"
            lines.append(f"    part {n}/{len(d.parts)}: {short}")
        if d.remote_url:
            lines.append(f"    {d.remote_url}")
        if d.last_error:
            lines.append(f"    why: {d.last_error}")
        for a in d.log:
            part = f" part {a.part}" if d.parts else ""
            status = f" HTTP {a.http_status}" if a.http_status else ""
            outcome = a.outcome or "no answer recorded"
            detail = f": {a.detail}" if a.detail else ""
            lines.append(
                f"    {a.started_at:%Y-%m-%d %H:%M:%S} UTC  {a.action}{part}  "
                f"{outcome}{status}{detail}"
            )
    return lines


@schedule.command("cancel")
@click.argument("post_id")
@db_option
def cancel(post_id: str, db_url: str | None) -> None:
    """Cancel what has not gone out yet."""
    from tactful.publish.outbox import cancel as do_cancel

    with open_db(db_url).session() as s:
        n = do_cancel(s, f"#{post_id.lstrip('#')}")
    click.echo(f"cancelled #{post_id.lstrip('#')} for {n} account(s)")


@schedule.command("retry")
@click.argument("post_id")
@click.option(
    "--not-there",
    is_flag=True,
    help="You looked: the post is not on the account, so send it again without looking.",
)
@by_option
@db_option
def retry(post_id: str, not_there: bool, actor: str | None, db_url: str | None) -> None:
    """Try again what needs attention (after reconnecting an account, say)."""
    from tactful.publish.outbox import requeue

    with open_db(db_url).session() as s:
        n = requeue(
            s, f"#{post_id.lstrip('#')}", not_there=not_there, actor=actor_or_default(actor)
        )
    if not n:
        raise InputError(f"nothing of #{post_id} needs attention")
    click.echo(f"#{post_id.lstrip('#')} queued again for {n} account(s)")


@click.command()
@click.option("--once", is_flag=True, help="Publish what is due now, then stop.")
@click.option("--interval", type=click.FloatRange(1, 3600), default=15.0, show_default=True)
@db_option
def worker(once: bool, interval: float, db_url: str | None) -> None:
    """Publish due posts (several workers may run at once; none publishes a post twice).

    \b
    Examples:
      tactful worker --once
      tactful worker --interval 30
    """
    from tactful.publish.worker import Worker

    w = Worker(open_db(db_url))
    try:
        while True:
            n = w.run_once()
            if n:
                t = w.tally
                click.echo(
                    f"handled {n}: {t.published} published, {t.retried} to retry, "
                    f"{t.unknown} being checked, {t.attention} need attention",
                    err=True,
                )
            if once and not n:
                break
            if not n:
                time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("worker stopped", err=True)


@click.group()
def publish() -> None:
    """Publish a post now, through the same gate and worker as scheduled posts.

    \b
    Examples:
      tactful publish now "We are live: the winter report" --account acme-masto
    """


@publish.command("now")
@click.argument("text")
@click.option("--account", "accounts", multiple=True, required=True)
@click.option("--override", metavar="WHY")
@by_option
@db_option
def now(
    text: str,
    accounts: tuple[str, ...],
    override: str | None,
    actor: str | None,
    db_url: str | None,
) -> None:
    """Check TEXT and publish it to the accounts right away."""
    from datetime import UTC, datetime

    from tactful.publish.outbox import get_post
    from tactful.publish.outbox import schedule as queue
    from tactful.publish.times import WallTime
    from tactful.publish.worker import Worker

    store = open_db(db_url)
    moment = datetime.now(UTC)
    when = WallTime(moment.replace(tzinfo=None), "UTC", moment)
    with store.session() as s:
        done = queue(
            s,
            _checker(store),
            text,
            accounts,
            when,
            actor=actor_or_default(actor),
            override=override,
        )
    if done.state != "scheduled":
        _report(done, when)
    Worker(store).run_once(limit=len(accounts))
    with store.session() as s:
        view = get_post(s, f"#{done.post_id}")
    failed = False
    for d in view.deliveries:
        click.echo(f"{d.account}: {d.state} {d.remote_url or d.last_error or ''}".rstrip())
        failed = failed or d.state != "published"
    if failed:
        sys.exit(1)


@click.command("connect")
@click.argument("name")
@click.option(
    "--instance", metavar="URL", help="Mastodon: the server, e.g. https://mastodon.social"
)
@click.option("--oauth", is_flag=True, help="Mastodon: sign in through the browser instead.")
@click.option("--handle", "login", metavar="HANDLE", help="Bluesky: the handle (default: stored).")
@click.option("--pds", metavar="URL", help="Bluesky: your PDS if not bsky.social.")
@click.option("--client-id", metavar="ID", help="X, LinkedIn, Facebook, Instagram: your app's id.")
@click.option("--organization", metavar="ID", help="LinkedIn: post as this company page.")
@click.option("--page", metavar="ID_OR_NAME", help="Facebook, Instagram: which Page.")
@click.option(
    "--secret-stdin",
    is_flag=True,
    help="Read the token, app password or client secret from standard input (scripts).",
)
@click.option(
    "--port",
    type=click.IntRange(1024, 65535),
    default=8767,
    show_default=True,
    help="Port of the sign-in callback: register http://127.0.0.1:PORT/callback.",
)
@click.option("--no-browser", is_flag=True, help="Print the sign-in link instead of opening it.")
@db_option
def connect(
    name: str,
    instance: str | None,
    oauth: bool,
    login: str | None,
    pds: str | None,
    client_id: str | None,
    organization: str | None,
    page: str | None,
    secret_stdin: bool,
    port: int,
    no_browser: bool,
    db_url: str | None,
) -> None:
    """Connect a stored account to its network so tactful can publish to it. Access is
    checked with the network, then stored encrypted (never shown again).

    \b
    Mastodon   a token (Preferences > Development > New application, scopes
               read:accounts read:statuses write:statuses write:media), or --oauth.
    Bluesky    the handle and an app password (Settings > App passwords).
    X          your X app's client id (--client-id; a public "native app" client,
               which signs in with PKCE); sign in through the browser.
    LinkedIn   your app's client id and secret; --organization ID for a company page.
    Facebook   your Meta app's id and secret; --page picks the Page.
    Instagram  as Facebook: the professional account linked to the Page.
    The browser returns to http://127.0.0.1:PORT/callback: register it with the app.
    \b
    Examples:
      tactful accounts connect jo-masto --instance https://mastodon.social
      tactful accounts connect jo-masto --instance https://mastodon.social --oauth
      tactful accounts connect jo-bsky --handle jo.bsky.social
      tactful accounts connect jo-x --client-id Y2xpZW50LWlk
      tactful accounts connect acme-li --client-id 86abc --organization 2414183
      pass show masto | tactful accounts connect jo-masto --secret-stdin \\
          --instance https://mastodon.social
    """
    import httpx

    from tactful.publish import connect as ways
    from tactful.store.accounts import get_account

    store = open_db(db_url)
    with store.session() as s:
        account = get_account(s, name)
    platform = account.platform.value

    def secret(prompt: str) -> str:
        value = (
            sys.stdin.readline().strip()
            if secret_stdin
            else click.prompt(prompt, hide_input=True, err=True).strip()
        )
        if not value:
            raise InputError(f"the {prompt.lower()} is empty")
        return value

    def need_client() -> str:
        if not client_id:
            raise InputError(
                f"give your {platform} app's id as --client-id "
                "(see tactful accounts connect --help)"
            )
        return client_id

    say = lambda m: click.echo(m, err=True)  # noqa: E731
    opener = (lambda _u: None) if no_browser else None
    with httpx.Client(timeout=20) as http:
        if platform == "mastodon":
            if not instance:
                raise InputError("give the server as --instance https://your.server")
            if oauth:
                made = ways.mastodon_oauth(http, instance, port=port, open_url=opener, say=say)
            else:
                made = ways.mastodon_token(http, instance, secret("Access token"))
        elif platform == "bluesky":
            handle = (login or account.handle or "").lstrip("@")
            if not handle:
                raise InputError("give the Bluesky handle as --handle you.bsky.social")
            made = ways.bluesky(http, pds, handle, secret("App password"))
        elif platform == "x":
            cid = need_client()
            made = ways.x_oauth(http, cid, None, port=port, open_url=opener, say=say)
        elif platform == "linkedin":
            from tactful.publish.connect_linkedin import linkedin_oauth

            cid = need_client()
            made = linkedin_oauth(
                http,
                cid,
                secret("Client secret"),
                organization=organization,
                port=port,
                open_url=opener,
                say=say,
            )
        elif platform in ("facebook", "instagram"):
            from tactful.publish.connect_meta import meta_oauth

            cid = need_client()
            made = meta_oauth(
                http,
                cid,
                secret("App secret"),
                platform,
                page=page,
                port=port,
                open_url=opener,
                say=say,
            )
        else:  # pragma: no cover - every platform has a way in
            raise InputError(f"tactful cannot connect {platform} accounts")
    with store.session() as s:
        ways.save(s, name, made)
    who = f" as {made.who}" if made.who else ""
    click.echo(f"connected {name}{who} (account id {made.remote_user}); access is stored encrypted")
