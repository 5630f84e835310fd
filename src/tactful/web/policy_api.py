"""Rules and policy over HTTP: what each rule does in a context (an account, or a platform
and kind of account), and an account's own overrides, which are the last policy layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request

from tactful.web.schemas import Audience, Kind, Platform, PolicyIn, PostIn
from tactful.web.state import app_state

if TYPE_CHECKING:
    from tactful.web.state import AppState

router = APIRouter(prefix="/api", tags=["rules and policy"])


def effective(state: AppState, body: PostIn) -> dict[str, Any]:
    from tactful.web.api import build_post

    checker = state.checker()
    post = build_post(body, state)
    policy = checker.policy_for(post)
    overrides: dict[str, Any] = {}
    if post.account.name:
        overrides = dict((state.account(post.account.name).policy or {}).get("rules") or {})
    rules = []
    for rule_id, rule in sorted(checker.ruleset.catalogue.items()):
        resolved = policy.rules[rule_id]
        rules.append(
            {
                "id": rule_id,
                "title": rule.title,
                "enabled": resolved.enabled,
                "severity": resolved.severity.value if resolved.severity else None,
                "floor": resolved.floor.value if resolved.floor else None,
                "override": overrides.get(rule_id),
            }
        )
    return {
        "context": {
            "platform": post.platform.value,
            "account_kind": post.account.kind.value,
            "audience": post.account.audience.value,
            "clients_in_audience": post.account.clients_in_audience,
            "account": post.account.name,
        },
        "layers": list(policy.layer_names),
        "rules": rules,
    }


@router.get("/policy", summary="What every rule does in a context")
def get_policy(
    request: Request,
    account: str | None = Query(None, max_length=80, description="A stored account's name."),
    platform: Platform | None = None,
    account_kind: Kind | None = None,
    audience: Audience | None = None,
    clients_in_audience: bool | None = None,
) -> dict[str, Any]:
    """Per rule: on or off, the severity it is raised to (null: the rule's own), a floor it
    cannot go below, and the account's own override. ``layers`` lists the policy layers
    applied, most general first. With ``account``, what is not given comes from the account;
    without, from the defaults (personal, public)."""
    given: dict[str, Any] = {
        "platform": platform,
        "account_kind": account_kind,
        "audience": audience,
        "clients_in_audience": clients_in_audience,
    }
    body = PostIn.model_validate(
        {"text": "-", "account": account, **{k: v for k, v in given.items() if v is not None}}
    )
    return effective(app_state(request), body)


@router.put(
    "/accounts/{name}/policy",
    summary="Set an account's rule overrides (replaces its rules; other policy keys stay)",
)
def set_policy(name: str, body: PolicyIn, request: Request) -> dict[str, Any]:
    """``{"rules": {"politics": "off", "offense.profanity": "block"}}``: each value is off,
    on (back to the default), or a severity. Checked like a policy file before it is kept."""
    from tactful.store.accounts import edit_account

    state = app_state(request)
    current = dict(state.account(name).policy or {})
    current["rules"] = dict(body.rules)
    if not current["rules"]:
        del current["rules"]
    with state.write() as s:
        edit_account(s, name, actor=state.actor, policy=current)
    return effective(state, PostIn(text="-", account=name))
