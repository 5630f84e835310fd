"""``tactful feedback``: mark a finding as wrong for an account, list and remove such
feedback, and export it as labelled examples for the next training run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tactful.cli.store import (
    actor_or_default,
    by_option,
    db_option,
    echo_json,
    json_option,
    open_checker,
    open_db,
    print_table,
)
from tactful.errors import InputError

if TYPE_CHECKING:
    from tactful.store.feedback import Feedback

_ACCOUNT = click.option(
    "--account", "account_name", metavar="NAME", help="Only this stored account's feedback."
)


@click.group("feedback")
def feedback() -> None:
    """Tell tactful a finding is wrong, for one account: later checks of that account hide
    the same finding on the same words, and the report says so ("1 finding hidden by your
    feedback"). Each piece of feedback keeps who, when, why and the post (in your store
    only), and becomes a labelled example for training (feedback export).

    \b
    Examples:
      tactful feedback wrong work.venting --account acme-li \
          --text "Great talk with Sam today" --reason "a compliment, not venting"
      tactful feedback list --account acme-li
      tactful feedback remove 3
      tactful feedback export --out feedback.jsonl

    A finding at block that rests on exact evidence (a phone number, a card number that
    passes its checksum, a listed slur) is hidden only with --confirm-exact, and never for
    the whole rule. To turn a rule off for an account, set the account's policy instead.
    """


def _post_text(text: str | None, file: str | None) -> str:
    from tactful.cli.main import read_utf8

    if (text is None) == (file is None):
        raise InputError("give the post with --text or --file (one of them)")
    if file is None:
        assert text is not None
        return text
    try:
        return read_utf8(Path(file).read_bytes(), file)
    except OSError as exc:
        raise InputError(f"cannot read {file!r}: {(exc.strerror or str(exc)).lower()}") from None


@feedback.command("wrong")
@click.argument("rule_id")
@click.option("--account", "account_name", required=True, metavar="NAME", help="Stored account.")
@click.option("--text", metavar="TEXT", help="The post the finding was on.")
@click.option("--file", type=click.Path(dir_okay=False), help="Read the post from this file.")
@click.option(
    "--words",
    metavar="WORDS",
    help="The words the finding points at, where the rule points at more than one place.",
)
@click.option("--reason", required=True, metavar="WHY", help="Why the finding is wrong.")
@click.option(
    "--whole-rule",
    is_flag=True,
    help="Hide RULE_ID on this account whatever the words (not for exact evidence).",
)
@click.option(
    "--confirm-exact",
    is_flag=True,
    help="Needed to hide a blocking finding that rests on exact evidence (a card number...).",
)
@by_option
@db_option
@json_option
def wrong(
    rule_id: str,
    account_name: str,
    text: str | None,
    file: str | None,
    words: str | None,
    reason: str,
    whole_rule: bool,
    confirm_exact: bool,
    actor: str | None,
    db_url: str | None,
    as_json: bool,
) -> None:
    """Mark RULE_ID's finding on a post as wrong for an account.

    The post is checked as it would be on the account; the finding of RULE_ID (on --words,
    where it points at more than one place) is recorded with your reason, and hidden on
    later checks of that account wherever the same words come back.

    \b
    Examples:
      tactful feedback wrong work.venting --account acme-li \
          --text "Great talk with Sam today" --reason "a compliment"
      tactful feedback wrong offense.profanity --account me --file draft.txt \
          --words "hell" --reason "the name of a village"
      tactful feedback wrong views.political --account me --file draft.txt \
          --whole-rule --reason "I am a policy journalist"
    """
    from tactful.core.feedback import pick_finding
    from tactful.core.post import Post
    from tactful.store.feedback import mark_wrong

    body = _post_text(text, file)
    context: dict[str, Any] = {}
    checker = open_checker(account_name, db_url, context)
    report = checker.check(Post.build(body, **context))
    finding = pick_finding(report, rule_id, words)
    with open_db(db_url).session() as s:
        record = mark_wrong(
            s,
            report,
            finding,
            reason=reason,
            actor=actor_or_default(actor),
            scope="rule" if whole_rule else "words",
            confirm_exact=confirm_exact,
        )
    if as_json:
        echo_json(record.to_dict())
        return
    where = "anywhere" if whole_rule else f"on “{record.words}”"
    click.echo(
        f"feedback #{record.id}: {rule_id} {where} is hidden on {account_name} from now on "
        f"(undo: tactful feedback remove {record.id})"
    )


def _rows(records: list[Feedback]) -> list[tuple[object, ...]]:
    return [
        (
            f"#{r.id}",
            r.account,
            r.rule_id,
            "(whole rule)" if r.scope == "rule" else r.words,
            r.reason,
            r.actor,
            f"{r.at:%Y-%m-%d %H:%M}",
        )
        for r in records
    ]


@feedback.command("list")
@_ACCOUNT
@db_option
@json_option
def list_(account_name: str | None, db_url: str | None, as_json: bool) -> None:
    """Every finding marked wrong, oldest first: the rule, the words, why, who and when (UTC).

    \b
    Examples:
      tactful feedback list
      tactful feedback list --account acme-li --json
    """
    from tactful.store.feedback import list_feedback

    with open_db(db_url).session() as s:
        records = list_feedback(s, account_name)
    if as_json:
        echo_json([r.to_dict() for r in records])
        return
    print_table(
        None,
        ["id", "account", "rule", "words", "why", "by", "when (UTC)"],
        _rows(records),
        "no feedback yet: tactful feedback wrong RULE_ID --account NAME --text ... --reason ...",
    )


@feedback.command("remove")
@click.argument("feedback_id", metavar="ID")
@db_option
def remove(feedback_id: str, db_url: str | None) -> None:
    """Delete feedback ID (and the post it kept): the finding shows again on later checks.

    \b
    Examples:
      tactful feedback remove 3
    """
    from tactful.store.feedback import remove_feedback

    digits = feedback_id.removeprefix("#")
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(f"{feedback_id!r} is not a feedback id; see tactful feedback list")
    with open_db(db_url).session() as s:
        gone = remove_feedback(s, int(digits))
    click.echo(f"feedback #{gone.id} removed: {gone.rule_id} shows again on {gone.account}")


@feedback.command("export")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="Write the JSONL here (default: stdout)."
)
@_ACCOUNT
@db_option
def export(out: str | None, account_name: str | None, db_url: str | None) -> None:
    """Write the feedback as labelled examples for training, one JSON object a line: text,
    rule_id, label ("false_positive": the rule should not fire on this text), reason,
    account, when, and the words, scope, severity, detector, platform and account kind.

    The lines hold your posts: keep the file on this machine.

    \b
    Examples:
      tactful feedback export --out feedback.jsonl
      tactful feedback export --account acme-li | jq .rule_id
    """
    from tactful.store.feedback import export_examples

    with open_db(db_url).session() as s:
        examples = export_examples(s, account_name)
    lines = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples)
    if out is None:
        click.echo(lines, nl=False)
        return
    try:
        Path(out).write_text(lines, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out!r}: {(exc.strerror or str(exc)).lower()}") from None
    click.echo(f"{len(examples)} labelled example(s) written to {out}", err=True)
