"""The ``tactful`` command line. Exit codes: 0 clean, 1 findings at or above --fail-on,
2 usage or input error (one line on stderr that says what to do), 3 internal error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click
from rich.console import Console
from rich.text import Text

from tactful import __version__
from tactful.cli.options import context_options, stored_account_option
from tactful.cli.render import print_report
from tactful.cli.sarif import to_sarif
from tactful.cli.store import db_option, open_checker
from tactful.core.findings import Report, Severity
from tactful.core.post import Post
from tactful.core.scan import ScanStats, scan_lines
from tactful.errors import InputError, TactfulError

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERNAL = 3
AUTO_POOL_BYTES = 1 << 20  # scan files larger than this use every core by default


def _context(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "platform": kwargs["platform"],
        "account_kind": kwargs["account_kind"],
        "audience": kwargs["audience"],
        "clients_in_audience": kwargs["clients_in_audience"],
        "reply_to": kwargs["reply_to"],
        "inbound": kwargs["inbound"],
    }


def read_utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{where} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and try again"
        ) from None


def _read_file(path: str) -> str:
    try:
        return read_utf8(Path(path).read_bytes(), path)
    except OSError as exc:
        raise InputError(f"cannot read {path!r}: {(exc.strerror or str(exc)).lower()}") from None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError as exc:  # a name too long, a loop of links: say so when it is read
        raise InputError(
            f"cannot read {str(path)[:80]!r}: {(exc.strerror or str(exc)).lower()}"
        ) from None


def _stdin() -> IO[bytes]:
    if sys.stdin is None or sys.stdin.closed:
        raise InputError("standard input is closed: pipe the text in, or pass it as an argument")
    return sys.stdin.buffer


def _texts(text: str | None, files: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(label, text) pairs: the TEXT argument, stdin for '-', or files / folders of .txt files."""
    if text is not None and files:
        raise InputError("give the text as an argument or with --file, not both")
    if text == "-":
        yield "stdin", read_utf8(_stdin().read(), "standard input")
    elif text is not None:
        yield "argument", text
    for name in files:
        path = Path(name)
        if _is_dir(path):
            found = sorted(p for p in path.iterdir() if p.suffix in (".txt", ".md"))
            if not found:
                raise InputError(f"folder {name!r} has no .txt or .md posts to check")
            for p in found:
                yield str(p), _read_file(str(p))
        else:
            yield name, _read_file(name)
    if text is None and not files:
        raise InputError("nothing to check: give TEXT, '-' for standard input, or --file FILE")


# Command groups in modules of their own, imported only when named: ``tactful check``
# starts without loading the store, the web app or the publishing code.
LAZY_COMMANDS = {
    "accounts": "tactful.cli.accounts:accounts",
    "advise": "tactful.cli.advise:advise",
    "audit": "tactful.cli.audit:audit",
    "audits": "tactful.cli.audit:audits",
    "consent": "tactful.cli.contacts:consent",
    "contacts": "tactful.cli.contacts:contacts",
    "db": "tactful.cli.accounts:db",
    "feedback": "tactful.cli.feedback:feedback",
    "inbox": "tactful.cli.inbox:inbox",
    "media": "tactful.cli.media:media",
    "policy": "tactful.cli.policy:policy",
    "publish": "tactful.cli.schedule:publish",
    "rules": "tactful.cli.rules:rules_command",
    "schedule": "tactful.cli.schedule:schedule",
    "serve": "tactful.cli.serve:serve",
    "worker": "tactful.cli.schedule:worker",
}


