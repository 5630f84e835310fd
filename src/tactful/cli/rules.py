"""``tactful rules``: list the catalogue, explain one rule, show what a context makes of it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.table import Table

from tactful.cli.options import account_options, stored_account_option
from tactful.cli.store import db_option
from tactful.core.policy import ResolvedPolicy, builtin_layers, load_policy_file
from tactful.core.post import Post
from tactful.core.ruleset import Ruleset, default_ruleset, unknown_rule_message
from tactful.errors import UnknownRuleError

if TYPE_CHECKING:
    from tactful.core.feedback import FeedbackRule


def _effective(ruleset: Ruleset, kwargs: dict[str, Any]) -> ResolvedPolicy:
    post = Post.build(
        "-",
        platform=kwargs["platform"],
        account_kind=kwargs["account_kind"],
        audience=kwargs["audience"],
        clients_in_audience=kwargs["clients_in_audience"],
    )
    user = [load_policy_file(p, ruleset) for p in kwargs["policy_files"]]
    return ResolvedPolicy([*builtin_layers(post), *user], ruleset)


def _on_account(
    account_name: str, db_url: str | None, kwargs: dict[str, Any]
) -> tuple[ResolvedPolicy, tuple[FeedbackRule, ...]]:
    """The policy a stored account's posts get (the organisation's policy, the account's
    overrides and its feedback included), and the findings its user marked wrong."""
    from tactful.cli.store import open_checker

    keys = ("platform", "account_kind", "audience", "clients_in_audience")
    context = {k: kwargs[k] for k in keys}
    checker = open_checker(account_name, db_url, context, kwargs["policy_files"])
    policy = checker.policy_for(Post.build("-", **context))
    assert checker.store is not None
    return policy, checker.store.feedback.get(account_name, ())


def _feedback_lines(console: Console, account: str, feedback: list[FeedbackRule]) -> None:
    if not feedback:
        console.print(f"No findings marked wrong on {account}.", style="dim")
        return
    console.print(f"\nHidden by feedback on {account} (tactful feedback list):", style="bold")
    for r in feedback:
        words = "the whole rule" if r.scope == "rule" else f"\u201c{r.words}\u201d"
        console.print(
            f"  #{r.id} {r.rule_id} on {words}: {r.reason} ({r.actor}, {r.at:%Y-%m-%d})",
            highlight=False,
        )


def _feedback_dict(r: FeedbackRule) -> dict[str, Any]:
    return {
        "id": r.id,
        "scope": r.scope,
        "words": r.words,
        "reason": r.reason,
        "by": r.actor,
        "at": r.at.isoformat(),
    }


def _severity_text(policy: ResolvedPolicy, ruleset: Ruleset, rule_id: str) -> str:
    rule = policy.rules[rule_id]
    if not rule.enabled and rule.floor is None:
        return "off"
    if rule.severity is not None:
        text = rule.severity.value
    else:
        defaults = sorted({e.severity.value for e in ruleset.entries if e.rule_id == rule_id})
        text = "/".join(defaults) if defaults else "per detector"
    if rule.floor is not None:
        text += f" (never below {rule.floor.value})"
    return text


@click.command("rules")
@click.argument("rule", required=False)
@account_options
@stored_account_option
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def rules_command(
    rule: str | None, fmt: str, account_name: str | None, db_url: str | None, **kwargs: Any
) -> None:
    """List the rules, or explain RULE (an id like work.venting or a prefix like safety).

    The severity column shows what the given context makes of each rule: the same post
    can be fine on a friends-only profile and blocked on a company page.

    \b
    Examples:
      tactful rules
      tactful rules --platform linkedin --account-kind brand
      tactful rules work.confidential
      tactful rules safety --format json
      tactful rules --account acme-li

    With --account, the severities are those of the stored account's posts, and the
    findings its user marked wrong (tactful feedback) are listed.
    """
    ruleset = default_ruleset()
    feedback: tuple[FeedbackRule, ...] = ()
    if account_name:
        policy, feedback = _on_account(account_name, db_url, kwargs)
    else:
        policy = _effective(ruleset, kwargs)
    ids = sorted(ruleset.catalogue if rule is None else ruleset.ids_matching(rule))
    if not ids:
        raise UnknownRuleError(unknown_rule_message(rule or "", ruleset.catalogue))
    shown = [r for r in feedback if r.rule_id in ids]
    if fmt == "json":
        out = []
        for rule_id in ids:
            info = ruleset.catalogue[rule_id]
            entries = [e for e in ruleset.entries if e.rule_id == rule_id]
            out.append(
                {
                    "id": rule_id,
                    "title": info.title,
                    "catches": info.catches,
                    "source": info.source,
                    "fix": info.fix,
                    "severity_here": _severity_text(policy, ruleset, rule_id),
                    **(
                        {"feedback": [_feedback_dict(r) for r in shown if r.rule_id == rule_id]}
                        if account_name
                        else {}
                    ),
                    "checks": [
                        {
                            "check": e.check,
                            "severity": e.severity.value,
                            "message": e.message,
                            "examples": {
                                "flag": [x.text for x in e.flag_examples],
                                "pass": [x.text for x in e.pass_examples],
                            },
                        }
                        for e in entries
                    ],
                }
            )
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False)
    if rule is None or len(ids) > 1:
        table = Table(
            title=f"tactful rules ({', '.join(policy.layer_names)})", title_justify="left"
        )
        table.add_column("rule id", style="bold")
        table.add_column("what it catches")
        table.add_column("severity here")
        table.add_column("checks", justify="right")
        for rule_id in ids:
            info = ruleset.catalogue[rule_id]
            count = sum(1 for e in ruleset.entries if e.rule_id == rule_id)
            table.add_row(
                rule_id, info.catches, _severity_text(policy, ruleset, rule_id), str(count or "—")
            )
        console.print(table)
        if account_name:
            _feedback_lines(console, account_name, shown)
        console.print("Explain one: tactful rules RULE_ID", style="dim")
        return
    rule_id = ids[0]
    info = ruleset.catalogue[rule_id]
    console.print(f"[bold]{rule_id}[/bold] — {info.title}")
    console.print(f"catches: {info.catches}")
    console.print(f"source:  {info.source}")
    console.print(f"fix:     {info.fix}")
    console.print(
        f"here:    {_severity_text(policy, ruleset, rule_id)}  ({', '.join(policy.layer_names)})"
    )
    for e in (e for e in ruleset.entries if e.rule_id == rule_id):
        console.print(f"\n  [bold]{e.check}[/bold] ({e.severity.value}): {e.message}")
        console.print(f"  why: {e.explanation}")
        for x in e.flag_examples[:2]:
            console.print(f"  flags: “{x.text}”", style="red")
        for x in e.pass_examples[:2]:
            console.print(f"  passes: “{x.text}”", style="green")
    if account_name:
        _feedback_lines(console, account_name, shown)