class TactfulGroup(click.Group):
    """Turns tactful's own errors into one line on stderr and exit code 2, and loads the
    command groups of :data:`LAZY_COMMANDS` when they are named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = LAZY_COMMANDS.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        from importlib import import_module

        module, _, attr = target.partition(":")
        command: click.Command = getattr(import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TactfulError as exc:
            click.echo(f"tactful: error: {exc}", err=True)
            ctx.exit(EXIT_INPUT)
        except BrokenPipeError:
            # Output piped into `head` and closed: not an error worth a traceback.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(0)


@click.group(cls=TactfulGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="tactful")
def main() -> None:
    """Check social media posts for what could hurt a professional reputation, before they go out.

    Everything runs on this machine; nothing you write is sent anywhere.

    \b
    Examples:
      tactful check "My idiot boss again..." --account-kind professional
      tactful check --file draft.txt --platform linkedin --account-kind brand
      tactful scan posts.jsonl -o reports.jsonl
      tactful rules
      tactful accounts add acme-li --platform linkedin --kind brand
      tactful contacts import Connections.csv
      tactful consent ask @jane-doe --platform linkedin
      tactful media clean photo.jpg
    """


@main.command()
@click.argument("text", required=False)
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(),
    help="Read the post from a file (or every .txt/.md file in a folder). Repeatable.",
)
@context_options
@stored_account_option
@click.option(
    "--media",
    "media_paths",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="An image that goes with the post (repeatable): rights, faces, GPS.",
)
@click.option(
    "--mention",
    "mentions",
    multiple=True,
    metavar="@HANDLE",
    help="A tag that is not in the text (repeatable), e.g. a LinkedIn or photo tag.",
)
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="text for people, json (the report schema) or sarif for tools.",
)
def check(
    text: str | None,
    files: tuple[str, ...],
    fmt: str,
    account_name: str | None,
    media_paths: tuple[str, ...],
    mentions: tuple[str, ...],
    db_url: str | None,
    **kwargs: Any,
) -> None:
    """Check one draft post: what could hurt you, the exact words, why, and a fix.

    TEXT is the post; use '-' to read it from standard input.

    \b
    Examples:
      tactful check "Call me on 07700 900123" --account-kind professional
      echo "draft" | tactful check - --platform x --format json
      tactful check --file drafts/ --platform linkedin --account-kind brand --fail-on block
      tactful check "Thanks @jane for the photo!" --account acme-li --media photo.jpg

    With a store (tactful accounts/contacts/consent/media), tags are checked against the
    consent ledger, images against the media library, and client names sharpen the
    confidentiality checks. The store is used when --account or --db is given, TACTFUL_DB is
    set, or the default database exists.
    """
    for path in media_paths:
        from tactful.detectors.media import inspect_attachment

        # Refuses missing, huge, truncated and non-image files now; the media detector
        # then finds the result in its cache instead of reading the file again.
        inspect_attachment(path)
    for handle in mentions:
        if not handle.strip().lstrip("@").strip():
            raise InputError(f"--mention {handle!r} is empty; write it like @jane_doe")
    context = _context(kwargs)
    context["mentions"] = list(mentions)
    context["media"] = list(media_paths)
    checker = open_checker(account_name, db_url, context, kwargs["policy_files"])
    reports = []
    for label, body in _texts(text, files):
        try:
            reports.append((label, checker.check(Post.build(body, **context))))
        except InputError as exc:
            raise InputError(f"{label}: {exc}" if files else str(exc)) from None
    fail_on = Severity(kwargs["fail_on"])
    if fmt == "json":
        payload: Any = [r.to_dict() for _, r in reports]
        click.echo(
            json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)
        )
    elif fmt == "sarif":
        click.echo(json.dumps(to_sarif(reports, checker.ruleset), ensure_ascii=False, indent=2))
    else:
        console = Console(highlight=False)
        for label, report in reports:
            print_report(console, report, label=label if len(reports) > 1 or files else None)
    if any(r.fails(fail_on) for _, r in reports):
        sys.exit(EXIT_FINDINGS)


def _open_input(path: str) -> tuple[IO[bytes], int]:
    if path == "-":
        return _stdin(), 0
    if _is_dir(Path(path)):
        raise InputError(f"{path!r} is a folder; give a JSONL file (one post per line)")
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as exc:
        raise InputError(f"cannot read {path!r}: {(exc.strerror or str(exc)).lower()}") from None
    return handle, os.fstat(handle.fileno()).st_size


@main.command()
@click.argument("input_path", metavar="INPUT", default="-")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write results here (default: stdout)."
)
@context_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "text", "sarif"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one report (or error record) per input line.",
)
@click.option(
    "--all-scores", is_flag=True, help="Add every category's score, even below threshold."
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    help="Processes to use; 0 = automatic (all cores for files over 1 MB).",
)
@stored_account_option
@db_option
def scan(
    input_path: str,
    output: str | None,
    fmt: str,
    all_scores: bool,
    workers: int,
    account_name: str | None,
    db_url: str | None,
    **kwargs: Any,
) -> None:
    """Check many posts: JSONL in (one post per line), one result per line out, streaming.

    Each line is a JSON object with "text" and optionally "id", "platform", "account_kind",
    "audience", "clients_in_audience", "reply_to", "inbound", "mentions", "created_at"; the
    options fill in what a line leaves out. A line that cannot be read becomes an
    {"line": N, "error": "..."} record and the scan goes on; the count of such lines is
    printed at the end and the exit code is 2.

    \b
    Examples:
      tactful scan posts.jsonl -o results.jsonl --platform linkedin
      cat posts.jsonl | tactful scan --all-scores | jq .verdict
      tactful scan examples/posts.jsonl --format text
    """
    defaults = _context(kwargs)
    checker = open_checker(account_name, db_url, defaults, kwargs["policy_files"])
    if output and input_path != "-" and Path(output).resolve() == Path(input_path).resolve():
        raise InputError("the output file is the input file; write the results somewhere else")
    source, size = _open_input(input_path)
    if workers == 0:
        workers = (os.cpu_count() or 1) if size > AUTO_POOL_BYTES else 1
    fail_on = Severity(kwargs["fail_on"])
    stats = ScanStats()
    try:
        sink: IO[str] = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    except OSError as exc:
        source.close()
        reason = (exc.strerror or str(exc)).lower()
        raise InputError(f"cannot write {output!r}: {reason}") from None
    console = Console(file=sink, highlight=False, force_terminal=False if output else None)
    progress = _progress(size) if output and sys.stderr.isatty() else None
    sarif_items: list[tuple[str, Report]] = []
    try:
        results = scan_lines(
            source,
            checker=checker,
            defaults=defaults,
            workers=workers,
        )
        for result in results:
            stats.add(result, fail_on)
            if progress is not None:
                progress.update(1)
            if fmt == "jsonl":
                sink.write(
                    json.dumps(result.to_dict(all_scores=all_scores), ensure_ascii=False) + "\n"
                )
            elif fmt == "sarif":
                if result.report is not None:
                    label = f"{input_path}#{result.source_id or result.line}"
                    sarif_items.append((label, result.report))
            elif result.report is not None:
                print_report(console, result.report, label=f"#{result.source_id or result.line}")
            else:
                console.print(Text(f"line {result.line}: error: {result.error}", style="red"))
        if fmt == "sarif":
            sink.write(
                json.dumps(to_sarif(sarif_items, checker.ruleset), ensure_ascii=False) + "\n"
            )
    finally:
        if progress is not None:
            progress.close()
        if output:
            sink.close()
        if source is not sys.stdin.buffer:
            source.close()
    click.echo(f"tactful: {stats.summary()}", err=True)
    if stats.errors:
        sys.exit(EXIT_INPUT)
    if stats.failing:
        sys.exit(EXIT_FINDINGS)


class _LineProgress:
    """A small stderr counter for long scans (rich's progress bar would need the total)."""

    def __init__(self, size: int):
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("scanned {task.completed:,} posts"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("scan", total=None)
        self._progress.start()

    def update(self, n: int) -> None:
        self._progress.advance(self._task, n)

    def close(self) -> None:
        self._progress.stop()


def _progress(size: int) -> _LineProgress:
    return _LineProgress(size)


@main.command("eval")
@click.option(
    "--data",
    type=click.Path(file_okay=False),
    default="../shared/data",
    show_default=True,
    help="Folder with the public data sets (tweeteval/, toxigen/, ...).",
)
@click.option(
    "--json", "json_out", type=click.Path(dir_okay=False), help="Also write results here."
)
@click.option("--limit", type=click.IntRange(min=1), help="At most N posts per set (a quick look).")
@click.option(
    "--real-only",
    is_flag=True,
    help="Only the hand-labelled real posts (skip the slower public-corpus sets).",
)
@click.option(
    "--inbound",
    is_flag=True,
    help="Only the inbox triage of real tweets labelled by hand as items sent to you.",
)
def eval_command(
    data: str, json_out: str | None, limit: int | None, real_only: bool, inbound: bool
) -> None:
    """Measure the checker on labelled posts and print per-category scores.

    First the real posts labelled by hand (docs/labelling.md), checked as 'tactful check'
    checks a post from a public personal and a public professional account: precision and
    recall per rule id, and how often posts labelled clean get a finding at warn or block.
    Then real tweets labelled by hand as inbox items (threat, harassment, hate, complaint,
    trolling, spam, question, praise, other), sorted by the inbox's own triage as items sent
    to a professional account: precision, recall and F1 per class, complaint against the
    rest, and how often praise and questions are sorted as hostile. The test splits are
    never tuned on; the calibration splits may be. Then TweetEval offensive and hate (val),
    the etiquette corpus's validation split and ToxiGen's held-out neutral statements, with
    every rule on; alt-profanity-check runs on the offensive set in the same process for
    comparison.

    \b
    Examples:
      tactful eval --data ../shared/data
      tactful eval --data ../shared/data --real-only
      tactful eval --data ../shared/data --inbound
      tactful eval --limit 200 --json eval.json
    """
    from tactful.training.evaluate import evaluate, format_tables

    if real_only and inbound:
        raise InputError("--real-only and --inbound each pick one section; pass one of them")
    if not (Path(data) / "tweeteval").is_dir():
        raise InputError(
            f"{data!r} has no tweeteval/ folder; pass --data with the shared data sets"
        )
    results = evaluate(
        Path(data),
        limit=limit,
        real_only=real_only,
        inbound_only=inbound,
        log=lambda m: click.echo(m, err=True),
    )
    click.echo(format_tables(results))
    if json_out:
        Path(json_out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def run() -> None:
    """The console entry point: click's own errors become one line too, with exit code 2."""
    try:
        code = main.main(standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        sys.exit(0)
    except click.UsageError as exc:
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"tactful: error: {exc.format_message()}{where}", err=True)
        sys.exit(EXIT_INPUT)
    except click.ClickException as exc:
        click.echo(f"tactful: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_INPUT)
    except click.Abort:
        click.echo("tactful: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: still one line, and a code no script mistakes for findings
        if os.environ.get("TACTFUL_DEBUG"):
            raise
        click.echo(
            f"tactful: internal error ({type(exc).__name__}: {exc}); "
            "rerun with TACTFUL_DEBUG=1 for details and please report it",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    run()
